"""The README's five-minute tour, run line by line as written: real git, the installed
charter, a scratch directory. Every line succeeds except the one the README says is denied."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.firsthour.helpers import CHARTER, env

pytestmark = pytest.mark.skipif(
    shutil.which("make") is None or not CHARTER.exists(),
    reason="the tour needs make and the installed charter (make .venv/.installed)",
)


def tour_lines() -> list[str]:
    readme = (REPO_ROOT / "README.md").read_text("utf-8")
    start = readme.index("A five-minute tour")
    block = re.search(r"```sh\n(.*?)```", readme[start:], re.S)
    assert block is not None, "the README's tour has no sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_the_tour_opens_with_init_and_commits_before_the_session() -> None:
    lines = tour_lines()
    order = [
        next(i for i, line in enumerate(lines) if word in line)
        for word in ("charter init", "git commit", "session-start", "session abort")
    ]
    assert order == sorted(order)


@pytest.mark.slow
def test_the_readme_tour_runs_as_written(tmp_path: Path) -> None:
    scratch = tmp_path / "tour"
    shell_env = env(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), HOME=str(tmp_path))
    cwd = tmp_path
    for line in tour_lines():
        command = line.replace("/tmp/tour", str(scratch))
        run = subprocess.run(
            # `cd` in one line carries to the next, as in the person's shell
            ["bash", "-c", f'{command}\nrc=$?; echo "__cwd=$PWD"; exit $rc'],
            cwd=cwd,
            env=shell_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        said_denied = "# denied" in line
        assert (run.returncode != 0) is said_denied, (line, run.stdout, run.stderr)
        if said_denied:
            assert "curl" in run.stdout + run.stderr
            continue
        cwd = Path(run.stdout.rsplit("__cwd=", 1)[1].strip())
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=scratch, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert log[:2] == ["tour session", "charter init"]
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=scratch,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status == ""  # no lock file, cache or stray state left for `git add -A`
