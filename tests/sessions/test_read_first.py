"""What a plan asks a session to read first, for the briefing's "Read first"."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from charter.model import Plan
from charter.sessions.read_first import read_first
from tests.conftest import EXAMPLES


@pytest.mark.parametrize(
    ("frontmatter", "text", "expected"),
    [
        ({"read_first": ["docs/a.md", "docs/b.md"]}, "", ["docs/a.md", "docs/b.md"]),
        ({"read_first": "docs/a.md"}, "", ["docs/a.md"]),
        (
            {},
            "## Read first\n\n- `docs/a.md`, then `the idea`\n\n## Work\n\n- `docs/c.md`\n",
            ["docs/a.md"],
        ),
        (
            {"read_first": ["docs/a.md"]},
            "# P\n## Before you start\n1. `docs/a.md:2025-10-19` and `b/c.py`\n"
            "```bash\n`not/this.sh`\n```\n### Sub\n- `d/e.md`\n## Next\n`x/y.md`\n",
            ["docs/a.md", "b/c.py", "d/e.md"],
        ),
        ({}, "## Plan\n\n- `docs/a.md`\n", []),
    ],
)
def test_read_first(frontmatter: dict[str, object], text: str, expected: list[str]) -> None:
    assert read_first(Plan("p.md", frontmatter=frontmatter), text) == expected


def test_the_long_session_examples_pre_flight_list(tmp_path: Path) -> None:
    example = EXAMPLES / "long-session-plan.md"
    if not example.is_file():
        pytest.skip(f"{example} is absent (../shared/examples is not mounted)")
    copy = tmp_path / "plan.md"
    shutil.copy(example, copy)
    assert read_first(Plan("p.md"), copy.read_text("utf-8")) == [
        "progress.md",
        "docs/SESSION_HANDOFF.md",
        "docs/Tasks/tracker_cli_todo.md",
        "docs/System/methodologies/README.md",
        "docs/System/methodologies/tracker_alias_cycle/experiments/001_provider_windows.md",
        "docs/ai-docs/codex/codex_cli_reference.md",
        "docs/ai-docs/claude-monitor-reference.md",
    ]
