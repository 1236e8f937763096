"""`charter reconcile`: plans vs a hand-kept board, and moving the board's facts into the plans."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from charter.cli import _build_group
from charter.config import Config
from charter.parse.plans import parse_plan
from charter.reconcile.compare import read_boards, reconcile
from charter.reconcile.write import apply
from charter.repo import load_repo
from tests.adoption.helpers import make_repo

PLAN = """\
# Ingestion

- [ ] **ST-B-001** Investigate snapshot regression
  - Status: In Progress
  - Depends: ST-B-002
- [x] **ST-B-003** Ship the fix
  - Owner: Platform

| ID | Title | Owner | Status |
|----|-------|-------|--------|
| ST-B-002 | Trial reduced ceilings |  | Done - 2025-12-22 |
| ST-B-005 | Only in the plans | Ops | Backlog |
"""

BOARD = """\
# Task board

| ID | Title | Column | OwnerRole | Deliverable | PlanLink | Notes |
|----|-------|--------|-----------|-------------|----------|-------|
| ST-B-001 | Investigate | Review | Ingestion | `report.md` | [plan](../plans/ingest.md) | long<br>note |
| ST-B-002 | Trial | Done | Ingestion | deck | docs/plans/ingest.md | |
| ST-B-003 | Ship | Done | Security | | docs/plans/other.md | |
| ST-B-009 | Only on the board | Backlog | Ops | | | keep me |
"""

CSV = "ID,Title,Column,OwnerRole\nST-B-001,Investigate,In Progress,Ingestion\n"


@pytest.fixture
def repo_config(tmp_path: Path) -> Config:
    return make_repo(
        tmp_path / "repo",
        {
            "docs/plans/ingest.md": PLAN,
            "docs/taskboard/TaskBoard.md": BOARD,
            "docs/taskboard/TaskBoard.csv": CSV,
        },
        '[tool.charter]\npreset = "table-plans"\n',
    )


def findings(config: Config) -> list[tuple[str, int, str, str]]:
    repo = load_repo(config, use_cache=False)
    result = reconcile(repo, read_boards(repo))
    return [(d.path, d.line, d.code, d.message) for d in result.diagnostics]


def test_every_difference_is_reported_with_file_and_line(repo_config: Config) -> None:
    got = {(path, line, code) for path, line, code, _ in findings(repo_config)}
    board, plan, csv = (
        "docs/taskboard/TaskBoard.md",
        "docs/plans/ingest.md",
        "docs/taskboard/TaskBoard.csv",
    )
    assert got == {
        (board, 5, "RC004"),  # Review on the board, In Progress in the plan
        (board, 5, "RC005"),  # owner, deliverable and notes only on the board
        (board, 6, "RC005"),  # the table row has an empty Owner cell
        (board, 6, "RC007"),  # ... but no Deliverable column
        (board, 7, "RC006"),  # Security on the board, Platform in the plan
        (board, 7, "RC008"),  # links another plan
        (board, 8, "RC003"),  # no plan defines ST-B-009
        (plan, 6, "RC002"),
        (plan, 11, "RC002"),  # not in the CSV
        (plan, 12, "RC002"),  # ST-B-005 is on neither board
        (csv, 2, "RC005"),  # the CSV's owner for ST-B-001, the same as the board's
    }
    messages = [m for _, _, _, m in findings(repo_config)]
    assert (
        "ST-B-001 is Review ('Review') on the board but In Progress in the plans "
        "(docs/plans/ingest.md:3)" in messages
    )
    assert any(
        m.startswith("ST-B-003: OwnerRole is 'Security' on the board but 'Platform'")
        for m in messages
    )


def test_write_moves_only_the_missing_facts_and_touches_nothing_else(repo_config: Config) -> None:
    repo = load_repo(repo_config, use_cache=False)
    written, problems = apply(repo, reconcile(repo, read_boards(repo)))
    assert written == ["docs/plans/from-board.md", "docs/plans/ingest.md"]
    assert problems == []
    after = (repo_config.root / "docs/plans/ingest.md").read_text()
    assert after == PLAN.replace(
        "  - Depends: ST-B-002\n",
        "  - Depends: ST-B-002\n  - Owner: Ingestion\n  - Deliverable: `report.md`\n"
        "  - Notes: long<br>note\n",
    ).replace(
        "| ST-B-002 | Trial reduced ceilings |  |",
        "| ST-B-002 | Trial reduced ceilings | Ingestion |",
    )
    orphans = parse_plan(
        "p.md", (repo_config.root / "docs/plans/from-board.md").read_bytes(), repo_config
    )
    (task,) = orphans.tasks
    assert (task.id, task.status, task.owner, task.value("notes")) == (
        "ST-B-009",
        "Backlog",
        "Ops",
        "keep me",
    )
    # Nothing is left to move, and a second run changes nothing.
    codes = {code for _, _, code, _ in findings(repo_config)}
    assert "RC005" not in codes and "RC003" not in codes
    repo = load_repo(repo_config, use_cache=False)
    assert apply(repo, reconcile(repo, read_boards(repo))) == ([], [])
    assert (repo_config.root / "docs/plans/ingest.md").read_text() == after


def test_crlf_plans_stay_crlf_and_unknown_columns_move_too(tmp_path: Path) -> None:
    plan = "- [ ] **ST-1** A\r\n  - Status: Backlog\r\n- [ ] **ST-2** B\r\n"
    config = make_repo(
        tmp_path,
        {
            "docs/plans/p.md": plan.encode(),
            "board.md": "| ID | Effort | Owner |\n|--|--|--|\n"
            "| ST-1 | 3d | Ann |\n| ST-2 | 1d | |\n",
        },
        '[tool.charter]\npreset = "table-plans"\n',
    )
    repo = load_repo(config, use_cache=False)
    written, problems = apply(repo, reconcile(repo, read_boards(repo, [config.root / "board.md"])))
    assert (written, problems) == (["docs/plans/p.md"], [])
    assert (config.root / "docs/plans/p.md").read_bytes() == (
        b"- [ ] **ST-1** A\r\n  - Status: Backlog\r\n  - Owner: Ann\r\n  - Effort: 3d\r\n"
        b"- [ ] **ST-2** B\r\n  - Effort: 1d\r\n"
    )


def test_cli_reports_json_and_exit_codes(repo_config: Config) -> None:
    runner = CliRunner()
    group = _build_group()
    result = runner.invoke(
        group,
        ["reconcile", "--repo", str(repo_config.root), "--format", "json"],
        standalone_mode=False,
    )
    assert result.return_value == 1
    codes = sorted({d["code"] for d in json.loads(result.output)["findings"]})
    assert codes == ["RC002", "RC003", "RC004", "RC005", "RC006", "RC007", "RC008"]


def test_a_board_in_step_exits_zero(tmp_path: Path) -> None:
    config = make_repo(
        tmp_path,
        {
            "docs/plans/p.md": "- [x] **ST-1** A\n  - Status: Done\n  - Evidence: `p.md`\n",
            "docs/taskboard/TaskBoard.csv": "ID,Title,Status\nST-1,A,Done\n",
        },
        '[tool.charter]\npreset = "table-plans"\n',
    )
    result = CliRunner().invoke(
        _build_group(), ["reconcile", "--repo", str(config.root)], standalone_mode=False
    )
    assert result.return_value == 0, result.output


def test_no_board_is_a_clear_error(tmp_path: Path) -> None:
    from charter.cli import main

    config = make_repo(tmp_path, {"docs/plans/p.md": "- [ ] **ST-1** A\n"}, "")
    assert main(["reconcile", "--repo", str(config.root)]) == 2


def test_rows_without_an_id_are_matched_by_their_plan_link(tmp_path: Path) -> None:
    config = make_repo(
        tmp_path,
        {
            "docs/plans/p.md": "- [ ] Write the docs\n- [x] Ship\n",
            "board.md": "| ID | Title | Column | Plan |\n|--|--|--|--|\n"
            "|  | Write the docs | Done | [p](docs/plans/p.md#L1) |\n"
            "|  | Ship | Done | docs/plans/p.md |\n"
            "| - | Unlinked | Done | |\n",
        },
        '[tool.charter]\npreset = "table-plans"\nanonymous_tasks = true\n',
    )
    repo = load_repo(config, use_cache=False)
    result = reconcile(repo, read_boards(repo, [config.root / "board.md"]))
    assert [(d.line, d.code, d.message) for d in result.diagnostics] == [
        (
            3,
            "RC004",
            "docs/plans/p.md:1 is Done ('Done') on the board but Backlog in the plans "
            "(docs/plans/p.md:1)",
        ),
        (5, "RC001", "a row without a task ID or a plan link to a task: it is not compared"),
    ]


@pytest.mark.parametrize(
    ("epic", "expected"),
    [
        ("ST-1", []),  # what charter's own board writes: in step
        ("ST-9", ["RC004"]),  # the board puts the subtask under another epic
    ],
)
def test_an_epic_column_is_compared_with_the_plans_nesting(
    tmp_path: Path, epic: str, expected: list[str]
) -> None:
    plan = "- [ ] **ST-1** Epic\n  - [ ] **ST-2** Its issue\n- [ ] **ST-9** Other\n"
    board = (
        "| ID | Epic | Title | Column |\n|---|---|---|---|\n"
        f"| ST-1 |  | Epic | Backlog |\n| ST-2 | {epic} | Its issue | Backlog |\n"
        "| ST-9 |  | Other | Backlog |\n"
    )
    config = make_repo(
        tmp_path, {"docs/plans/p.md": plan, "docs/taskboard/TaskBoard.md": board}, ""
    )
    found = findings(config)
    assert [code for _, _, code, _ in found] == expected
    if expected:
        assert "under 'ST-9' on the board but under ST-1 in the plans" in found[0][3]
