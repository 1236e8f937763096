"""`charter reconcile`: the plans against a board and CSV that people kept by hand.

Before `charter board` takes a board over, whatever only the board knows must
move into the plans. `reconcile` reports, each with file and line:

    RC001  a board row charter cannot read exactly (shape, joined records)
    RC002  a task the plans define that the board does not list
    RC003  a board row whose task no plan defines
    RC004  a board column or status that disagrees with the plans
    RC005  a fact on the board (owner, deliverable, notes, ...) the plan lacks
    RC006  a fact on the board that differs from the plan's
    RC007  a fact that cannot be moved (a table without that column, a task without an ID)
    RC008  a board plan link naming another file than the task's plan

A row is matched to its task by ID; a row without one (charter's own board
lists tasks without IDs) by its plan link. `charter.reconcile.write.apply`
(`--write`) moves every RC005 fact into its plan and writes the RC003 rows as
tasks of a new plan; it never changes a status and never overwrites a value a
plan already has: those stay findings for a person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from charter.errors import CharterError
from charter.files import relpath
from charter.model import Diagnostic, Field, Severity, Task
from charter.parse.tables import is_separator_row, split_row
from charter.parse.task_parts import parse_evidence, parse_ids
from charter.reconcile.board_table import (
    BoardRead,
    BoardRow,
    column_meaning,
    read_board_csv,
    read_board_markdown,
)
from charter.repo import RepoModel
from charter.status import column_of

# Canonical field -> the name written into a plan.
FIELD_NAMES = {
    "owner": "Owner",
    "deliverable": "Deliverable",
    "notes": "Notes",
    "priority": "Priority",
    "acceptance": "Acceptance",
    "depends": "Depends",
    "level": "Level",
    "files": "Files",
    "evidence": "Evidence",
    "updated": "Updated",
    "blocked_reason": "Blocked reason",
}
_NOT_FACTS = {"id", "title", "column", "status", "plan"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Move:
    task_id: str
    plan: str
    name: str  # field name to write
    meaning: str | None  # canonical field, None for a column charter does not know
    value: str
    row: BoardRow


@dataclass
class Reconciliation:
    boards: list[str]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    orphans: list[BoardRow] = field(default_factory=list)


def read_boards(repo: RepoModel, paths: Sequence[Path] = ()) -> list[BoardRead]:
    """The given board files, or the configured board and CSV when they exist."""
    config = repo.config
    if not paths:
        paths = [
            p for p in (config.path(config.board), config.path(config.board_csv)) if p.is_file()
        ]
        if not paths:
            raise CharterError(
                f"no board to reconcile: neither {config.board} nor "
                f"{config.board_csv} exists; name one with --board",
                config.source,
            )
    reads = []
    for path in paths:
        rel = relpath(repo.root, path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CharterError(f"cannot read board: {exc.strerror}", rel) from exc
        reader = read_board_csv if path.suffix.lower() == ".csv" else read_board_markdown
        reads.append(reader(rel, data, config))
    return reads


def reconcile(repo: RepoModel, boards: list[BoardRead]) -> Reconciliation:
    config = repo.config
    index = repo.task_index()
    result = Reconciliation([b.path for b in boards])
    texts: dict[str, list[str]] = {}
    orphan_ids: set[str] = set()
    for board in boards:
        result.diagnostics.extend(board.problems)
        listed: dict[object, BoardRow] = {}
        for row in board.rows:
            if not row.id:
                _compare_unnamed(repo, row, texts, result)
                continue
            tasks = index.get(row.id)
            # A task ID the plans define twice is told apart by the row's plan link.
            title = row.get("title")
            key: object = (
                (row.id, link_target(row), norm_value(title[1] if title else ""))
                if tasks and len(tasks) > 1
                else row.id
            )
            if key in listed:
                result.diagnostics.append(
                    Diagnostic(
                        row.path,
                        row.line,
                        1,
                        "RC001",
                        f"{row.id} is listed twice on the board (first at line "
                        f"{listed[key].line}); this row is not compared",
                        "warning",
                    )
                )
                continue
            listed[key] = row
            if not tasks:
                result.diagnostics.append(
                    Diagnostic(
                        row.path,
                        row.line,
                        _col(row, "id"),
                        "RC003",
                        f"{row.id} is on the board but no plan defines it",
                    )
                )
                if row.id not in orphan_ids:
                    orphan_ids.add(row.id)
                    result.orphans.append(row)
                continue
            speaker = repo.resolution.winners.get(row.id)
            _compare(repo, row, _pick(row, tasks, speaker), texts, result)
        ids = {row.id for row in listed.values()}
        for task_id, tasks in index.items():
            if task_id not in ids:
                task = tasks[0]
                result.diagnostics.append(
                    Diagnostic(
                        task.path,
                        task.line,
                        task.col,
                        "RC002",
                        f"{task_id} ({column_of(task, config)}) is not on the board {board.path}",
                    )
                )
    result.diagnostics.sort()
    return result


def takeover_note(result: Reconciliation) -> str | None:
    """What stands between the board and `charter board` taking it over, in one sentence;
    None while facts still wait to be moved (`--write` moves them)."""
    if result.moves or result.orphans:
        return None
    stuck = sum(1 for d in result.diagnostics if d.code == "RC007")
    if stuck:
        return (
            f"{stuck} fact(s) are only on the board and cannot move (RC007): give each a "
            "place (an ID, a column), then rerun; `charter board` would drop them"
        )
    return "nothing is only on the board; `charter board` can take it over"


def _col(row: BoardRow, meaning: str) -> int:
    found = row.get(meaning)
    return max(row.cols.get(found[0], 1), 1) if found else 1


def board_status(row: BoardRow) -> tuple[str, str] | None:
    """(header, text) of what the board says about the row's column: a cell, else the heading."""
    for meaning in ("column", "status"):
        found = row.get(meaning)
        if found and found[1]:
            return found
    return ("heading", row.heading) if row.heading else None


def _compare_unnamed(
    repo: RepoModel, row: BoardRow, texts: dict[str, list[str]], result: Reconciliation
) -> None:
    """A row without an ID: the task its plan link points at (path and line, or title)."""
    target = link_target(row)
    title = row.get("title")
    found = None
    if target is not None:
        plan = next((p for p in repo.plans if p.path == target[0]), None)
        candidates = list(plan.walk()) if plan is not None else []
        found = next((t for t in candidates if t.line == target[1]), None)
        if found is None and title:
            found = next(
                (t for t in candidates if norm_value(t.title) == norm_value(title[1])), None
            )
    if found is None:
        result.diagnostics.append(
            Diagnostic(
                row.path,
                row.line,
                1,
                "RC001",
                "a row without a task ID or a plan link to a task: it is not compared",
                "warning",
            )
        )
        return
    _compare(repo, row, found, texts, result)


def _disagrees(
    row: BoardRow, column: int, message: str, severity: Severity = "error"
) -> Diagnostic:
    """RC004 at the board row's cell: the board and the plans disagree."""
    return Diagnostic(row.path, row.line, column, "RC004", message, severity)


def _compare(
    repo: RepoModel, row: BoardRow, task: Task, texts: dict[str, list[str]], result: Reconciliation
) -> None:
    config = repo.config
    label = row.id or f"{task.path}:{task.line}"
    said = board_status(row)
    if said is not None:
        column = config.column_for_status(said[1])
        where = max(row.cols.get(said[0], 1), 1)
        mine = column_of(task, config)
        if column is None and said[0] != "heading":
            message = f"{label}: board says {said[1]!r}, which maps to no column"
            result.diagnostics.append(_disagrees(row, where, message, "warning"))
        elif column is not None and column != mine:
            message = (
                f"{label} is {column} ({said[1]!r}) on the board but {mine} in the plans "
                f"({task.path}:{task.line})"
            )
            result.diagnostics.append(_disagrees(row, where, message))
    for header, value in row.values.items():
        meaning = column_meaning(header)
        if meaning == "parent":
            # Where a task sits in its plan is structure, not a fact a field can carry.
            if value.strip() != (task.parent or ""):
                where = max(row.cols.get(header, 1), 1)
                mine = task.parent or "no epic"
                message = (
                    f"{label} is under {value.strip()!r} on the board but under {mine} in "
                    f"the plans ({task.path}:{task.line}); move it in its plan"
                )
                result.diagnostics.append(_disagrees(row, where, message))
            continue
        if not value or meaning in _NOT_FACTS:
            if meaning == "plan" and value:
                _check_link(row, header, value, task, result)
            continue
        name = FIELD_NAMES.get(meaning or "", header)
        if meaning == "depends":
            have = ", ".join(task.depends) or task.value("depends")
        elif meaning == "updated" and not task.value("updated"):
            # "Done - 2025-12-22": the date in a status is when the task was updated.
            dated = _DATE.search(task.status or "")
            have = dated.group(0) if dated else None
        else:
            have = task.value(meaning) if meaning else raw_value(repo, task, header, texts)
        at = (row.path, row.line, max(row.cols.get(header, 1), 1))
        if have is None or have == "":
            if not row.id:
                result.diagnostics.append(
                    Diagnostic(
                        *at,
                        "RC007",
                        f"{label}: {header} {short(value)} cannot move: "
                        "the task has no ID; give it one, then rerun",
                    )
                )
                continue
            if task.kind == "table" and not _table_has(repo, task, header, meaning, texts):
                result.diagnostics.append(
                    Diagnostic(
                        *at,
                        "RC007",
                        f"{label}: {header} {short(value)} cannot move: the table holding the "
                        f"task ({task.path}:{task.line}) has no {header} column; add one, rerun",
                    )
                )
                continue
            twin = next(
                (m for m in result.moves if m.task_id == row.id and m.name.lower() == name.lower()),
                None,
            )
            if twin is not None and norm_value(twin.value) != norm_value(value):
                result.diagnostics.append(
                    Diagnostic(
                        *at,
                        "RC006",
                        f"{label}: {header} is {short(value)} here but {short(twin.value)} at "
                        f"{twin.row.path}:{twin.row.line}; only that one is moved",
                        "warning",
                    )
                )
                continue
            if twin is None:
                result.moves.append(Move(row.id, task.path, name, meaning, value, row))
            result.diagnostics.append(
                Diagnostic(
                    *at,
                    "RC005",
                    f"{label}: {header} {short(value)} is only on the board; "
                    "`charter reconcile --write` moves it into " + task.path,
                    "warning",
                )
            )
        elif not _same(meaning, have, value, repo, row.path.rpartition("/")[0]):
            result.diagnostics.append(
                Diagnostic(
                    *at,
                    "RC006",
                    f"{label}: {header} is {short(value)} on the board but {short(have)} in "
                    f"{task.path}:{task.line}",
                    "warning",
                )
            )


def short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def norm_value(text: str) -> str:
    return " ".join(text.replace("<br>", " ").split()).strip("`*_ ").lower()


def link_target(row: BoardRow) -> tuple[str, int | None] | None:
    """The plan file (relative to the repository) and line a row's plan-link cell points at."""
    found = row.get("plan")
    if not found or not found[1]:
        return None
    link = _LINK.search(found[1])
    target = (link.group(1) if link else found[1]).strip("`<> ")
    target, _, anchor = target.partition("#")
    line = int(anchor[1:]) if re.fullmatch(r"L\d+", anchor) else None
    if line is None and re.search(r":\d+$", target):
        target, number = target.rsplit(":", 1)
        line = int(number)
    if not target:
        return None
    if target.startswith("../") or target.startswith("./"):
        board_dir = row.path.rsplit("/", 1)[0] if "/" in row.path else ""
        return _join(board_dir, target), line
    return _join("", target), line


def _pick(row: BoardRow, tasks: list[Task], speaker: Task | None = None) -> Task:
    """Of the tasks sharing the row's ID, the one its plan link names; where the link does
    not tell them apart, the mention that speaks for the task (charter.mentions), which is
    the one charter's own board shows."""
    target = link_target(row)
    title = row.get("title")
    wanted = norm_value(title[1]) if title else None
    ranked = sorted(
        tasks,
        key=lambda t: (
            target is None or t.path != target[0],
            target is None or target[1] != t.line,
            wanted is None or norm_value(t.title) != wanted,
            t is not speaker,
        ),
    )
    return ranked[0]


def _same(meaning: str | None, have: str, value: str, repo: RepoModel, board_dir: str) -> bool:
    if meaning == "depends":
        return set(parse_ids(have, repo.config)) == set(parse_ids(value, repo.config))
    if meaning == "evidence":
        # The board agrees when every path it names is in the plan's evidence text; it may
        # link a path relative to itself (../../out/x.json for out/x.json).
        board = [e.path for e in parse_evidence(Field("evidence", value, 0, 0, 0))]
        return bool(board) and all(
            any(c and c in have for c in (b, _join("", b), _join(board_dir, b))) for b in board
        )
    return norm_value(have) == norm_value(value)


def _check_link(row: BoardRow, header: str, value: str, task: Task, result: Reconciliation) -> None:
    target = link_target(row)
    if target is None:
        return
    if task.path != target[0]:
        result.diagnostics.append(
            Diagnostic(
                row.path,
                row.line,
                max(row.cols.get(header, 1), 1),
                "RC008",
                f"{row.id or task.path}: the board links {target[0]!r} but the task is in "
                f"{task.path}",
                "warning",
            )
        )


def _join(base: str, target: str) -> str:
    if target.startswith("/"):
        return target
    parts = [p for p in base.split("/") if p]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _lines(repo: RepoModel, path: str, texts: dict[str, list[str]]) -> list[str]:
    if path not in texts:
        try:
            texts[path] = (repo.root / path).read_bytes().decode("utf-8", "replace").splitlines()
        except OSError:
            texts[path] = []
    return texts[path]


def task_span(lines: list[str], task: Task) -> range:
    """0-based lines of a checklist task's own item: its line and the deeper-indented ones."""
    start = task.line - 1
    indent = len(lines[start]) - len(lines[start].lstrip()) if start < len(lines) else 0
    end = start + 1
    while end < len(lines):
        line = lines[end]
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return range(start, end)


def raw_value(repo: RepoModel, task: Task, header: str, texts: dict[str, list[str]]) -> str | None:
    """The value of a field charter does not model (`- Effort: 3d`), read from the task's lines."""
    lines = _lines(repo, task.path, texts)
    if task.kind == "table":
        cells = table_cells(lines, task)
        return cells.get(header.strip().lower()) if cells else None
    wanted = re.compile(
        rf"^\s*(?:>\s*)*[-*+]\s+(?:\*\*)?{re.escape(header.strip())}(?:\*\*)?\s*:"
        r"(?:\*\*)?\s*(?P<value>.*)$",
        re.I,
    )
    for number in task_span(lines, task):
        match = wanted.match(lines[number])
        if match:
            return match.group("value").strip()
    return None


def table_cells(lines: list[str], task: Task) -> dict[str, str] | None:
    """Header name (lower case) -> cell text of a table task's row."""
    row = task.line - 1
    sep = row - 1
    while sep > 0 and not is_separator_row(lines[sep]):
        sep -= 1
    if sep <= 0:
        return None
    names = [c.text.strip().strip("*_`").strip().lower() for c in split_row(lines[sep - 1])]
    cells = [c.text.strip() for c in split_row(lines[row])]
    return {n: cells[i] if i < len(cells) else "" for i, n in enumerate(names)}


def _table_has(
    repo: RepoModel, task: Task, header: str, meaning: str | None, texts: dict[str, list[str]]
) -> bool:
    if meaning is not None and task.field(meaning) is not None:
        return True
    cells = table_cells(_lines(repo, task.path, texts), task)
    return cells is not None and header.strip().lower() in cells
