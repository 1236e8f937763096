"""Table rows as tasks: which column names each row's task, and what a row says.

A table holds tasks when a column is named for IDs (`ID`, `Task`, `Key`,
`Feature ID`...) and its cells hold them, or when its first column opens
nearly every row with an ID, or (with `anonymous_tasks`) when a `#` column
numbers its rows (IDs such as `road#7`, qualified by the plan). Tables with no
separator row, or with one in their middle, are read as a person reads them.
Without a status column, a delivered-date cell or the heading above the table
("Completed") says the status.
"""

from __future__ import annotations

from collections.abc import Callable

from charter import markdown
from charter.config import Config
from charter.model import Diagnostic, Field
from charter.parse import shapes
from charter.parse.tables import Cell, split_row
from charter.parse.task_parts import (
    FIELD_ALIASES,
    ID_COLUMNS,
    NUMBER_COLUMNS,
    TITLE_COLUMNS,
    _Builder,
    match_task_id,
)


def table_tasks(
    path: str,
    lines: list[str],
    outline: markdown.Outline,
    config: Config,
    problems: list[Diagnostic],
    step_prefix: str | None = None,
) -> list[_Builder]:
    """Every task row of the file's tables. `step_prefix` is the plan's own ID and a dash
    ("LS-"): a `#` (Step, No.) column then numbers the plan's steps, so step 3 is LS-3."""
    found: list[_Builder] = []
    if not config.table_tasks:
        return found
    tables = sorted([*outline.tables, *shapes.loose_tables(lines, outline)], key=lambda t: t.header)
    last: tuple[int, list[Cell], list[str]] | None = None  # end, header, names of the last table
    split: dict[int, list[Cell]] = {}  # row line -> cells: long rows are split once

    def cells_of(row: int) -> list[Cell]:
        if row not in split:
            split[row] = split_row(lines[row])
        return split[row]

    for table in tables:
        header = cells_of(table.header)
        names = [c.text.strip().strip("*_`").strip().lower() for c in header]
        rows = [*table.rows, *_rows_after_comments(lines, table.end)]
        id_col = _id_column(names, rows[:20], cells_of, lines, config)
        if id_col is None and last is not None and last[0] == table.header:
            # A separator row in the middle of a table without one: the rows above it
            # and the "header" below it are all rows of the table above.
            header, names = last[1], last[2]
            rows = [table.header, *rows]
            id_col = _id_column(names, rows[:20], cells_of, lines, config)
        last = (table.end, header, names)
        number_col = next((names.index(n) for n in NUMBER_COLUMNS if n in names), None)
        numbered = number_col is not None and (config.anonymous_tasks or step_prefix is not None)
        if id_col is None and not numbered:
            continue
        title_col = next(
            (names.index(n) for n in TITLE_COLUMNS if n in names and names.index(n) != id_col),
            next(  # "Feature Title", "Task Name"
                (i for i, n in enumerate(names) if n.endswith((" title", " name")) and i != id_col),
                None,
            ),
        )
        has_status = any(FIELD_ALIASES.get(n) == "status" for n in names)
        heading_status = (
            None if has_status else shapes.section_status(outline, table.header, config)
        )
        for row_line in rows:
            cells = cells_of(row_line)
            _shape_problems(path, row_line, cells, len(header), problems)
            key_col = id_col if id_col is not None else number_col
            if key_col is None or key_col >= len(cells):
                continue
            if id_col is not None:
                task_id, _ = match_task_id(cells[id_col].text, config)
                if task_id is None or not config.id_re.fullmatch(task_id):
                    continue
            else:
                number = cells[key_col].text.strip().strip("*_`").rstrip(".")
                if not number.isdigit():
                    continue
                step = f"{step_prefix}{int(number)}" if step_prefix else None
                if step is not None and config.id_re.fullmatch(step):
                    task_id = step
                elif config.anonymous_tasks:
                    task_id = shapes.local_id(path, number)
                else:
                    continue
            builder = _row_task(task_id, cells, key_col, title_col, names, row_line)
            if not has_status:
                builder.implied_status = _date_status(names, cells) or heading_status
            found.append(builder)
    return found


def _id_column(
    names: list[str],
    sample: list[int],
    cells_of: Callable[[int], list[Cell]],
    lines: list[str],
    config: Config,
) -> int | None:
    """The column naming each row's task: one called ID, Task, Key... (or `Feature ID`)
    whose cells hold IDs; the first such column."""
    candidates = [i for i, n in enumerate(names) if n in ID_COLUMNS or n.endswith(" id")]
    if not candidates and names:
        # No column named for IDs: the first one still names each row's task when nearly
        # every cell opens with an ID ("| **WEB-7** | ..." under "Project").
        # (A sniff of the raw rows, not split: most tables have no such column.)
        firsts = [f for f in (_first_cell(lines[r]) for r in sample) if f.strip()]
        hits = sum(1 for text in firsts if match_task_id(text, config)[0])
        if firsts and hits * 5 >= len(firsts) * 4:
            return 0
    split = [cells_of(r) for r in sample] if candidates else []
    for col in candidates:
        cells = [row[col].text for row in split if col < len(row)]
        if any(match_task_id(text, config)[0] for text in cells) or not cells:
            return col
    return None


def _first_cell(line: str) -> str:
    body = line.strip().lstrip(">").strip()
    return body[1:].split("|", 1)[0] if body.startswith("|") else body.split("|", 1)[0]


def _row_task(
    task_id: str | None,
    cells: list[Cell],
    key_col: int,
    title_col: int | None,
    names: list[str],
    row_line: int,
) -> _Builder:
    checked = next(
        (
            c.text.strip() in ("[x]", "[X]")
            for c in cells
            if c.text.strip() in ("[ ]", "[x]", "[X]")
        ),
        None,
    )
    title = (
        cells[title_col].text.strip() if title_col is not None and title_col < len(cells) else ""
    )
    key_cell = cells[key_col]
    col_1 = key_cell.start + len(key_cell.text) - len(key_cell.text.lstrip()) + 1
    builder = _Builder(task_id, title, row_line + 1, col_1, "table", checked, None)
    for col, cell in enumerate(cells[: len(names)]):
        name = FIELD_ALIASES.get(names[col])
        if name is None or col == key_col or name == "title":
            continue
        value = cell.text.strip()
        lead = len(cell.text) - len(cell.text.lstrip())
        builder.fields.append(
            Field(name, value, row_line + 1, cell.start + lead, cell.start + lead + len(value))
        )
    return builder


def _date_status(names: list[str], cells: list[Cell]) -> str | None:
    """A `Delivered` (Completed, Merged...) column holding a date says the row is done."""
    for col, name in enumerate(names[: len(cells)]):
        if shapes.done_date(name, cells[col].text):
            return "done"
    return None


def _shape_problems(
    path: str, row_line: int, cells: list[Cell], width: int, problems: list[Diagnostic]
) -> None:
    if len(cells) != width:
        problems.append(
            Diagnostic(
                path,
                row_line + 1,
                1,
                "CH015",
                f"table row has {len(cells)} cells, the header has {width}",
            )
        )
    for cell in cells:
        if cell.gfm_split:
            problems.append(
                Diagnostic(
                    path,
                    row_line + 1,
                    cell.start + 1,
                    "CH015",
                    "'|' inside a code span: GitHub splits the cell here; write it as \\|",
                    "warning",
                )
            )


def _rows_after_comments(lines: list[str], end: int) -> list[int]:
    """Rows that continue a table after an HTML comment line.

    markdown-it ends a table at a line such as `<!-- ST-B-004 parked -->`, and
    the rows after it would silently stop being tasks; a person reads them as
    the same table.
    """
    rows: list[int] = []
    index, skipped = end, False
    while index < len(lines):
        text = lines[index].strip()
        if text.startswith("<!--") and text.endswith("-->"):
            skipped = True
        elif text.startswith("|") and skipped:
            rows.append(index)
        else:
            break
        index += 1
    return rows
