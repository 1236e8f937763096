"""`charter reconcile --write`: moving what only the board knows into the plans.

A fact (owner, deliverable, notes, any other column) goes under its checklist
task as a new field bullet, after the task's last field, indented like its
other fields; a table task gets the fact in its empty cell. Nothing else in
the file changes: other lines, line endings and the rest of each line stay
byte-identical. Each edited plan is parsed again before it is written, and a
fact that would not read back as the board had it leaves that plan untouched.
Rows whose task no plan defines become tasks of a new plan, `from-board.md`.
"""

from __future__ import annotations

import re

from charter.errors import CharterError
from charter.files import relpath
from charter.importers.writer import PlanSpec, TaskSpec, read_back, render_plan, render_task
from charter.io import locked, read_text, write_text_atomic
from charter.model import Diagnostic, Task
from charter.parse.plans import parse_plan
from charter.parse.tables import is_separator_row, split_row
from charter.reconcile.board_table import BoardRow, column_meaning
from charter.reconcile.compare import (
    FIELD_NAMES,
    Move,
    Reconciliation,
    board_status,
    norm_value,
    raw_value,
    short,
    table_cells,
)
from charter.repo import RepoModel
from charter.tasks import edit

_BULLET_PREFIX = re.compile(r"^(\s*(?:>\s*)*[-*+][ \t]+)")
_BLOCK_START = re.compile(r"^\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)|^\s{0,3}(?:#|```|~~~)")


def apply(repo: RepoModel, result: Reconciliation) -> tuple[list[str], list[Diagnostic]]:
    """Move the board-only facts into the plans and the orphan rows into a new plan.

    Fields charter knows go through `charter.tasks.edit.set_field` (one lossless,
    read-back-checked edit each); columns it does not know (`Effort`) are
    written here the same way. Returns the files written and the moves that
    could not be made.
    """
    written: set[str] = set()
    problems: list[Diagnostic] = []
    by_plan: dict[str, list[Move]] = {}
    for move in result.moves:
        if move.meaning in edit.DISPLAY_NAMES and move.meaning != "status":
            try:
                path = edit.set_field(
                    repo.config, move.task_id, move.meaning, _cell_text(move.value)
                )
            except CharterError as exc:
                problems.append(
                    Diagnostic(
                        move.row.path,
                        move.row.line,
                        1,
                        "RC007",
                        f"{move.task_id}: {move.name} not moved: {exc}",
                    )
                )
                continue
            written.add(relpath(repo.root, path))
        else:
            by_plan.setdefault(move.plan, []).append(move)
    for plan_path, moves in sorted(by_plan.items()):
        if _edit_plan(repo, plan_path, moves, problems):
            written.add(plan_path)
    if result.orphans:
        written.add(_write_orphans(repo, result.orphans))
    return sorted(written), problems


def _cell_text(value: str) -> str:
    return "<br>".join(p.strip() for p in value.replace("\r\n", "\n").split("\n") if p.strip())


def _edit_plan(
    repo: RepoModel, plan_path: str, moves: list[Move], problems: list[Diagnostic]
) -> bool:
    config = repo.config
    path = repo.root / plan_path
    with locked(path):
        text = read_text(path)
        if text is None:
            raise CharterError("plan vanished while reconciling", plan_path)
        plan = parse_plan(plan_path, text.encode("utf-8"), config)
        tasks = {t.id: t for t in plan.walk() if t.id is not None}
        lines = text.splitlines(keepends=True)
        newline = "\r\n" if "\r\n" in text else "\n"
        inserts: dict[int, list[str]] = {}
        for move in moves:
            task = tasks.get(move.task_id)
            if task is None:
                problems.append(
                    Diagnostic(
                        move.row.path,
                        move.row.line,
                        1,
                        "RC007",
                        f"{move.task_id} is no longer in {plan_path}",
                    )
                )
            elif task.kind == "table":
                _fill_cell(lines, task, move, problems)
            else:
                at, prefix = _insertion(lines, task)
                entry = f"{prefix}{move.name}: {_cell_text(move.value)}{newline}"
                inserts.setdefault(at, []).append(entry)
        for at in sorted(inserts, reverse=True):
            lines[at:at] = inserts[at]
        new = "".join(lines)
        if new == text:
            return False
        if not _reads_back(repo, plan_path, new, moves, problems):
            return False
        write_text_atomic(path, new)
    return True


def _insertion(lines: list[str], task: Task) -> tuple[int, str]:
    """Where a new field bullet goes (0-based line) and the prefix it is written with."""
    own = [f for f in task.fields if f.line > task.line]
    if own:
        anchor = max(f.line for f in own) - 1
        first = lines[min(f.line for f in own) - 1]
        match = _BULLET_PREFIX.match(first)
        prefix = match.group(1) if match else "  - "
    else:
        anchor = task.line - 1
        raw = lines[anchor].rstrip("\r\n")
        prefix = re.sub(r"[^>\s]", " ", raw[: task.col - 1]) + "- "
    # Past the anchor's continuation lines (a wrapped field value or item text).
    while (
        anchor + 1 < len(lines)
        and lines[anchor + 1].strip()
        and not _BLOCK_START.match(lines[anchor + 1])
    ):
        anchor += 1
    return anchor + 1, prefix


def _fill_cell(lines: list[str], task: Task, move: Move, problems: list[Diagnostic]) -> None:
    index = task.line - 1
    ending = lines[index][len(lines[index].rstrip("\r\n")) :]
    raw = lines[index][: len(lines[index]) - len(ending)]
    cells = split_row(raw)
    target = None
    f = task.field(move.meaning) if move.meaning else None
    if f is not None:
        target = next((c for c in cells if c.start <= f.start <= c.start + len(c.text)), None)
    else:
        header = _table_header(lines, task)
        wanted = move.row.get(move.meaning) if move.meaning else None
        name = (
            wanted[0]
            if wanted
            else next(
                (h for h in move.row.values if column_meaning(h) is None and h == move.name),
                move.name,
            )
        )
        if header is not None and name.strip().lower() in header:
            column = header.index(name.strip().lower())
            target = cells[column] if column < len(cells) else None
    if target is None or target.text.strip():
        problems.append(
            Diagnostic(
                move.row.path,
                move.row.line,
                1,
                "RC007",
                f"{move.task_id}: no empty {move.name} cell in {task.path}:"
                f"{task.line} to move {short(move.value)} into",
            )
        )
        return
    value = re.sub(r"(?<!\\)\|", r"\\|", _cell_text(move.value))
    end = target.start + len(target.text)
    lines[index] = raw[: target.start] + f" {value} " + raw[end:] + ending


def _table_header(lines: list[str], task: Task) -> list[str] | None:
    sep = task.line - 2
    while sep > 0 and not is_separator_row(lines[sep].rstrip("\r\n")):
        sep -= 1
    if sep <= 0:
        return None
    return [
        c.text.strip().strip("*_`").strip().lower()
        for c in split_row(lines[sep - 1].rstrip("\r\n"))
    ]


def _reads_back(
    repo: RepoModel, plan_path: str, new: str, moves: list[Move], problems: list[Diagnostic]
) -> bool:
    """Every moved fact must read back from the edited plan as the board had it."""
    plan = parse_plan(plan_path, new.encode("utf-8"), repo.config)
    tasks = {t.id: t for t in plan.walk() if t.id is not None}
    lines = new.splitlines()
    ok = True
    for move in moves:
        task = tasks.get(move.task_id)
        if task is None:
            continue
        if move.meaning:
            got = task.value(move.meaning)
        elif task.kind == "table":
            got = (table_cells(lines, task) or {}).get(move.name.strip().lower())
        else:
            got = raw_value(repo, task, move.name, {plan_path: lines})
        if got is None or norm_value(got.replace("\\|", "|")) != norm_value(_cell_text(move.value)):
            problems.append(
                Diagnostic(
                    move.row.path,
                    move.row.line,
                    1,
                    "RC007",
                    f"{move.task_id}: {move.name} {short(move.value)} would "
                    f"not read back from {plan_path} as written; nothing in "
                    "that plan was changed",
                )
            )
            ok = False
    return ok


def orphan_plan_path(repo: RepoModel) -> str:
    """`from-board.md` in the folder of the first plans glob (docs/plans for the default)."""
    pattern = repo.config.plans[0] if repo.config.plans else "docs/plans/*.md"
    static = []
    for part in pattern.split("/")[:-1]:
        if any(ch in part for ch in "*?["):
            break
        static.append(part)
    return "/".join([*static, "from-board.md"])


def _write_orphans(repo: RepoModel, rows: list[BoardRow]) -> str:
    config = repo.config
    specs = []
    for row in rows:
        said = board_status(row)
        title = row.get("title")
        spec = TaskSpec(row.id, title[1] if title else "", status=said[1] if said else None)
        for header, value in row.values.items():
            meaning = column_meaning(header)
            if value and meaning not in {"id", "title", "column", "status"}:
                spec.fields.append((FIELD_NAMES.get(meaning or "", header), value))
        specs.append(spec)
    rel = orphan_plan_path(repo)
    plan = PlanSpec(
        rel,
        "from-board",
        "Tasks found only on the board",
        rows[0].path,
        intro="Written by `charter reconcile --write`: these tasks were on the "
        "hand-kept board but in no plan. Move each into the plan it belongs to.",
        sections=[("Tasks", specs)],
    )
    path = repo.root / rel
    with locked(path):
        existing = read_text(path)
        if existing is None:
            text = render_plan(plan, config)
        else:
            added = [line for spec in specs for line in ["", *render_task(spec, "", config)]]
            text = existing.rstrip("\n") + "\n" + "\n".join(added) + "\n"
        read_back(plan, text if existing is None else render_plan(plan, config), config)
        write_text_atomic(path, text)
    return rel
