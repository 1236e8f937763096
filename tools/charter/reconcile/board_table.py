"""Reading a hand-kept task board: Markdown tables and a CSV, as people keep them.

Boards kept by hand drift from anything a renderer accepts: HTML comments
between rows, a blank line inside a table, rows with a cell too few or too
many, pipes inside code spans, multi-kilobyte cells full of `<br>`, CSV records
joined on one line, quotes never closed. The readers here scan lines
themselves (markdown-it ends a table at an HTML comment and drops the rows
after it) and read every row they can; whatever they cannot read exactly is a
diagnostic with its line, never a silent drop.

Diagnostic code RC001 is used for every shape problem (see docs/adoption.md).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from charter.config import Config
from charter.model import Diagnostic
from charter.parse.source import decode
from charter.parse.tables import Cell, is_separator_row, split_row
from charter.parse.task_parts import FIELD_ALIASES, ID_COLUMNS, TITLE_COLUMNS, match_task_id

SHAPE = "RC001"

# Header name (lower case) -> meaning, for the columns a board has beyond task fields.
_BOARD_COLUMNS = {
    "column": "column",
    "lane": "column",
    "board column": "column",
    "stage": "column",
    "status": "status",
    "state": "status",
    "epic": "parent",  # charter's board: the task this one is a subtask of
    "parent": "parent",
}
_TOKEN = re.compile(r"[\w.#-]*[^\W_][\w.#-]*")
_NOT_IDS = {"tbd", "todo", "none", "na", "n-a", "id", "tba"}
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


@dataclass(frozen=True)
class BoardRow:
    path: str
    line: int  # 1-based
    id: str  # "" for a row without an ID (a task without one, found by its plan link)
    values: dict[str, str]  # header as written -> cell text, stripped
    cols: dict[str, int]  # header as written -> 1-based column of the cell (0 for CSV)
    heading: str | None = None  # the Markdown heading above the row's table

    def get(self, meaning: str) -> tuple[str, str] | None:
        """(header, value) of the first column meaning `meaning` (id, title, column, owner...)."""
        for header, value in self.values.items():
            if column_meaning(header) == meaning:
                return header, value
        return None


@dataclass
class BoardRead:
    path: str
    headers: list[tuple[int, list[str]]] = field(default_factory=list)  # (line, names) per table
    rows: list[BoardRow] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)


def column_meaning(header: str) -> str | None:
    """What a board column holds: id, title, column, status, a task field; None if unknown."""
    name = header.strip().strip("*_`").strip().lower()
    if name in ID_COLUMNS and name != "task":
        return "id"
    if name in _BOARD_COLUMNS:
        return _BOARD_COLUMNS[name]
    if name in FIELD_ALIASES:
        return FIELD_ALIASES[name]
    if name in TITLE_COLUMNS or name == "task":
        return "title"
    return None


def _id_column(names: list[str]) -> int | None:
    lowered = [n.strip().strip("*_`").strip().lower() for n in names]
    for wanted in ID_COLUMNS:
        if wanted in lowered:
            return lowered.index(wanted)
    return None


def read_board_markdown(path: str, data: bytes, config: Config) -> BoardRead:
    source = decode(path, data)
    result = BoardRead(path, problems=list(source.problems))
    lines = source.lines
    state = _MdState()
    index = 0
    while index < len(lines):
        raw = lines[index]
        if state.step_fence(raw):
            index += 1
            continue
        if state.comment or raw.lstrip().startswith("<!--"):
            state.step_comment(raw, index, result)
            index += 1
            continue
        heading = _HEADING.match(raw)
        if heading:
            state.heading, state.table = heading.group(2), None
        elif _is_header(lines, index):
            names = [c.text.strip() for c in split_row(raw)]
            state.table, state.gap = _Table(index + 1, names, _id_column(names)), None
            result.headers.append((index + 1, names))
            index += 2
            continue
        elif raw.strip() and "|" in raw and state.table is not None:
            state.read_row(raw, index + 1, result, config)
        elif not raw.strip() and state.table is not None:
            state.gap = index + 1
        elif raw.strip():
            state.table = None
        index += 1
    return result


@dataclass
class _Table:
    line: int
    names: list[str]
    id_col: int | None


@dataclass
class _MdState:
    heading: str | None = None
    table: _Table | None = None
    fence: str | None = None
    comment: int | None = None  # 1-based line where an open HTML comment started
    gap: int | None = None  # the blank line or comment that interrupted the current table

    def step_fence(self, raw: str) -> bool:
        match = _FENCE.match(raw)
        if self.fence is not None:
            if (
                match
                and match.group(1)[0] == self.fence[0]
                and len(match.group(1)) >= len(self.fence)
            ):
                self.fence = None
            return True
        if match and not self.comment:
            self.fence, self.table = match.group(1), None
            return True
        return False

    def step_comment(self, raw: str, index: int, result: BoardRead) -> None:
        if self.comment is None:
            self.comment = index + 1
        if "-->" in raw:
            if self.table is not None:
                self.gap = self.comment
            self.comment = None

    def read_row(self, raw: str, line: int, result: BoardRead, config: Config) -> None:
        table = self.table
        assert table is not None
        path = result.path
        if self.gap is not None:
            result.problems.append(
                Diagnostic(
                    path,
                    line,
                    1,
                    SHAPE,
                    f"row after the blank line or HTML comment at line {self.gap}: Markdown "
                    "ends the table there and shows this row as text; charter reads it as a row "
                    f"of the table at line {table.line}",
                    "warning",
                )
            )
            self.gap = None
        cells = split_row(raw)
        for cell in cells:
            if cell.gfm_split:
                result.problems.append(
                    Diagnostic(
                        path,
                        line,
                        cell.start + 1,
                        SHAPE,
                        "'|' inside a code span: GitHub splits the cell here; write it as \\|",
                        "warning",
                    )
                )
        cells = _fit(cells, table.names, path, line, result.problems)
        if table.id_col is None:
            return
        _add_row(
            result,
            config,
            line,
            table.names,
            [c.text for c in cells],
            [c.start + 1 for c in cells],
            table.id_col,
            self.heading,
        )


def _is_header(lines: list[str], index: int) -> bool:
    return (
        "|" in lines[index]
        and index + 1 < len(lines)
        and "-" in lines[index + 1]
        and is_separator_row(lines[index + 1])
    )


def _fit(
    cells: list[Cell], names: list[str], path: str, line: int, problems: list[Diagnostic]
) -> list[Cell]:
    """Cells matched to the header: missing ones empty, extra ones kept in the last column."""
    want = len(names)
    if len(cells) == want:
        return cells
    if len(cells) < want:
        problems.append(
            Diagnostic(
                path,
                line,
                1,
                SHAPE,
                f"row has {len(cells)} cells, the header has {want}: "
                f"{', '.join(repr(n) for n in names[len(cells) :])} read as empty",
                "warning",
            )
        )
        end = cells[-1].start + len(cells[-1].text) if cells else 0
        return cells + [Cell("", end)] * (want - len(cells))
    extra = cells[want:]
    problems.append(
        Diagnostic(
            path,
            line,
            extra[0].start + 1,
            SHAPE,
            f"row has {len(cells)} cells, the header has {want}: the extra text is kept in column "
            f"{names[-1]!r}",
            "warning",
        )
    )
    last = cells[want - 1]
    joined = " | ".join(c.text.strip() for c in [last, *extra] if c.text.strip())
    return [*cells[: want - 1], Cell(joined, last.start)]


def _add_row(
    result: BoardRead,
    config: Config,
    line: int,
    names: list[str],
    texts: list[str],
    cols: list[int],
    id_col: int,
    heading: str | None,
) -> None:
    values = {name: text.strip() for name, text in zip(names, texts, strict=True)}
    if not any(values.values()):
        return
    task_id, _ = match_task_id(texts[id_col], config)
    token = texts[id_col].strip().strip("*_`[]")
    if task_id is None and _TOKEN.fullmatch(token) and token.lower() not in _NOT_IDS:
        task_id = token  # an ID of another form (`<!-- id: 8 -->` tasks): the plans decide
    if task_id is None and token and token.lower() not in _NOT_IDS and token not in ("-", "—"):
        result.problems.append(
            Diagnostic(
                result.path,
                line,
                cols[id_col] if cols[id_col] else 1,
                SHAPE,
                f"{texts[id_col].strip()[:40]!r} in column {names[id_col]!r} is not a task ID: "
                "the row is matched by its plan link, if it has one",
                "warning",
            )
        )
    # A duplicate header name keeps its first cell's value.
    merged: dict[str, str] = {}
    positions: dict[str, int] = {}
    for name, text, col in zip(names, texts, cols, strict=True):
        if name not in merged:
            merged[name], positions[name] = text.strip(), col
    result.rows.append(BoardRow(result.path, line, task_id or "", merged, positions, heading))


def read_board_csv(path: str, data: bytes, config: Config) -> BoardRead:
    source = decode(path, data)
    result = BoardRead(path, problems=list(source.problems))
    text = "\n".join(source.lines) + "\n"
    reader = csv.reader(io.StringIO(text, newline=""))
    names: list[str] | None = None
    id_col: int | None = None
    last_end = 0
    try:
        for record in reader:
            start, last_end = last_end + 1, reader.line_num
            if not any(field.strip() for field in record):
                continue
            if names is None:
                names, id_col = [n.strip() for n in record], _id_column(record)
                result.headers.append((start, names))
                if id_col is None:
                    result.problems.append(
                        Diagnostic(
                            path,
                            start,
                            1,
                            SHAPE,
                            f"the header names no ID column (one of {', '.join(ID_COLUMNS)}): "
                            "no row is compared",
                        )
                    )
                continue
            if id_col is None:
                continue
            for fields in _split_records(record, names, id_col, config, path, start, result):
                _add_row(result, config, start, names, fields, [0] * len(names), id_col, None)
    except csv.Error as exc:
        result.problems.append(
            Diagnostic(path, last_end + 1, 1, SHAPE, f"unreadable CSV: {exc}; the rest is not read")
        )
    opened = _unclosed_quote(text)
    if opened is not None:
        result.problems.append(
            Diagnostic(
                path,
                opened,
                1,
                SHAPE,
                f"a quote opened on this line is never closed: lines {opened}-{last_end} were "
                "read as one field",
            )
        )
    return result


def _split_records(
    record: list[str],
    names: list[str],
    id_col: int,
    config: Config,
    path: str,
    line: int,
    result: BoardRead,
) -> list[list[str]]:
    """One record, or the records a lost line break joined into it."""
    width = len(names)
    if len(record) == width:
        return [record]
    if len(record) < width:
        result.problems.append(
            Diagnostic(
                path,
                line,
                1,
                SHAPE,
                f"record has {len(record)} fields, the header has {width}: "
                f"{', '.join(repr(n) for n in names[len(record) :])} read as empty",
                "warning",
            )
        )
        return [record + [""] * (width - len(record))]
    joined = _unjoin(record, width, id_col, config)
    if joined is not None:
        result.problems.append(
            Diagnostic(
                path,
                line,
                1,
                SHAPE,
                f"{len(joined)} records joined on one line (a line break is missing): read as "
                f"{', '.join(match_task_id(r[id_col], config)[0] or '?' for r in joined)}",
                "warning",
            )
        )
        return joined
    result.problems.append(
        Diagnostic(
            path,
            line,
            1,
            SHAPE,
            f"record has {len(record)} fields, the header has {width}: the extra fields are kept "
            f"in column {names[-1]!r}",
            "warning",
        )
    )
    return [[*record[: width - 1], ", ".join(f for f in record[width - 1 :] if f.strip())]]


def _unjoin(record: list[str], width: int, id_col: int, config: Config) -> list[list[str]] | None:
    """The records a lost line break joined into one, whatever their number and width.

    Each record starts where a field in the ID column's place is a task ID: a whole
    record later (joined with the separator kept), or sooner (a record that lost a
    trailing field, padded back). Where the break itself was lost, the last field of
    one record ends with the next record's ID (`DoneST-2`). None when the line does not
    split that way: then it is one record with extra fields.
    """

    def is_id(text: str) -> bool:
        return bool(config.id_re.fullmatch(text.strip()))

    tail = re.compile(rf"(?P<id>{config.id_pattern})\s*$")
    rows: list[list[str]] = []
    rest = list(record)
    while len(rest) > width:
        cut = next(
            (s for s in range(width, 0, -1) if s + id_col < len(rest) and is_id(rest[s + id_col])),
            None,
        )
        if cut is not None:
            rows.append(rest[:cut] + [""] * (width - cut))
            rest = rest[cut:]
            continue
        glued = tail.search(rest[width - 1]) if id_col == 0 and width > 1 else None
        if glued is None or glued.start() == 0:
            return None
        rows.append([*rest[: width - 1], rest[width - 1][: glued.start()].rstrip()])
        rest = [glued.group("id"), *rest[width:]]
    if not rows:
        return None
    return [*rows, rest + [""] * (width - len(rest))]


def _unclosed_quote(text: str) -> int | None:
    """The line of a quote that opens a field and never closes (RFC 4180 quoting), or None."""
    inside, at_start, line, opened, index = False, True, 1, 0, 0
    while index < len(text):
        char = text[index]
        if inside:
            if char == '"':
                if text.startswith('""', index):
                    index += 2
                    continue
                inside = False
        elif char == '"' and at_start:
            inside, opened = True, line
        if char == "\n":
            line += 1
        at_start = not inside and char in ",\n"
        index += 1
    return opened if inside else None
