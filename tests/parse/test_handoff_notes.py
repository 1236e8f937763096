"""A hand-written handoff doc read back as a plan: epics, issues, statuses, execution order."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.config import Config
from charter.parse.handoff import parse_handoff
from charter.repo import load_repo
from charter.status import column_of
from tests.adoption.helpers import EXAMPLES, make_repo, needs
from tests.conftest import check_findings

ISSUES = Config(root=Path("."), id_pattern=r"#\d+")


def read(text: str) -> dict[str, tuple[str, str, str | None, tuple[str, ...], int]]:
    plan = parse_handoff("h.md", text.encode("utf-8"), ISSUES)
    return {
        t.id or "": (t.title, column_of(t, ISSUES), t.parent, t.depends, t.line)
        for t in plan.walk()
    }


def test_the_example_handoff_reads_as_epics_with_an_order() -> None:
    tasks = read(needs(EXAMPLES / "session-handoff.md").read_text(encoding="utf-8"))
    assert len(tasks) == 31
    # "EPIC 1 is fully implemented and closed: `#64`, ... (all closed)"
    assert {tasks[f"#{n}"][1] for n in (64, 69, 70, 71, 72, 73)} == {"Done"}
    assert tasks["#74"][:3] == ("EPIC 6 Autonomous Mission Runtime", "Backlog", None)
    assert tasks["#75"][:3] == ("6.1 Mission model + state machine", "Backlog", "#74")
    assert tasks["#65"][0] == "EPIC 2"  # named only in the execution order
    # 1. EPIC 2 first, 2. then EPIC 6, 3. then EPIC 9, 4. EPIC 7 + EPIC 8, 5. EPIC 10
    assert tasks["#74"][3] == ("#65",)
    assert tasks["#88"][3] == ("#74",)
    assert tasks["#79"][3] == tasks["#84"][3] == ("#88",)
    assert tasks["#93"][3] == ("#79", "#84")


def test_statuses_come_from_the_item_its_parent_or_its_heading() -> None:
    tasks = read(
        "## Shipped\n\n- `#1` Login (blocked)\n- `#2` Logout\n\n## Still open\n\n"
        "- Search work, in progress:\n  - `#3` Index\n- ✅ `#4` Docs\n"
        "- [x] #5 A checklist item\n\n| ID | Title | Status |\n|--|--|--|\n| #6 | Row | Review |\n"
        "\nLater mentions are references: `#1` again.\n- see `#2`\n"
    )
    assert {k: v[1] for k, v in tasks.items()} == {
        "#1": "Blocked",
        "#2": "Done",
        "#3": "In Progress",
        "#4": "Done",
        "#5": "Done",
        "#6": "Review",
    }
    assert tasks["#2"][4] == 4  # defined where first named


def test_a_handoff_is_a_plan_source_in_a_repository(tmp_path: Path) -> None:
    handoff = needs(EXAMPLES / "session-handoff.md").read_text(encoding="utf-8")
    config = make_repo(
        tmp_path,
        {
            "docs/SESSION_HANDOFF.md": handoff,
            "docs/plans/next.md": "- [ ] **#98** Follow-up\n  - Depends: #65, #400\n",
        },
        '[tool.charter]\npreset = "github-issues"\n',
    )
    repo = load_repo(config, use_cache=False)
    assert {p.path for p in repo.plans} == {"docs/SESSION_HANDOFF.md", "docs/plans/next.md"}
    found = [(d.path, d.code, d.message) for d in check_findings(repo.config)]
    assert found == [("docs/plans/next.md", "CH006", "#98 depends on unknown task #400")]


@pytest.mark.parametrize("text", ["", "# Nothing here\n", "- plain item\n  - nested\n"])
def test_a_handoff_without_ids_is_an_empty_plan(text: str) -> None:
    assert read(text) == {}


HANDOFF_PIECES = [
    "- ",
    "  ",
    "1. ",
    "#",
    "#7",
    "`",
    "(",
    ")",
    "closed",
    "done",
    "EPIC 2",
    "order",
    "\n",
    "✅",
    "[x] ",
    "## ",
]


@settings(max_examples=150, deadline=None)
@given(text=st.lists(st.sampled_from(HANDOFF_PIECES), max_size=60).map("".join))
def test_no_handoff_text_crashes_the_reader(text: str) -> None:
    plan = parse_handoff("h.md", text.encode("utf-8"), ISSUES)
    assert all(t.line >= 1 for t in plan.walk())
