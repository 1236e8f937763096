"""Agents crashing at random while working through tasks: every task ends done exactly
once (the full 50 agents x 2,000 tasks run and its figures: docs/parallel.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.claims.helpers import clone_of, governed_clone, with_remote, worktree_of
from tests.claims.simulation import simulate


@pytest.mark.slow
def test_crashing_agents_finish_every_task_exactly_once(tmp_path: Path) -> None:
    root = governed_clone(tmp_path)
    bare = with_remote(tmp_path, root)
    second = clone_of(tmp_path, bare, "second")
    places = [(root, "origin"), (second, "origin"), (worktree_of(second, "wt-b"), "origin")]

    report = simulate(places, agents=6, tasks=40, logs=tmp_path / "logs", crash=0.05)

    assert report.done == 40
    assert report.tasks_logged_twice == 0
    assert report.failed == 0  # no agent stopped on an error of its own
    assert report.killed + report.crashed > 0  # the run did lose agents on the way
