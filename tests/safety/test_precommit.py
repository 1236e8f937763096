"""The charter-commit-guard hook, through real pre-commit (try-repo), refuses a guarded commit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow

POLICY = """\
---
charter_policy: 1
levels:
  L1:
    allow: [ls]
forbidden_paths: [".env"]
needs_decision_record: ["schemas/**"]
---
"""


def _pre_commit() -> list[str]:
    exe = Path(sys.executable).with_name("pre-commit")
    if exe.exists():
        return [str(exe)]
    if shutil.which("pre-commit"):
        return ["pre-commit"]
    pytest.skip("pre-commit is not installed (pip install '.[test]')")


def _try_repo(work: Path, home: Path, *files: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    source = os.environ.get("CHARTER_HOOK_SOURCE", str(REPO_ROOT))  # a snapshot, when testing one
    args = [*_pre_commit(), "try-repo", source, "charter-commit-guard", "--files", *files]
    return subprocess.run(args, cwd=work, env=env, capture_output=True, text=True, timeout=900)


def test_the_commit_guard_hook_refuses_forbidden_files_and_undocumented_schemas(
    tmp_path: Path,
) -> None:
    work = tmp_path / "work"
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    (work / "docs/agents").mkdir(parents=True)
    (work / "docs/agents/AUTONOMY.md").write_text(POLICY)
    (work / "schemas").mkdir()
    (work / "schemas/user.json").write_text("{}\n")
    (work / ".env").write_text("TOKEN=1\n")
    subprocess.run(["git", "add", "-A"], cwd=work, check=True)
    home = tmp_path / "pre-commit-home"

    bad = _try_repo(work, home, ".env", "schemas/user.json", "docs/agents/AUTONOMY.md")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert ".env:1:1: CH024 .env is staged in git, but the policy forbids it" in bad.stdout
    assert "schemas/user.json:1:1: CH026 STOP: schemas/user.json changes" in bad.stdout

    subprocess.run(["git", "rm", "-q", "--cached", ".env"], cwd=work, check=True)
    (work / "docs/adr").mkdir(parents=True)
    (work / "docs/adr/0001-user-schema.md").write_text("# The user schema\n")
    subprocess.run(["git", "add", "docs/adr"], cwd=work, check=True)
    good = _try_repo(
        work, home, "schemas/user.json", "docs/adr/0001-user-schema.md", "docs/agents/AUTONOMY.md"
    )
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
