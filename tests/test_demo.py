"""`make demo` runs every step with the exit code it promises."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_demo_runs_end_to_end() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "tools" / "demo.py")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "docs/plans/release.md:11:14: CH006 ST-R-001 depends on unknown task ST-B-099" in out
    assert "decision: allow" in out and "command substitution" in out
    assert "Session 2026-" in out and "charter demo: done" in out
    assert not (REPO_ROOT / "examples" / "demo" / "docs" / "taskboard" / "TaskBoard.md").exists()
