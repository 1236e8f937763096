"""The session-handoff example end to end: its epics and its recommended order.

The example groups GitHub issues under EPICs and recommends EPIC 2 (#65)
first, then 6, 9, 7 and 8, then 10. charter's order must agree: every issue
after what its epic waits on, every epic after its issues, and `session start`
refuses an issue whose epic waits on open work.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from charter.config import load_config
from charter.handoff.regenerate import render_handoff
from charter.handoff.render import handoff_context
from charter.repo import load_repo
from charter.scaffold import init_repo
from charter.sessions.preconditions import Request, check_preconditions
from tests.conftest import EXAMPLES

EXAMPLE = EXAMPLES / "session-handoff.md"
EPICS = {  # epic: its issues, in the example's recommended order
    "#65": [],
    "#74": ["#75", "#76", "#77", "#78"],
    "#88": ["#89", "#90", "#91", "#92"],
    "#79": ["#80", "#81", "#82", "#83"],
    "#84": ["#85", "#86", "#87"],
    "#93": ["#94", "#95", "#96", "#97"],
}


@pytest.fixture
def repo(tmp_path: Path):  # type: ignore[no-untyped-def]
    if not EXAMPLE.is_file():
        pytest.skip(f"{EXAMPLE} is absent (../shared/examples is not mounted)")
    root = tmp_path / "repo"
    init_repo(root, preset="github-issues", example=False, git_hooks=False)
    config_text = (root / "charter.toml").read_text("utf-8")
    config_text += '\nhandoff_plans = ["docs/plans/session-handoff.md"]\n'
    (root / "charter.toml").write_text(config_text, "utf-8")
    plans = root / "docs" / "plans"
    plans.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLE, tmp_path / "example.md")  # never read ../shared in place
    text = (tmp_path / "example.md").read_text("utf-8")
    (plans / "session-handoff.md").write_text(
        "---\nid: AUTONOMY\ntitle: Autonomy roadmap\n---\n" + text, "utf-8"
    )
    return load_config(root)


def test_the_order_follows_the_examples_recommended_order(repo) -> None:  # type: ignore[no-untyped-def]
    order = [o["id"] for o in handoff_context(load_repo(repo))["order"]]
    expected = [task for epic, issues in EPICS.items() for task in [*issues, epic]]
    # EPIC 7 and EPIC 8 go "in parallel": either may come first
    assert order[0] == "#65"
    assert order[:11] == expected[:11]
    assert set(order[11:20]) == set(expected[11:20])
    assert order[20:] == expected[20:]
    position = {tid: n for n, tid in enumerate(order)}
    for epic, issues in EPICS.items():
        assert all(position[i] < position[epic] for i in issues)


def test_the_continue_command_starts_the_issue_the_others_wait_on(repo) -> None:  # type: ignore[no-untyped-def]
    start = handoff_context(load_repo(repo))["continue"]["start"]
    assert start.endswith("TASK='#65'") or start.endswith("start '#65'")


def test_session_start_refuses_an_issue_whose_epic_waits_on_open_work(repo) -> None:  # type: ignore[no-untyped-def]
    found = check_preconditions(load_repo(repo), Request("#75"), {})
    scope = [f.message for f in found.failures if f.check == "scope"]
    assert "#75 waits on #65 (as its parent #74 does), which is Backlog, not Done" in scope


def test_the_handoff_groups_the_order_by_epic(repo) -> None:  # type: ignore[no-untyped-def]
    text = render_handoff(load_repo(repo))
    order = text.split("## Recommended next execution order", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in order.splitlines() if line.strip()]
    for epic, issues in EPICS.items():
        if not issues:
            continue
        label = next(i for i, line in enumerate(lines) if line.startswith(f"In epic {epic} "))
        first = next(i for i, line in enumerate(lines) if f"**{issues[0]}**" in line)
        assert label < first, f"{epic}'s label comes before its first issue"
        between = lines[label + 1 : first]
        assert not any(line.startswith("In epic") for line in between)
    # A top-level task (the epic itself, #65) carries no label of its own.
    assert not any(line.startswith("In epic #65") for line in lines)
