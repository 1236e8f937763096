"""The kill switch survives losing `.charter/`: the git ref `refs/charter/stop`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from charter.config import Config
from charter.errors import CharterError
from charter.guard.api import check_command
from charter.safety.control import resume, stop
from charter.state import stopref
from charter.state.killswitch import read_stop


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _denied(root: Path) -> str:
    decision = check_command("git status", cwd=str(root), root=str(root), count=False).decision
    assert not decision.allowed
    return decision.reason or ""


def test_stop_writes_the_ref_and_survives_deleting_the_state_folder(repo: Config) -> None:
    root = repo.root
    result = stop(repo, "the agent is deleting tests", by="ana")
    assert result.problems == []
    assert '"reason": "the agent is deleting tests"' in _git(root, "cat-file", "-p", stopref.REF)
    shutil.rmtree(root / ".charter")
    assert "the kill switch is engaged" in _denied(root)
    assert "refs/charter/stop still records the stop" in _denied(root)
    resume(repo, "ana")
    assert not stopref.engaged(str(root)) and read_stop(str(root)) is None
    assert check_command("git status", cwd=str(root), root=str(root), count=False).decision.allowed


def test_a_packed_ref_still_stops(repo: Config) -> None:
    root = repo.root
    stop(repo, "halt", by="ana")
    _git(root, "pack-refs", "--all")
    assert not (root / ".git/refs/charter/stop").exists()
    (root / ".charter/STOP").unlink()
    assert "kill switch" in _denied(root)
    resume(repo, "ana")
    assert not stopref.engaged(str(root))


def test_a_worktree_shares_the_stop(repo: Config, tmp_path: Path) -> None:
    root = repo.root
    other = tmp_path / "other-worktree"
    _git(
        root,
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "c",
    )
    _git(root, "worktree", "add", "-q", "-b", "elsewhere", str(other))
    stop(repo, "halt", by="ana")
    assert (
        stopref.common_git_dir(str(other)) == str((root / ".git").resolve())
        or Path(stopref.common_git_dir(str(other)) or "").resolve() == (root / ".git").resolve()
    )
    assert stopref.engaged(str(other))


def test_without_git_the_stop_says_it_is_only_a_file(repo: Config) -> None:
    shutil.rmtree(repo.root / ".git")
    result = stop(repo, "halt", by="ana")
    assert any("was not written" in problem for problem in result.problems)
    assert read_stop(str(repo.root)) is not None


def test_resume_without_a_stop_is_an_error(repo: Config) -> None:
    with pytest.raises(CharterError, match="not engaged"):
        resume(repo, "ana")
