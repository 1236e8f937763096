"""Two branches that edit different tasks merge with real git: no conflict, and a board
that `charter board --check` accepts, in the work tree and in the merge commit."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.scaffold import init_repo
from tests.firsthour.helpers import charter, git, git_repo

GENERATED = (
    "docs/taskboard/TaskBoard.md",
    "docs/taskboard/TaskBoard.csv",
    "docs/SESSION_HANDOFF.md",
)


def _branches(tmp_path: Path, *, hooks: bool) -> Path:
    root = git_repo(tmp_path / "repo")
    init_repo(root, pre_commit=None, git_hooks=hooks)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "charter init")
    git(root, "checkout", "-qb", "ana")
    assert charter(root, "task", "set", "EX-1", "--status", "In Progress").returncode == 0
    assert charter(root, "handoff").returncode == 0
    git(root, "commit", "-qam", "EX-1 started")
    git(root, "checkout", "-q", "main")
    assert charter(root, "task", "set", "EX-2", "--owner", "bo").returncode == 0
    assert charter(root, "handoff").returncode == 0
    git(root, "commit", "-qam", "EX-2 to bo")
    return root


def _board_is_right(root: Path) -> None:
    for args in (["board", "--check"], ["handoff", "--check"], ["check"]):
        run = charter(root, *args)
        assert run.returncode == 0, (args, run.stdout, run.stderr)
    board = (root / "docs/taskboard/TaskBoard.csv").read_text("utf-8")
    assert "EX-1,Write the first feature,In Progress" in board and ",bo," in board


def test_without_charters_merge_setup_the_board_conflicts(tmp_path: Path) -> None:
    """What teams met before: the plans merge, the board does not."""
    root = _branches(tmp_path, hooks=False)
    (root / ".gitattributes").unlink()
    git(root, "commit", "-qam", "no attributes")
    merge = git(root, "merge", "-q", "--no-edit", "ana", check=False)
    assert merge.returncode != 0 and "TaskBoard" in merge.stdout + merge.stderr
    # docs/init.md's way out: keep one side, then regenerate (no --force needed)
    git(root, "checkout", "--ours", *GENERATED)
    assert charter(root, "board").returncode == 0
    assert charter(root, "handoff").returncode == 0
    _board_is_right(root)


def test_a_merge_of_two_branches_has_no_conflict_and_a_right_board(tmp_path: Path) -> None:
    root = _branches(tmp_path, hooks=True)
    merge = git(root, "merge", "--no-edit", "ana", check=False)
    assert merge.returncode == 0, merge.stdout + merge.stderr
    assert git(root, "status", "--porcelain").stdout == ""  # nothing left to regenerate
    _board_is_right(root)
    # the merge commit itself holds the regenerated files, so CI on it passes too
    for rel in GENERATED:
        assert git(root, "show", f"HEAD:{rel}").stdout == (root / rel).read_text("utf-8"), rel
    assert len(git(root, "log", "-1", "--format=%P").stdout.split()) == 2


@pytest.mark.parametrize("why", ["no hook", "charter not found by the hook"])
def test_without_the_hook_the_merge_is_clean_and_one_board_run_fixes_it(
    tmp_path: Path, why: str
) -> None:
    """The merge driver alone (a teammate without charter's hooks, or without charter):
    no conflict, and `charter board` regenerates without --force."""
    root = _branches(tmp_path, hooks=why != "no hook")
    if why != "no hook":
        hook = root / ".git/hooks/post-merge"
        hook.write_text(hook.read_text().replace("charter=charter", "charter="))
        (root / ".git/hooks/pre-commit").unlink()
    merge = git(root, "merge", "--no-edit", "ana", check=False)
    assert merge.returncode == 0, merge.stdout + merge.stderr
    assert "<<<<<<<" not in (root / "docs/taskboard/TaskBoard.md").read_text("utf-8")
    assert charter(root, "board").returncode == 0
    assert charter(root, "handoff").returncode == 0
    _board_is_right(root)


def test_a_clone_without_the_local_config_learns_it_from_the_docs_command(tmp_path: Path) -> None:
    """The driver lives in .git/config, which a clone does not get: docs/init.md's one
    command sets it up, after which the clone merges cleanly too."""
    origin = _branches(tmp_path, hooks=False)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    git(clone, "checkout", "-q", "ana")
    git(clone, "checkout", "-q", "main")
    docs = (Path(__file__).resolve().parents[2] / "docs/init.md").read_text("utf-8")
    command = next(
        line for line in docs.splitlines() if line.startswith("git config merge.charter-generated")
    )
    git(clone, *command.split()[1:])
    merge = git(clone, "merge", "--no-edit", "ana", check=False)
    assert merge.returncode == 0, merge.stdout + merge.stderr
    assert charter(clone, "board").returncode == 0
    _board_is_right(clone)
