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
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from charter.board.fastmd import RowBlock, RowWriter, assemble, ordered_columns
from charter.board.memo import sha
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


@dataclass(frozen=True)
class Patched:
    """The board after the edits: both bodies, the row keys, and the state to keep."""

    markdown: str  # without its stamp line
    csv: str
    entries: list[list[Any]]  # the state's plans, with each plan's row keys
    rows: int
    state: dict[str, Any]
    parsed: int  # plans parsed (the ones that changed)
    # Patched from the board on disk (else from a copy of the last board charter wrote: the
    # board on disk is then another, to be inspected before it is replaced).
    from_disk: bool = True


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
    old: Mapping[str, str | None],
) -> Patched | None:
    """The board after the plans' edits, from the last state and the board on disk; None
    when this regeneration needs a full one (see the module's docstring)."""
    on_disk = old[config.board]
    if on_disk is None:
        return None
    state = load_state(config, sha(on_disk))
    texts = old
    if state is None:  # a board written elsewhere (a pull): from the last one charter wrote
        last = last_board(config)
        if last is None:
            return None
        state, texts = last.state, {config.board: last.markdown, config.board_csv: last.csv}
    if state.get("base") != base:
        return None
    try:
        patched = _patch(config, state, plans, claimed, texts)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None  # a state of another layout: regenerate in full
    if patched is None or texts is old:
        return patched
    return replace(patched, from_disk=False)


def _patch(
    config: Config,
    state: dict[str, Any],
    plans: Sequence[PlanRead],
    claimed: Mapping[str, tuple[str, str]],
    old: Mapping[str, str | None],
) -> Patched | None:
    md_text, csv_text = old[config.board], old[config.board_csv]
    files = state["files"]
    if md_text is None or csv_text is None:
        return None
    if files.get(config.board) != sha(md_text) or files.get(config.board_csv) != sha(csv_text):
        return None  # not what charter wrote last (edited, restored, another branch's)
    entries: list[list[Any]] = state["plans"]
    if [e[0] for e in entries] != [rel for rel, _, _ in plans]:
        return None
    changed: list[tuple[int, Plan]] = []
    pieces: list[tuple[str, EditedPiece]] = []  # big plans a task edit changed in one piece
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
            pieces.append((rel, piece))
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
    columns = _sections(md_text, state["columns"])
    if columns is None:
        return None
    for shift in shifts(config, pieces, md_text):  # the rows below an edited piece
        for section in columns:
            section.block = shift.apply(section.block)
    epics, claims = bool(state["epics"]), bool(state["claims"])
    if any(bool(r.claimed_by) for r in fresh) and not claims:
        return None
    writer = RowWriter(config, epics, claims)
    lines = {r.id: writer.line(r) for r in fresh}
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
    body = assemble(
        config,
        int(state["rows"]),
        int(state["plan_count"]),
        {c.name: c.rows() for c in columns},
        epics,
        claims,
    )
    table = _patched_csv(csv_text, fresh, claims, int(state["rows"]))
    if table is None:
        return None
    for n, _model in changed:
        entries[n][1] = plans[n][2]
    state["columns"] = [c.entry(epics) for c in columns]
    return Patched(body, table, entries, int(state["rows"]), state, len(changed))


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
    """A column of the board: its rows' IDs (and epics), and their lines, as one text while
    no row of it moves (at 50,000 rows, splitting every column into lines and joining them
    again is most of a patch), as lines once one does."""

    name: str
    ids: list[str]
    epics: list[str]
    block: str  # the rows' lines as the board holds them, joined by newlines
    stored: list[Any]  # the state's entry of the column, while no row moves
    lines: list[str] | None = None

    def touched(self) -> list[str]:
        if self.lines is None:
            self.lines = self.block.split("\n") if self.ids else []
            if len(self.lines) != len(self.ids):
                raise ValueError("a state of another board")  # patch_board: the full path
        return self.lines

    def rows(self) -> list[str] | RowBlock:
        return self.lines if self.lines is not None else RowBlock(self.block, len(self.ids))

    def entry(self, epics: bool) -> list[Any]:
        if self.lines is None:
            return self.stored
        return [self.name, len(self.ids), _joined(self.ids), _joined(self.epics) if epics else None]

    def insert(self, row: BoardRow, line: str, epics: bool) -> None:
        keys: Any
        wanted: tuple[Any, ...]
        if epics:
            keys = _EpicKeys(self.ids, self.epics)
            wanted = (natural_key(row.epic or row.id), row.epic != "", natural_key(row.id))
        else:
            keys = _Keys(self.ids)
            wanted = (False, natural_key(row.id))
        at = bisect.bisect_left(keys, wanted)
        lines = self.touched()
        self.ids.insert(at, row.id)
        self.epics.insert(at, row.epic)
        lines.insert(at, line)


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


def _sections(text: str, stored: Sequence[list[Any]]) -> list[_Column] | None:
    """Each column's rows in the board's text (after its stamp line), where the state says
    they are; None when the text is not laid out so. (The text is the one the state was
    saved with, its hash checked: what is checked here is the state's reading of it.)"""
    heads: list[int] = []
    at = text.find("\n")  # the end of the stamp line
    for name, count, _ids, _epics in stored:
        at = text.find(f"\n## {name} ({count})\n", at) if at >= 0 else -1
        if at < 0:
            return None
        heads.append(at)
    found: list[_Column] = []
    for n, entry in enumerate(stored):
        name, count, joined_ids, joined_epics = entry
        ids = _split(joined_ids, count)
        epics = _split(joined_epics, count) if joined_epics is not None else None
        start = heads[n] + len(f"\n## {name} ({count})\n")  # the blank line under it
        if ids:
            rule_end = text.find("\n", text.find("\n", start + 1) + 1)
            # The rows end where the next heading's blank line begins (or the text ends).
            end = heads[n + 1] - 1 if n + 1 < len(heads) else len(text) - 1
            first = f"| {md_cell(ids[0])} |"
            last = text.rfind("\n", rule_end, end) + 1  # the last row's line
            if (
                not text.startswith("\n| ID |", start)
                or not text.startswith(first, rule_end + 1)
                or not text.startswith(f"| {md_cell(ids[-1])} |", last)
                or text[end] != "\n"
            ):
                return None
            block = text[rule_end + 1 : end]
        else:
            if not text.startswith("\n_No tasks._\n", start):
                return None
            block = ""
        found.append(_Column(name, list(ids), list(epics or [""] * len(ids)), block, entry))
    return found


def _moving(
    columns: list[_Column], fresh: Sequence[BoardRow], lines: Mapping[str, str]
) -> list[BoardRow]:
    """The rows of `fresh` whose line or column changed: a row that reads as it did stays
    where it is (an edit of one task leaves its plan's other rows, in every column, as they
    were: their columns are then never split into lines)."""
    by_id = {r.id: r for r in fresh}
    staying: set[str] = set()
    for column in columns:
        if by_id.keys().isdisjoint(column.ids):
            continue
        for task_id in [i for i in column.ids if i in by_id]:
            if by_id[task_id].column == column.name and _holds_line(column.block, lines[task_id]):
                staying.add(task_id)
    return [r for r in fresh if r.id not in staying]


def _holds_line(block: str, line: str) -> bool:
    """Whether `line` is one of the lines of `block` (lines joined by newlines)."""
    at = block.find(line)
    while at >= 0:
        end = at + len(line)
        if (at == 0 or block[at - 1] == "\n") and (end == len(block) or block[end] == "\n"):
            return True
        at = block.find(line, at + 1)
    return False


def _remove(columns: list[_Column], ids: set[str]) -> bool:
    """Take the rows of `ids` out of their columns; False when one is not where expected."""
    left = set(ids)
    for column in columns:
        if left.isdisjoint(column.ids):
            continue
        at = [n for n, task_id in enumerate(column.ids) if task_id in left]
        lines = column.touched()
        for n in reversed(at):
            task_id = column.ids[n]
            if not lines[n].startswith(f"| {md_cell(task_id)} |"):
                return False
            del column.ids[n], column.epics[n], lines[n]
            left.discard(task_id)
    return not left


def _patched_csv(text: str, fresh: Sequence[BoardRow], claims: bool, rows: int) -> str | None:
    """The CSV with the lines of `fresh`'s IDs replaced (rows keep their places: the CSV is
    ordered by ID alone, and the IDs did not change)."""
    if text.count("\n") != rows + 1:  # a cell spanning lines: find nothing by line
        return None
    pieces: list[str] = []
    start = done = 0  # where the last search found a line, and where the last line ended
    # In the CSV's own order, so that each search starts where the last one ended; the
    # lines between are sliced, never split.
    for r in sorted(fresh, key=lambda r: natural_key(r.id)):
        start = text.find("\n" + _csv_line((r.id,))[:-1] + ",", start)
        if start < done:  # not found, or the line just replaced (an ID twice)
            return None
        end = text.find("\n", start + 1)
        pieces += [text[done : start + 1], _csv_line(csv_cells(r, claims))[:-1]]
        done = len(text) if end < 0 else end
    pieces.append(text[done:])
    return "".join(pieces)


def _csv_line(cells: Sequence[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow(cells)
    return out.getvalue()
