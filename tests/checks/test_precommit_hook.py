"""The charter-check hook, driven through real pre-commit (try-repo) in a temporary repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow

GOOD = "---\nid: p\ntitle: P\n---\n- [ ] **ST-A-1** open task\n"
BAD = "---\nid: p\ntitle: P\n---\n- [x] **ST-A-1** done, no evidence\n"


def _pre_commit() -> list[str]:
    exe = Path(sys.executable).with_name("pre-commit")
    if exe.exists():
        return [str(exe)]
    if shutil.which("pre-commit"):
        return ["pre-commit"]
    pytest.skip("pre-commit is not installed (pip install '.[test]')")


def _run(args: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_charter_check_hook_fails_on_a_bad_plan_and_passes_on_a_good_one(tmp_path: Path) -> None:
    pre_commit = _pre_commit()
    work = tmp_path / "work"
    plan = work / "docs" / "plans" / "p.md"
    plan.parent.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    (work / "charter.toml").write_text('id_pattern = "ST-[A-Z]-\\\\d+"\n')
    home = tmp_path / "pre-commit-home"

    plan.write_text(BAD)
    subprocess.run(["git", "add", "-A"], cwd=work, check=True)
    bad = _run(
        [*pre_commit, "try-repo", str(REPO_ROOT), "charter-check", "--files", "docs/plans/p.md"],
        work,
        home,
    )
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "docs/plans/p.md:5:3: CH003" in bad.stdout

    plan.write_text(GOOD)
    subprocess.run(["git", "add", "-A"], cwd=work, check=True)
    good = _run(
        [*pre_commit, "try-repo", str(REPO_ROOT), "charter-check", "--files", "docs/plans/p.md"],
        work,
        home,
    )
    assert good.returncode == 0, good.stdout + good.stderr
    assert "charter check" in good.stdout and "Passed" in good.stdout
