"""Hundreds of claims racing in separate processes, across worktrees and clones: exactly
one winner per task, every loser told who won, and no ref left that nobody holds."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from charter.claims import ops
from charter.claims.record import REF_PREFIX
from tests.claims.helpers import clone_of, governed_clone, run_git, with_remote, worktree_of

RACER = Path(__file__).with_name("racer.py")
TASKS = [f"PAR-{n}" for n in range(1, 6)]


def race(places: list[tuple[Path, str]], processes: int, flag: Path) -> list[dict[str, str]]:
    """`processes` racers spread over `places` (worktree, remote or "-"), started together."""
    racers = [
        subprocess.Popen(
            [
                sys.executable,
                str(RACER),
                str(where),
                remote,
                f"agent-{n}",
                str(flag),
                ",".join(TASKS),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, (where, remote) in enumerate(places[n % len(places)] for n in range(processes))
    ]
    time.sleep(1.0)  # let them import and wait at the flag
    flag.write_text("go", encoding="utf-8")
    outcomes = []
    for racer in racers:
        out, err = racer.communicate(timeout=300)
        assert racer.returncode == 0, err
        outcomes += [json.loads(line) for line in out.splitlines()]
    return outcomes


def assert_one_winner_each(outcomes: list[dict[str, str]], store: ops.Store, racers: int) -> None:
    assert len(outcomes) == racers * len(TASKS)
    winners = {o["task"]: o["agent"] for o in outcomes if o["action"] == "claimed"}
    assert Counter(o["task"] for o in outcomes if o["action"] == "claimed") == Counter(TASKS)
    for o in outcomes:
        if o["action"] != "claimed":
            assert (o["action"], o["holder"]) == ("refused", winners[o["task"]]), o
    held = {c.task: c.agent for c in ops.list_claims(store)}
    assert held == winners  # every ref is a winner's claim: no orphan, no second


@pytest.mark.slow
def test_racing_worktrees_of_one_clone(tmp_path: Path) -> None:
    root = governed_clone(tmp_path)
    places = [(root, "-")] + [(worktree_of(root, f"wt-{n}"), "-") for n in range(3)]
    outcomes = race(places, 60, tmp_path / "go")
    assert_one_winner_each(outcomes, ops.Store(root, None), 60)


@pytest.mark.slow
def test_racing_clones_against_a_bare_remote(tmp_path: Path) -> None:
    root = governed_clone(tmp_path)
    bare = with_remote(tmp_path, root)
    second = clone_of(tmp_path, bare, "second")
    places = [(root, "origin"), (second, "origin"), (worktree_of(second, "wt-x"), "origin")]
    outcomes = race(places, 40, tmp_path / "go")
    assert_one_winner_each(outcomes, ops.Store(root, "origin"), 40)
    assert run_git(root, "for-each-ref", REF_PREFIX) == ""  # nothing half-claimed locally
    assert run_git(second, "for-each-ref", REF_PREFIX) == ""
