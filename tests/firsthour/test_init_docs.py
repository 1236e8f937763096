"""docs/init.md's worked examples run as printed, with the installed charter and real git."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.firsthour.helpers import env

pytestmark = pytest.mark.slow
INIT_DOC = REPO_ROOT / "docs" / "init.md"


def _block_after(heading: str) -> str:
    text = INIT_DOC.read_text("utf-8")
    match = re.search(rf"## {re.escape(heading)}.*?```sh\n(.*?)```", text, re.S)
    assert match is not None, f"docs/init.md has no shell example under '## {heading}'"
    return match.group(1)


def _run(script: str, cwd: Path, home: Path) -> str:
    proc = subprocess.run(
        ["bash", "-ec", script],
        cwd=cwd,
        env=env(PRE_COMMIT_HOME=str(home / "pre-commit"), HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout + proc.stderr


def test_try_it_runs_from_init_through_a_session_and_its_abort(tmp_path: Path) -> None:
    out = _run(_block_after("Try it"), tmp_path, tmp_path)
    assert "created docs/plans/example.md" in out
    assert "installed .git/hooks/pre-commit" in out
    assert "Session " in out and "aborted; log: docs/agents/sessions/" in out
    assert not (tmp_path / "init-demo/.charter/active-session.json").exists()


def test_the_test_command_example_allows_pytest(tmp_path: Path) -> None:
    out = _run(_block_after("The project's test command"), tmp_path, tmp_path)
    assert "tests: `python -m pytest` (from pyproject.toml)" in out and "allowed" in out
