"""A board regenerated after a few plan edits: only the rows of the plans that changed.

At 50,000 tasks a full regeneration decodes every plan, resolves every ID and
renders every row, seconds of work for an edit that moved one row. After each
regeneration charter keeps, under `.charter/cache/board-state-<hash>.cache`, what
the board it wrote is made of: the hashes of the two files, each plan's content
hash and the row keys (task IDs) it contributed, and each column's IDs in the
board's order. A state is found by the content of the board on disk (the
`<hash>` is the Markdown board's), and the last few are kept: a checkout that
brings back a board charter wrote (`git checkout -- .`, another branch and
back) finds the state of that board, and patches it. The next regeneration
re-reads the plans' bytes; for the plans whose bytes changed it parses them
alone, and replaces their rows in the Markdown (removed from their old column,
inserted at their place in the new one, found by the order `board_rows` sorts
by) and their lines in the CSV.

The board on disk is the cache of rows: nothing of 50,000 rows is decoded.
Only edits that keep the board's shape take this path, checked before a byte
changes: the files on disk are a board charter wrote, every changed plan
keeps its task IDs and subtasks, none of its IDs is mentioned in another plan
(which mention speaks for the task is then the whole repository's question,
charter.mentions), it holds no tasks without IDs and replaces no imported
file, the template is charter's own and the claims and configuration are as
they were. Anything else (a plan added, a task renamed or moved, a second
mention) is a full regeneration, which records the state again. A test edits
generated repositories every way and compares with a full `charter board
--force`, byte for byte.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any

from charter.board.fastmd import RowWriter, assemble_pieces, ordered_columns
from charter.board.memo import sha_bytes
from charter.board.patch_piece import EditedPiece, edited_piece, shifts
from charter.board.patch_states import last_board, load_state
from charter.board.render import BoardRow, board_rows, csv_cells
from charter.config import Config
from charter.model import Plan
from charter.outputs.protect import plan_unreadable, row_key
from charter.repo import RepoModel, parse_file
from charter.sorting import natural_key
from charter.templating import md_cell

# More changed plans than this, and a full regeneration is as quick (a checkout, a merge).
MAX_CHANGED = 64
# More rows than this in the changed plans (one plan holding every task), and moving them
# one by one costs more than rendering all: the full path.
MAX_ROWS = 2_000
PlanRead = tuple[str, bytes | None, str]  # a plan's path, bytes (None: unreadable), plan_digest
Piece = bytes | memoryview  # a run of a file's bytes: written and hashed in place, uncopied


@dataclass(frozen=True)
class Patched:
    """The board after the edits: both bodies, the row keys, and the state to keep."""

    markdown_pieces: tuple[Piece, ...]  # the body without its stamp line, in pieces
    csv_pieces: tuple[Piece, ...]
    entries: list[list[Any]]  # the state's plans, with each plan's row keys
    rows: int
    state: dict[str, Any]
    parsed: int  # plans parsed (the ones that changed)
    # Patched from the board on disk (else from a copy of the last board charter wrote: the
    # board on disk is then another, to be inspected before it is replaced).
    from_disk: bool = True

    @cached_property
    def markdown(self) -> str:
        """The body as one text (what a comparison or an inspection of the board reads)."""
        return b"".join(self.markdown_pieces).decode("utf-8")

    @cached_property
    def csv(self) -> str:
        return b"".join(self.csv_pieces).decode("utf-8")


def plan_digest(data: bytes | None) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest() if data is not None else ""


def shape_of(plan: Plan, config: Config) -> tuple[str, list[str]]:
    """(a hash of the plan's task IDs and subtasks, the IDs it mentions); the hash is ""
    when the plan cannot be patched alone (tasks without IDs on the board, an import)."""
    ids = [t.id for t in plan.walk() if t.id]
    source = plan.frontmatter.get("source")
    anonymous = config.anonymous_tasks and any(not t.id for t in plan.tasks)
    if anonymous or (isinstance(source, str) and source != plan.path):
        return "", list(dict.fromkeys(ids))
    text = repr([(t.id, t.parent) for t in plan.walk() if t.id])
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest(), list(
        dict.fromkeys(ids)
    )


def record_state(
    config: Config,
    base: str,
    plans: Sequence[PlanRead],
    models: Sequence[Plan],
    rows: Sequence[BoardRow],
) -> dict[str, Any]:
    """The state after a full regeneration from `models` (the repository's plans)."""
    by_rel = {p.path: p for p in models}
    seen: dict[str, int] = {}
    shapes: dict[str, tuple[str, list[str]]] = {}
    for plan in models:
        shape, ids = shapes[plan.path] = shape_of(plan, config)
        for task_id in ids:
            seen[task_id] = seen.get(task_id, 0) + 1
    shared = {task_id for task_id, count in seen.items() if count > 1}
    spoken: dict[str, list[str]] = {}  # plan -> the keys of the rows it speaks for
    for r in rows:
        spoken.setdefault(r.plan, []).append(row_key(r.id, r.plan, r.title))
    entries = []
    for rel, _data, digest in plans:
        shape, mentioned = shapes.get(rel, ("", []))
        keys = spoken.get(rel, [])
        if rel not in by_rel or any(task_id in shared for task_id in mentioned):
            shape = ""  # replaced by an import, or shares an ID: never patched alone
        entries.append([rel, digest, shape, _joined(keys)])
    columns = ordered_columns(config, rows)
    epics = any(r.epic for r in rows)
    return {
        "base": base,
        "files": {},
        "plans": entries,
        "columns": [
            [
                name,
                len(items),
                _joined(r.id for r in items),
                _joined(r.epic for r in items) if epics else None,
            ]
            for name, items in columns.items()
        ],
        "epics": epics,
        "claims": any(r.claimed_by for r in rows),
        "plan_count": len(models),
        "rows": len(rows),
    }


def patch_board(
    config: Config,
    base: str,
    plans: Sequence[PlanRead],
    claimed: Mapping[str, tuple[str, str]],
    old: Mapping[str, bytes | None],
) -> Patched | None:
    """The board after the plans' edits, from the last state and the board on disk (`old`:
    the board files' bytes, None when missing); None when this regeneration needs a full
    one (see the module's docstring)."""
    on_disk = old[config.board]
    if on_disk is None:
        return None
    state = load_state(config, sha_bytes(on_disk))
    files = old
    if state is None:  # a board written elsewhere (a pull): from the last one charter wrote
        last = last_board(config)
        if last is None:
            return None
        state = last.state
        files = {
            config.board: last.markdown.encode("utf-8"),
            config.board_csv: last.csv.encode("utf-8"),
        }
    if state.get("base") != base:
        return None
    try:
        patched = _patch(config, state, plans, claimed, files)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None  # a state of another layout: regenerate in full
    if patched is None or files is old:
        return patched
    return replace(patched, from_disk=False)


def _patch(
    config: Config,
    state: dict[str, Any],
    plans: Sequence[PlanRead],
    claimed: Mapping[str, tuple[str, str]],
    old: Mapping[str, bytes | None],
) -> Patched | None:
    md_data, csv_data = old[config.board], old[config.board_csv]
    files = state["files"]
    if md_data is None or csv_data is None:
        return None
    if files.get(config.board) != sha_bytes(md_data):
        return None  # not what charter wrote last (edited, restored, another branch's)
    if files.get(config.board_csv) != sha_bytes(csv_data):
        return None
    entries: list[list[Any]] = state["plans"]
    if [e[0] for e in entries] != [rel for rel, _, _ in plans]:
        return None
    changed: list[tuple[int, Plan]] = []
    edited: list[tuple[str, EditedPiece]] = []  # big plans a task edit changed in one piece
    moving = 0  # rows the changed plans gave the board
    for n, (rel, data, digest) in enumerate(plans):
        if entries[n][1] == digest:
            continue
        if data is None or not entries[n][2] or len(changed) >= MAX_CHANGED:
            return None
        count = entries[n][3].count("\n") + 1
        if moving + count > MAX_ROWS:
            # The edit kept every ID and parent (charter.tasks.edit verified the piece): the
            # shape is the state's, recorded for the bytes before it.
            piece = edited_piece(config, rel, digest, entries[n][1], count)
            if piece is None:
                return None  # checked before parsing: the full path parses the plan anyway
            changed.append((n, piece.plan))
            edited.append((rel, piece))
            continue
        moving += count
        model = parse_file(rel, data, config, "plan")
        if not isinstance(model, Plan) or plan_unreadable(model):
            return None
        if shape_of(model, config)[0] != entries[n][2]:
            return None
        changed.append((n, model))
    today = date.today()
    fresh: list[BoardRow] = []
    for _n, model in changed:
        fresh += board_rows(RepoModel(config.root, config, (model,), (), today), claimed)
    ids = {r.id for r in fresh}
    if "" in ids or any(not r.id for r in fresh):
        return None
    if any("\n" in cell or "\r" in cell for r in fresh for cell in csv_cells(r, state["claims"])):
        return None
    if edited:  # the rows below an edited piece: their `plan:line` links move
        md_text = md_data.decode("utf-8")
        for shift in shifts(config, edited, md_text):
            md_text = shift.apply(md_text)
        md_data = md_text.encode("utf-8")
    columns = _sections(md_data, state["columns"])
    if columns is None:
        return None
    epics, claims = bool(state["epics"]), bool(state["claims"])
    if any(bool(r.claimed_by) for r in fresh) and not claims:
        return None
    writer = RowWriter(config, epics, claims)
    lines = {r.id: writer.line(r).encode("utf-8") for r in fresh}
    if len(lines) != len(fresh):
        return None  # an ID twice among the rows
    moved = _moving(columns, fresh, lines)
    if not _remove(columns, {r.id for r in moved}):
        return None
    by_name = {c.name: c for c in columns}
    for r in moved:
        column = by_name.get(r.column)
        if column is None:
            return None
        column.insert(r, lines[r.id], epics)
    rows: dict[str, tuple[int, Sequence[Piece]]] = {}
    for column in columns:
        pieces = column.pieces()
        if pieces is None:
            return None
        rows[column.name] = (len(column.ids), pieces)
    body = assemble_pieces(
        config, int(state["rows"]), int(state["plan_count"]), rows, epics, claims
    )
    table = _patched_csv(csv_data, fresh, claims, int(state["rows"]))
    if body is None or table is None:
        return None
    for n, _model in changed:
        entries[n][1] = plans[n][2]
    state["columns"] = [c.entry(epics) for c in columns]
    return Patched(tuple(body), tuple(table), entries, int(state["rows"]), state, len(changed))


def row_keys(patched: Patched) -> dict[str, str]:
    """The board's row keys (task IDs) and the plan each is in, for the drop guard."""
    return {key: e[0] for e in patched.entries for key in _split(e[3], None)}


def keys_digest(patched: Patched) -> str:
    """A hash of the board's row keys and the plans they are in (what the drop guard judges)."""
    h = hashlib.blake2b(digest_size=16)
    for entry in patched.entries:
        h.update(f"{entry[0]}\0{entry[3]}\0".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _joined(texts: Iterable[str]) -> str:
    """Lines of text as one string: JSON decodes one string much faster than 50,000."""
    return "\n".join(texts)


def _split(text: str, count: int | None) -> list[str]:
    """`_joined`'s lines again (`count`: how many, when an empty line may be one)."""
    if count == 0 or (count is None and not text):
        return []
    found = text.split("\n")
    if count is not None and len(found) != count:
        raise ValueError("a state of another layout")
    return found


@dataclass
class _Column:
    """A column of the board: its rows' IDs (and epics) and where its rows' lines are in the
    board's bytes. A row that moves is found by its ID's cell; the column's other lines are
    never split (at 50,000 rows, splitting and joining them is most of a patch): its rows
    are written as slices of the old board around the lines taken out and put in."""

    name: str
    ids: list[str]
    epics: list[str]
    data: bytes  # the whole board file
    start: int  # the first byte of the first row's line
    end: int  # the byte after the last row's newline (start == end: no rows)
    stored: list[Any]  # the state's entry of the column, while no row moves
    removed: list[tuple[int, int]] = field(default_factory=list)  # lines' byte ranges
    inserted: dict[str, bytes] = field(default_factory=dict)  # ID -> its line and newline
    # Where the last row was found: rows are looked for in the board's order (a plan's
    # rows are near each other), each search going on from there; and every row found.
    cursor: int = 0
    found: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def moved(self) -> bool:
        return bool(self.removed or self.inserted)

    def locate(self, task_id: str) -> tuple[int, int] | None:
        """The byte range of the row of `task_id` (its line and newline); None: not here."""
        if self.end <= self.start:
            return None
        known = self.found.get(task_id)
        if known is not None:
            return known
        needle = f"\n| {md_cell(task_id)} |".encode()
        resume = max(self.cursor, self.start)
        at = self.data.find(needle, resume - 1, self.end)
        if at < 0 and resume > self.start:  # before where the last one was: from the top
            at = self.data.find(needle, self.start - 1, resume - 1 + len(needle))
        if at < 0:
            return None
        self.cursor = at + 1
        found = self.found[task_id] = (at + 1, self.data.find(b"\n", at + 1, self.end) + 1)
        return found

    def holds(self, task_id: str, line: bytes) -> bool:
        """Whether the row of `task_id` reads `line` (without its newline)."""
        found = self.locate(task_id)
        return found is not None and self.data[found[0] : found[1] - 1] == line

    def remove(self, task_id: str) -> bool:
        """Take the row of `task_id` out; False when it is not here exactly once."""
        found = self.locate(task_id) if self.ids.count(task_id) == 1 else None
        if found is None:
            return False
        at = self.ids.index(task_id)
        del self.ids[at], self.epics[at]
        self.removed.append(found)
        return True

    def insert(self, row: BoardRow, line: bytes, epics: bool) -> None:
        keys: Any
        wanted: tuple[Any, ...]
        if epics:
            keys = _EpicKeys(self.ids, self.epics)
            wanted = (natural_key(row.epic or row.id), row.epic != "", natural_key(row.id))
        else:
            keys = _Keys(self.ids)
            wanted = (False, natural_key(row.id))
        at = bisect.bisect_left(keys, wanted)
        self.ids.insert(at, row.id)
        self.epics.insert(at, row.epic)
        self.inserted[row.id] = line + b"\n"

    def pieces(self) -> list[Piece] | None:
        """The column's row lines, each with its newline, as slices of the old board and new
        lines; None when a row that stays cannot be found."""
        view = memoryview(self.data)
        if not self.moved:
            return [view[self.start : self.end]] if self.end > self.start else []
        # (offset in the old board, 0 = put a line before it / 1 = drop up to, order, line)
        events: list[tuple[int, int, int, bytes]] = [
            (begin, 1, after, b"") for begin, after in self.removed
        ]
        # Each new line goes before the row that follows it and stays (or at the end).
        for n in sorted(self.ids.index(task_id) for task_id in self.inserted):
            following = n + 1
            while following < len(self.ids) and self.ids[following] in self.inserted:
                following += 1
            if following == len(self.ids):
                events.append((self.end, 0, n, self.inserted[self.ids[n]]))
                continue
            found = self.locate(self.ids[following])
            if found is None:
                return None
            events.append((found[0], 0, n, self.inserted[self.ids[n]]))
        events.sort()
        pieces: list[Piece] = []
        at = self.start
        for offset, kind, extra, line in events:
            if offset > at:
                pieces.append(view[at:offset])
            if kind == 0:
                pieces.append(line)
                at = max(at, offset)
            else:
                at = extra
        if self.end > at:
            pieces.append(view[at : self.end])
        return pieces

    def entry(self, epics: bool) -> list[Any]:
        if not self.moved:
            return self.stored
        return [self.name, len(self.ids), _joined(self.ids), _joined(self.epics) if epics else None]


class _Keys:
    """The sort keys of a column's rows, as `board_rows` orders them (tasks without IDs last)."""

    def __init__(self, ids: list[str]):
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, n: int) -> tuple[Any, ...]:
        task_id = self.ids[n]
        return (not task_id, natural_key(task_id))


class _EpicKeys(_Keys):
    """The keys of a column grouped by epic (charter.board.render._grouped_by_epic)."""

    def __init__(self, ids: list[str], epics: list[str]):
        super().__init__(ids)
        self.epics = epics

    def __getitem__(self, n: int) -> tuple[Any, ...]:
        task_id, epic = self.ids[n], self.epics[n]
        return (natural_key(epic or task_id), epic != "", natural_key(task_id))


def _sections(data: bytes, stored: Sequence[list[Any]]) -> list[_Column] | None:
    """Each column's rows in the board's bytes (after its stamp line), where the state says
    they are; None when the board is not laid out so. (The bytes are the ones the state was
    saved with, their hash checked: what is checked here is the state's reading of them.)"""
    heads: list[int] = []
    at = data.find(b"\n")  # the end of the stamp line
    for name, count, _ids, _epics in stored:
        at = data.find(f"\n## {name} ({count})\n".encode(), at) if at >= 0 else -1
        if at < 0:
            return None
        heads.append(at)
    found: list[_Column] = []
    for n, entry in enumerate(stored):
        name, count, joined_ids, joined_epics = entry
        ids = _split(joined_ids, count)
        epics = _split(joined_epics, count) if joined_epics is not None else None
        start = heads[n] + len(f"\n## {name} ({count})\n".encode())  # the blank line under it
        if ids:
            rule_end = data.find(b"\n", data.find(b"\n", start + 1) + 1)
            # The rows end where the next heading's blank line begins (or the file ends).
            end = heads[n + 1] - 1 if n + 1 < len(heads) else len(data) - 1
            first = f"| {md_cell(ids[0])} |".encode()
            last = data.rfind(b"\n", rule_end, end) + 1  # the last row's line
            if (
                not data.startswith(b"\n| ID |", start)
                or not data.startswith(first, rule_end + 1)
                or not data.startswith(f"| {md_cell(ids[-1])} |".encode(), last)
                or data[end : end + 1] != b"\n"
            ):
                return None
            begin, after = rule_end + 1, end + 1
        else:
            if not data.startswith(b"\n_No tasks._\n", start):
                return None
            begin = after = 0
        column = _Column(name, list(ids), list(epics or [""] * len(ids)), data, begin, after, entry)
        found.append(column)
    return found


def _moving(
    columns: list[_Column], fresh: Sequence[BoardRow], lines: Mapping[str, bytes]
) -> list[BoardRow]:
    """The rows of `fresh` whose line or column changed: a row that reads as it did stays
    where it is (an edit of one task leaves its plan's other rows, in every column, as they
    were: their columns' bytes are then copied as they are)."""
    by_id = {r.id: r for r in fresh}
    staying: set[str] = set()
    for column in columns:
        if by_id.keys().isdisjoint(column.ids):
            continue
        for task_id in [i for i in column.ids if i in by_id]:
            if by_id[task_id].column == column.name and column.holds(task_id, lines[task_id]):
                staying.add(task_id)
    return [r for r in fresh if r.id not in staying]


def _remove(columns: list[_Column], ids: set[str]) -> bool:
    """Take the rows of `ids` out of their columns; False when one is not where expected."""
    left = set(ids)
    for column in columns:
        if left.isdisjoint(column.ids):
            continue
        for task_id in [i for i in column.ids if i in left]:
            if not column.remove(task_id):
                return False
            left.discard(task_id)
    return not left


def _patched_csv(
    data: bytes, fresh: Sequence[BoardRow], claims: bool, rows: int
) -> list[Piece] | None:
    """The CSV with the lines of `fresh`'s IDs replaced (rows keep their places: the CSV is
    ordered by ID alone, and the IDs did not change), as slices of the old CSV and new lines."""
    if data.count(b"\n") != rows + 1:  # a cell spanning lines: find nothing by line
        return None
    view = memoryview(data)
    pieces: list[Piece] = []
    start = done = 0  # where the last search found a line, and where the last line ended
    # In the CSV's own order, so that each search starts where the last one ended; the
    # lines between are sliced, never split.
    for r in sorted(fresh, key=lambda r: natural_key(r.id)):
        start = data.find(("\n" + _csv_line((r.id,))[:-1] + ",").encode(), start)
        if start < done:  # not found, or the line just replaced (an ID twice)
            return None
        end = data.find(b"\n", start + 1)
        pieces += [view[done : start + 1], _csv_line(csv_cells(r, claims))[:-1].encode()]
        done = len(data) if end < 0 else end
    pieces.append(view[done:])
    return pieces


def _csv_line(cells: Sequence[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow(cells)
    return out.getvalue()
