"""Reading hand-kept boards: every messy row is read or reported with its line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.config import Config
from charter.reconcile.board_table import column_meaning, read_board_csv, read_board_markdown

CONFIG = Config(root=Path("."))
HEADER = "| ID | Title | Column | OwnerRole | Notes |\n|---|---|---|---|---|\n"


def md(text: str) -> tuple[list[tuple[int, str, dict[str, str]]], list[tuple[int, str]]]:
    read = read_board_markdown("board.md", text.encode("utf-8"), CONFIG)
    return (
        [(r.line, r.id, r.values) for r in read.rows],
        [(d.line, d.message) for d in read.problems],
    )


MARKDOWN_CASES = [
    pytest.param(
        HEADER + "| ST-1 | A | Done | Ops | ok |\n<!-- parked -->\n| ST-2 | B | Backlog | | |\n",
        [3, 5],
        [(5, "row after the blank line or HTML comment at line 4")],
        id="html comment between rows",
    ),
    pytest.param(
        HEADER + "| ST-1 | A | Done | Ops |\n",
        [3],
        [(3, "row has 4 cells, the header has 5")],
        id="missing cell",
    ),
    pytest.param(
        HEADER + "| ST-1 | A | Done | Ops | note | stray |\n",
        [3],
        [(3, "the extra text is kept in column 'Notes'")],
        id="extra cell",
    ),
    pytest.param(
        HEADER + "| ST-1 | A | Done | Ops | `a|b` |\n",
        [3],
        [(3, "'|' inside a code span")],
        id="pipe in a code span",
    ),
    pytest.param(
        HEADER + "| ST-1 | A | Done | Ops | x |\n\n| ST-2 | B | Review | | |\n\n\n",
        [3, 5],
        [(5, "row after the blank line")],
        id="blank line inside, blank lines after",
    ),
    pytest.param(
        HEADER + "| see below | A | Done | | |\n| | B | Done | | |\n",
        [3, 4],
        [(3, "'see below' in column 'ID' is not a task ID")],
        id="rows without an ID",
    ),
    pytest.param(
        "```\n" + HEADER + "| ST-1 | A | Done | | |\n```\n", [], [], id="table inside a code fence"
    ),
    pytest.param(
        "<!--\n" + HEADER + "| ST-1 | A | Done | | |\n-->\n",
        [],
        [],
        id="table inside a multi-line comment",
    ),
]


@pytest.mark.parametrize(("text", "lines", "problems"), MARKDOWN_CASES)
def test_markdown_rows_are_read_or_reported(
    text: str, lines: list[int], problems: list[tuple[int, str]]
) -> None:
    rows, found = md(text)
    assert [r[0] for r in rows] == lines
    assert len(found) == len(problems), found
    for (line, start), (got_line, message) in zip(problems, found, strict=True):
        assert got_line == line and start in message


def test_a_multi_kilobyte_cell_with_br_is_kept_whole() -> None:
    notes = "<br>".join(f"step {i}: " + "x" * 80 for i in range(60))
    rows, problems = md(HEADER + f"| ST-1 | A | Done | Ops | {notes} |\n")
    assert len(notes) > 4000 and rows[0][2]["Notes"] == notes and problems == []


def test_a_table_per_column_takes_the_column_from_its_heading() -> None:
    text = (
        "## In Progress\n\n| ID | Title |\n|---|---|\n| ST-1 | A |\n\n## Done\n\n"
        "| ID | Title |\n|---|---|\n| ST-2 | B |\n"
    )
    read = read_board_markdown("b.md", text.encode(), CONFIG)
    assert [(r.id, r.heading) for r in read.rows] == [("ST-1", "In Progress"), ("ST-2", "Done")]


def test_crlf_and_bom_boards_read_like_lf() -> None:
    text = "\ufeff" + HEADER.replace("\n", "\r\n") + "| ST-1 | A | Done | Ops | n |\r\n"
    read = read_board_markdown("b.md", text.encode("utf-8"), CONFIG)
    assert [r.values["OwnerRole"] for r in read.rows] == ["Ops"]


def csv_read(text: str) -> tuple[list[tuple[int, str, dict[str, str]]], list[tuple[int, str]]]:
    read = read_board_csv("board.csv", text.encode("utf-8"), CONFIG)
    return (
        [(r.line, r.id, r.values) for r in read.rows],
        [(d.line, d.message) for d in read.problems],
    )


CSV_CASES = [
    pytest.param("ID,Title,Column\nST-1,A,Done\n\n\n", ["ST-1"], [], id="blank trailing lines"),
    pytest.param(
        "ID,Title,Column\nST-1,A,DoneST-2,B,Backlog\n",
        ["ST-1", "ST-2"],
        [(2, "2 records joined on one line")],
        id="records joined where the break was",
    ),
    pytest.param(
        "ID,Title,Column\nST-1,A,Done,ST-2,B,Backlog\n",
        ["ST-1", "ST-2"],
        [(2, "2 records joined on one line")],
        id="records joined with a comma",
    ),
    pytest.param(
        "ID,Title,Column\nST-1,A\n", ["ST-1"], [(2, "record has 2 fields")], id="missing field"
    ),
    pytest.param(
        "ID,Title,Column\nST-1,A,Done,extra\n",
        ["ST-1"],
        [(2, "the extra fields are kept in column 'Column'")],
        id="extra field",
    ),
    pytest.param(
        'ID,Title,Column\nST-1,"open,Done\nST-2,B,Backlog\n',
        ["ST-1"],
        [(2, "record has 2 fields"), (2, "a quote opened on this line is never closed")],
        id="unclosed quote",
    ),
    pytest.param(
        'ID,Title,Column\nST-1,"two\nlines",Done\nST-2,B,"x ""q"""\n',
        ["ST-1", "ST-2"],
        [],
        id="quoted newline and escaped quotes",
    ),
    pytest.param(
        "Title,Column\nA,Done\n", [], [(1, "the header names no ID column")], id="no ID column"
    ),
    pytest.param('ID,Size\nST-1,5" screen\n', ["ST-1"], [], id="a stray quote inside a field"),
]


@pytest.mark.parametrize(("text", "ids", "problems"), CSV_CASES)
def test_csv_records_are_read_or_reported(
    text: str, ids: list[str], problems: list[tuple[int, str]]
) -> None:
    rows, found = csv_read(text)
    assert [r[1] for r in rows] == ids
    assert len(found) == len(problems), found
    for (line, start), (got_line, message) in zip(problems, found, strict=True):
        assert got_line == line and start in message


def test_joined_records_keep_every_field() -> None:
    rows, _ = csv_read("ID,Title,Column\nST-1,A,DoneST-2,B,Backlog\n")
    assert [r[2] for r in rows] == [
        {"ID": "ST-1", "Title": "A", "Column": "Done"},
        {"ID": "ST-2", "Title": "B", "Column": "Backlog"},
    ]


CELL = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=30
)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.integers(1, 999), CELL, CELL), min_size=1, max_size=8, unique_by=lambda r: r[0]
    )
)
def test_any_csv_a_spreadsheet_writes_reads_back_exactly(rows: list[tuple[int, str, str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ID", "Title", "Notes"])
    writer.writerows([(f"ST-{n}", title, notes) for n, title, notes in rows])
    read, problems = csv_read(out.getvalue())
    assert problems == []
    assert [(r[1], r[2]["Title"], r[2]["Notes"]) for r in read] == [
        (f"ST-{n}", t.strip(), s.strip()) for n, t, s in rows
    ]


@pytest.mark.parametrize(
    ("header", "meaning"),
    [
        ("ID", "id"),
        ("Task ID", "id"),
        ("Title", "title"),
        ("Task", "title"),
        ("Column", "column"),
        ("Status", "status"),
        ("OwnerRole", "owner"),
        ("**Deliverable**", "deliverable"),
        ("PlanLink", "plan"),
        ("Notes", "notes"),
        ("Effort", None),
    ],
)
def test_board_columns_are_recognised(header: str, meaning: str | None) -> None:
    assert column_meaning(header) == meaning


PIECES = [*'|-:`<>!*ST0123 ,"\n\r\t#x[]', "<!--", "-->", "<br>", "ST-1", "```"]
MESSY = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=MESSY)
def test_no_board_text_crashes_the_readers(text: str) -> None:
    for reader in (read_board_markdown, read_board_csv):
        read = reader("b", text.encode("utf-8"), CONFIG)
        assert all(d.line >= 1 for d in read.problems)
        assert all(r.line >= 1 for r in read.rows)
