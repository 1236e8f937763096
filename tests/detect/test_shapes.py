"""Task shapes as teams write them: each row is a small document and what charter reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.config import Config
from charter.parse.plans import parse_plan
from charter.repo import load_repo

CONFIG = Config(root=Path("."), require_frontmatter=False, anonymous_tasks=True)


def read(text: str, path: str = "docs/plans/p.md") -> list[tuple[str | None, str, str | None]]:
    """(id, title, column) of every task, in order."""
    plan = parse_plan(path, text.encode(), CONFIG)
    return [
        (t.id, t.title, CONFIG.column_for_status(t.status) if t.status else None)
        for t in plan.walk()
    ]


SHAPES = [
    (
        "heading and field block",
        "### TASK-012: Export the board\n\n**Status**: DONE\n- **Owner**: ana\n",
        [("TASK-012", "Export the board", "Done")],
    ),
    (
        "a section about an ID is no task",
        "## CO-382 Fallback Decision Table\n- Large-refactor check: none\n",
        [],
    ),
    (
        "frontmatter-per-file task, quoted status, an unquoted @name",
        '---\nkey: WEB-7\nstate: "in_progress"\nassignee: @ana\nname: Login\n---\n# Login\n',
        [("WEB-7", "Login", "In Progress")],
    ),
    (
        "label items with a [x] Status line and evidence inside Acceptance",
        "1. **Foundation**\n  - Subtask: Sync collateral\n    - Acceptance: refs ok; "
        "Evidence: `a/b.json`\n    - [x] Status: _completed 2025-11-03_\n",
        [(None, "Sync collateral", "Done")],
    ),
    (
        "numbered milestone lines",
        "1. Milestone: Foundation\n2. Milestone: Rollout\n",
        [(None, "Foundation", None), (None, "Rollout", None)],
    ),
    (
        "inline Key: value on the item's line",
        "- [ ] ST-A-1 Ship it (Owner: ana; Status: blocked)\n",
        [("ST-A-1", "Ship it", "Blocked")],
    ),
    (
        "checkbox markers beyond [x]",
        "- [-] dropped one\n- [~] half done\n- [/] started\n",
        [
            (None, "dropped one", "Dropped"),
            (None, "half done", "In Progress"),
            (None, "started", "In Progress"),
        ],
    ),
    (
        "emoji statuses alone and with words",
        "| ID | Title | Status |\n|---|---|---|\n| A-1 | a | ✅ |\n| A-2 | b | 🔄 in_progress |\n",
        [("A-1", "a", "Done"), ("A-2", "b", "In Progress")],
    ),
    (
        "table without a separator row, trailing spaces after the last pipe",
        "| Task ID | Task | Status |\n| TASK-1 | one | done |   \n| TASK-2 | two | open |\n",
        [("TASK-1", "one", "Done"), ("TASK-2", "two", "Backlog")],
    ),
    (
        "ID column named Key or Feature ID",
        "| Feature ID | Feature Title |\n|---|---|\n| FEATURE-022-D | Storage |\n",
        [("FEATURE-022-D", "Storage", None)],
    ),
    (
        "no status column: the heading says it",
        "## Completed\n\n| ID | Title |\n|---|---|\n| A-3 | c |\n",
        [("A-3", "c", "Done")],
    ),
    (
        "no status column: a delivered date says it",
        "| ID | Title | Delivered |\n|---|---|---|\n| A-4 | d | 2026-01-02 |\n| A-5 | e | |\n",
        [("A-4", "d", "Done"), ("A-5", "e", None)],
    ),
    (
        "an ID range is no ID",
        "- [ ] ST-Z-001-006 the six stories\n",
        [(None, "ST-Z-001-006 the six stories", None)],
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), SHAPES, ids=[s[0] for s in SHAPES])
def test_shapes(name: str, text: str, expected: list[tuple[str | None, str, str | None]]) -> None:
    assert read(text) == expected


def test_numbered_rows_and_their_dependencies() -> None:
    text = (
        "| # | Task | Depends |\n|---|---|---|\n| 1 | a | - |\n| 2 | b | #1 |\n| 3 | c | |\n\n"
        "```mermaid\nflowchart LR\n    Task2 --> Task3\n```\n"
    )
    plan = parse_plan("docs/plans/road.md", text.encode(), CONFIG)
    assert [(t.id, t.depends) for t in plan.tasks] == [
        ("road#1", ()),
        ("road#2", ("road#1",)),
        ("road#3", ("road#2",)),
    ]


def test_mentions_resolve_to_the_finished_one(tmp_path: Path) -> None:
    plans = tmp_path / "docs" / "plans"
    plans.mkdir(parents=True)
    (plans / "board.md").write_text(
        "## Active\n\n| ID | Task | Status |\n|---|---|---|\n| W-1 | Login | 🔄 in progress |\n"
        "| W-2 | Logout | open |\n\n## Delivered\n\n| ID | Task |\n|---|---|\n| W-1 | Login |\n"
        "\n| ID | Task | Status |\n|---|---|---|\n| W-2 | Delete the account | open |\n",
        encoding="utf-8",
    )
    repo = load_repo(Config(root=tmp_path, require_frontmatter=False), use_cache=False)
    winners = repo.resolution.winners
    assert repo.standings.column(winners["W-1"]) == "Done"  # the Delivered mention speaks
    assert [(a.title, b.title) for a, b in repo.resolution.conflicts] == [
        ("Delete the account", "Logout")  # different work under one ID: CH002
    ]


def test_non_english_headings_and_statuses_as_the_config_maps_them(tmp_path: Path) -> None:
    from charter.config import config_from_table

    config = config_from_table(
        tmp_path,
        {
            "require_frontmatter": False,
            "status_map": {"Done": ["已完成", "klar"], "In Progress": ["进行中", "pågår"]},
        },
        tmp_path / "charter.toml",
    )
    text = (
        "## 已完成\n\n| ID | 标题 |\n|---|---|\n| BUG-1 | 修复 |\n\n"
        "| ID | Titel | Status |\n|---|---|---|\n| ST-1 | a | Pågår |\n| ST-2 | b | ✅ klar |\n"
    )
    plan = parse_plan("docs/plans/p.md", text.encode(), config)
    assert [(t.id, config.column_for_status(t.status or "")) for t in plan.tasks] == [
        ("BUG-1", "Done"),
        ("ST-1", "In Progress"),
        ("ST-2", "Done"),
    ]
