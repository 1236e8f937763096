"""Concurrent writers: several processes, and several git worktrees of one repository.

Every edit must land in its plan, every command must finish without an error,
and when the last one is done the board and handoff already show every edit
(each regeneration reads the plans under the board's locks, so the last one
saw all edits that finished before it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.faults import harness

pytestmark = pytest.mark.faults

ROUNDS = 3 if os.environ.get("CHARTER_FAULTS") == "full" else 1


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return harness.build_base(tmp_path_factory.mktemp("concurrent") / "base")


def start(root: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        harness.charter_argv(*args),
        cwd=root,
        env=harness.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish(procs: list[tuple[str, subprocess.Popen[bytes]]]) -> list[str]:
    problems = []
    for name, proc in procs:
        try:
            _out, err = proc.communicate(timeout=harness.COMMAND_TIMEOUT_S * 2)
        except subprocess.TimeoutExpired:
            proc.kill()
            problems.append(f"{name}: hung")
            continue
        if proc.returncode != 0:
            problems.append(f"{name}: exit {proc.returncode}: {err.decode()}")
    return problems


def edits_for(root: Path, tasks: range, tag: str) -> list[tuple[str, subprocess.Popen[bytes]]]:
    """One process per task: set its owner (the board regenerated after each edit)."""
    return [
        (f"{tag} W-{n}", start(root, "task", "set", f"W-{n}", "--owner", f"{tag}{n}"))
        for n in tasks
    ]


def owners(root: Path) -> set[str]:
    return {
        line.split(":", 1)[1].strip()
        for line in (root / "docs/plans/work.md").read_text().splitlines()
        if line.strip().startswith("- Owner:")
    }


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_writers_in_several_processes_lose_nothing(base: Path, tmp_path: Path, round_: int) -> None:
    root = tmp_path / "repo"
    shutil.copytree(base, root, symlinks=True)
    procs = edits_for(root, range(1, harness.TASKS + 1), f"p{round_}-")
    procs += [(f"board {n}", start(root, "board")) for n in range(2)]
    procs += [(f"handoff {n}", start(root, "handoff")) for n in range(2)]
    assert finish(procs) == []
    assert {f"p{round_}-{n}" for n in range(1, harness.TASKS + 1)} <= owners(root)
    # A last handoff (its writers may have finished before the last edit); the board
    # must already be current: every edit regenerated it under the lock.
    assert harness.run(root, "handoff").code == 0
    board = harness.run(root, "board", "--check")
    assert board.code == 0, board.out + board.err
    check = harness.run(root, "handoff", "--check")
    assert check.code == 0, check.out + check.err


def test_writers_in_several_worktrees_of_one_repository(base: Path, tmp_path: Path) -> None:
    main = tmp_path / "main"
    shutil.copytree(base, main, symlinks=True)
    trees = [main]
    for n in (2, 3):
        tree = tmp_path / f"tree{n}"
        harness.git(main, "worktree", "add", "-q", "-b", f"tree{n}", str(tree))
        trees.append(tree)
    procs = []
    for index, tree in enumerate(trees):
        procs += edits_for(tree, range(1 + index * 4, 5 + index * 4), f"t{index}-")
        procs.append((f"board in {tree.name}", start(tree, "board")))
    assert finish(procs) == []
    for index, tree in enumerate(trees):
        mine = {f"t{index}-{n}" for n in range(1 + index * 4, 5 + index * 4)}
        theirs = {o for o in owners(tree) if o[:1] == "t" and o[1:2].isdigit() and o not in mine}
        assert mine <= owners(tree), f"{tree.name} lost an edit"
        assert not theirs, f"{tree.name} holds another worktree's edits: {theirs}"
        board = harness.run(tree, "board", "--check")
        assert board.code == 0, f"{tree.name}: {board.out}{board.err}"
