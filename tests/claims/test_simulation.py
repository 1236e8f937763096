"""Agents crashing at random while working through tasks: every task ends done exactly
once. `make test` runs a small remote run (6 agents, 40 tasks: killed mid-claim, mid-push,
dying with a lease that must expire); `make test-faults` (CHARTER_FAULTS=full) runs the
full one, 50 agents over 2,000 tasks (its figures: docs/parallel.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.claims.helpers import clone_of, governed_clone, with_remote, worktree_of
from tests.claims.simulation import Report, simulate

FULL = os.environ.get("CHARTER_FAULTS") == "full"


def _every_task_done_once(report: Report, tasks: int) -> None:
    assert report.done == tasks
    assert report.tasks_logged_twice == 0
    assert report.failed == 0  # no agent stopped on an error of its own
    assert report.killed + report.crashed > 0  # the run did lose agents on the way


@pytest.mark.slow
def test_crashing_agents_finish_every_task_exactly_once(tmp_path: Path) -> None:
    root = governed_clone(tmp_path)
    bare = with_remote(tmp_path, root)
    second = clone_of(tmp_path, bare, "second")
    places = [(root, "origin"), (second, "origin"), (worktree_of(second, "wt-b"), "origin")]

    report = simulate(places, agents=6, tasks=40, logs=tmp_path / "logs", crash=0.05)

    _every_task_done_once(report, 40)


@pytest.mark.faults
@pytest.mark.skipif(
    not FULL,
    reason="the full run (50 agents, 2,000 tasks, about half an hour): CHARTER_FAULTS=full",
)
def test_fifty_agents_two_thousand_tasks(tmp_path: Path) -> None:
    root = governed_clone(tmp_path)
    places = [(root, "-"), (worktree_of(root, "wt-a"), "-")]

    report = simulate(places, agents=50, tasks=2000, logs=tmp_path / "logs", timeout=5400)

    print(report)  # the figures docs/parallel.md quotes (`make test-faults` runs with -s)
    _every_task_done_once(report, 2000)
