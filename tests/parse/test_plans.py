"""Plan parsing: which lines are tasks, with what fields, at which positions."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.config import Config
from charter.parse.plans import parse_plan

CONFIG = Config(root=Path("."))

FRONT = "---\nid: p\ntitle: P\n---\n"


def tasks_of(text: str, config: Config = CONFIG) -> list[tuple[str | None, str, int, bool | None]]:
    plan = parse_plan("plan.md", text.encode(), config)
    return [(t.id, t.title, t.line, t.checked) for t in plan.walk()]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("- [ ] **ST-B-001** Investigate\n", [("ST-B-001", "Investigate", 5, False)]),
        ("- [x] **ST-B-001** Done one\n", [("ST-B-001", "Done one", 5, True)]),
        ("- [X] ST-B-001: upper-case X\n", [("ST-B-001", "upper-case X", 5, True)]),
        ("* [ ] `ST-B-001` code id\n", [("ST-B-001", "code id", 5, False)]),
        ("1. [ ] [ST-B-001] ordered\n", [("ST-B-001", "ordered", 5, False)]),
        ("> - [ ] **ST-B-001** quoted\n", [("ST-B-001", "quoted", 5, False)]),
        ("- [ ] **T020a** suffix\n", [("T020a", "suffix", 5, False)]),
        ("```\n- [ ] **ST-B-001** in a fence\n```\n", []),
        ("~~~md\n- [ ] **ST-B-001** tilde fence\n~~~\n", []),
        ("<!--\n- [ ] **ST-B-001** in a comment\n-->\n", []),
        ("    - [ ] **ST-B-001** indented code\n", []),
        ("Text with `- [ ] **ST-B-001**` inline code\n", []),
        ("- `[ ]` **ST-B-001** checkbox in code\n", []),
        ("- [ ] no id at top level\n", []),
        ("- [ ]\n", []),
    ],
)
def test_checklist_tasks(
    body: str, expected: list[tuple[str | None, str, int, bool | None]]
) -> None:
    config = Config(root=Path("."), id_pattern=r"(?:ST-[A-Z]-\d+|T\d+[a-z]?)")
    assert tasks_of(FRONT + body, config) == expected


def test_field_bullets_positions_and_values() -> None:
    text = FRONT + (
        "- [ ] **ST-B-001** Investigate snapshot regression\n"
        "  - Status: In Progress\n"
        "  - **Owner:** Ingestion\n"
        "  - Depends: ST-B-000, ST-B-002\n"
        "  - Level: L2\n"
        "  - Acceptance: warm run improves >= 60 %; Evidence: `.runs/ST-B-001/manifest.json`\n"
        "  - Files: `tools/x.py`\n"
        "  - Unrelated: ignored\n"
    )
    plan = parse_plan("plan.md", text.encode(), CONFIG)
    (task,) = plan.tasks
    assert task.status == "In Progress"
    assert task.owner == "Ingestion"
    assert task.level == "L2"
    assert task.depends == ("ST-B-000", "ST-B-002")
    assert [e.path for e in task.evidence] == [".runs/ST-B-001/manifest.json"]
    assert task.value("acceptance") == "warm run improves >= 60 %"
    assert task.value("files") == "`tools/x.py`"
    assert task.field("unrelated") is None
    lines = text.split("\n")
    for field in task.fields:
        assert lines[field.line - 1][field.start : field.end] == field.value


def test_nested_checklist_items_are_subtasks() -> None:
    text = FRONT + (
        "- [ ] **ST-B-001** parent\n"
        "  - [x] **ST-B-002** child with id\n"
        "    - [ ] grandchild without id\n"
        "  - [ ] child without id\n"
    )
    plan = parse_plan("plan.md", text.encode(), CONFIG)
    (parent,) = plan.tasks
    assert [s.id for s in parent.subtasks] == ["ST-B-002", None]
    assert parent.subtasks[0].parent == "ST-B-001"
    assert parent.subtasks[0].subtasks[0].title == "grandchild without id"
    assert parent.subtasks[0].subtasks[0].parent == "ST-B-002"


def test_table_rows_with_id_column() -> None:
    text = FRONT + (
        "| ID | Title | Owner | Status | Depends | Evidence |\n"
        "|----|-------|-------|--------|---------|----------|\n"
        "| ST-B-002 | Trial reduced ceilings | Ingestion | Done - 2025-12-22 | ST-B-001 | `a.json` |\n"
        "| not-an-id | skipped row | x | y | | |\n"
        "| **ST-B-003** | Bold id | | Todo | | |\n"
    )
    plan = parse_plan("plan.md", text.encode(), CONFIG)
    assert [(t.id, t.title, t.line, t.kind) for t in plan.walk()] == [
        ("ST-B-002", "Trial reduced ceilings", 7, "table"),
        ("ST-B-003", "Bold id", 9, "table"),
    ]
    first = plan.tasks[0]
    assert first.status == "Done - 2025-12-22"
    assert first.depends == ("ST-B-001",)
    assert first.col == 3
    line = text.split("\n")[6]
    status = first.field("status")
    assert status is not None and line[status.start : status.end] == "Done - 2025-12-22"


def test_table_without_id_column_is_not_tasks() -> None:
    text = FRONT + "| # | Task |\n|---|---|\n| 1 | Draft stub |\n"
    assert tasks_of(text) == []


def test_inline_evidence_on_checklist_line() -> None:
    text = FRONT + "- [x] **ST-B-001** Built it. Evidence: `out/a.log`, `out/b.json`.\n"
    plan = parse_plan("plan.md", text.encode(), CONFIG)
    (task,) = plan.tasks
    assert task.title == "Built it"
    assert [e.path for e in task.evidence] == ["out/a.log", "out/b.json"]


def test_evidence_sha256_is_read() -> None:
    digest = "ab" * 32
    text = FRONT + f"- [x] **ST-B-001** t\n  - Evidence: `out/a.log` (sha256: {digest})\n"
    (task,) = parse_plan("plan.md", text.encode(), CONFIG).tasks
    assert task.evidence[0].sha256 == digest


def test_frontmatter_and_title() -> None:
    plan = parse_plan(
        "plan.md", b"---\nid: p1\ntitle: The plan\nnext_review: 2025-01-01\n---\n# H\n", CONFIG
    )
    assert plan.frontmatter["id"] == "p1"
    assert plan.title == "The plan"
    assert plan.frontmatter_lines == {"id": 2, "title": 3, "next_review": 4}
    no_fm = parse_plan("plan.md", b"# Heading title\n", CONFIG)
    assert not no_fm.has_frontmatter and no_fm.title == "Heading title"


def test_anonymous_tasks_when_configured() -> None:
    config = Config(root=Path("."), anonymous_tasks=True)
    assert tasks_of("- [x] something done\n- plain item\n", config) == [
        (None, "something done", 1, True)
    ]


def test_crlf_plan_parses_like_lf() -> None:
    lf = FRONT + "- [ ] **ST-B-001** t\n  - Status: Todo\n"
    crlf = lf.replace("\n", "\r\n")
    a = parse_plan("p.md", lf.encode(), CONFIG)
    b = parse_plan("p.md", crlf.encode(), CONFIG)
    assert [(t.id, t.status, t.fields) for t in a.walk()] == [
        (t.id, t.status, t.fields) for t in b.walk()
    ]
    assert not b.problems


def test_table_rows_after_an_html_comment_are_still_read() -> None:
    text = FRONT + (
        "| ID | Title | Status |\n"
        "|----|-------|--------|\n"
        "| ST-B-001 | first | Todo |\n"
        "<!-- ST-B-002 was split in two -->\n"
        "| ST-B-003 | after the comment | Done |\n"
        "\n"
        "| ST-B-004 | not a table row: a blank line ended the table | Todo |\n"
    )
    plan = parse_plan("plan.md", text.encode(), CONFIG)
    assert [(t.id, t.line) for t in plan.walk()] == [("ST-B-001", 7), ("ST-B-003", 9)]
