"""SIGKILL at random points of every writing command.

For each command: a finished run in a copy of the starting state gives the
"new" files and the command's run time. Then, again and again, a fresh copy
of the starting state, the command started and killed (its whole process
group) at a random moment within that run time, and after each kill:

- every file is either its old or its new content (not torn);
- the command run again finishes (no lock of the killed one blocks it) and
  leaves exactly what a run never killed leaves (no edit lost);
- `charter check` and `charter board --check` say the same with the cache as
  without it (no half-written cache is believed);
- no command printed a traceback or an internal error.

`make test` runs QUICK kills per command; `make test-faults` (CHARTER_FAULTS=full)
runs FULL per command, 10 commands: 250 kills.
"""

from __future__ import annotations

import os
import random
import shutil
from collections import Counter
from pathlib import Path

import pytest

from tests.faults import harness
from tests.faults.harness import OPERATIONS, Operation

QUICK = 2
FULL = 25
KILLS = FULL if os.environ.get("CHARTER_FAULTS") == "full" else QUICK
TALLY: Counter[str] = Counter()

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return harness.build_base(tmp_path_factory.mktemp("faults") / "base")


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.name for op in OPERATIONS])
def test_sigkill_at_random_points_tears_nothing_and_loses_nothing(
    op: Operation, base: Path, tmp_path: Path
) -> None:
    start = harness.prepare(base, tmp_path / "start", op)
    before = harness.snapshot(start)
    reference = tmp_path / "reference"
    shutil.copytree(start, reference, symlinks=True)
    result, seconds = harness.timed(reference, op.args)
    assert result.code in op.codes, f"{op.name}: exit {result.code}\n{result.err}"
    finished = harness.snapshot(reference)
    assert finished != before, f"{op.name} changed nothing: the test would prove nothing"
    rng = random.Random(f"{op.name}-{KILLS}")
    problems: list[str] = []
    for n in range(KILLS):
        work = tmp_path / f"kill-{n}"
        shutil.copytree(start, work, symlinks=True)
        landed = harness.run_killed(work, op.args, rng.uniform(0.05, seconds * 1.1))
        TALLY["kills"] += landed
        problems += _after_kill(op, work, before, finished)
        shutil.rmtree(work)
    TALLY["operations"] += KILLS
    assert not problems, "\n".join(problems)


def _after_kill(
    op: Operation, work: Path, before: harness.Snapshot, finished: harness.Snapshot
) -> list[str]:
    problems = []
    killed = harness.snapshot(work)
    torn = harness.torn_files(before, killed, finished)
    TALLY["torn"] += len(torn)
    problems += [f"{op.name}: torn {rel}" for rel in torn]
    again = harness.run(work, *op.args)
    if again.code is None:
        TALLY["hangs"] += 1
        return [*problems, f"{op.name}: the run after the kill hung (a lock left behind?)"]
    if again.traceback:
        TALLY["tracebacks"] += 1
        problems.append(f"{op.name}: traceback after the kill:\n{again.err}")
    if killed == before or again.code in op.codes:
        lost = harness.lost_edits(finished, harness.snapshot(work), op.appends)
    else:
        # Finished before the kill, or far enough that running it again is refused
        # (a session already started): what the kill left must already be the result.
        lost = harness.lost_edits(finished, killed, op.appends)
    TALLY["lost"] += len(lost)
    problems += [f"{op.name}: differs from an unkilled run: {rel}" for rel in lost]
    for args in (("check", "--format", "json"), ("board", "--check")):
        warm = harness.run(work, *args)
        cold = harness.run(work, *args, "--no-cache") if args[0] == "check" else None
        if cold is None:
            shutil.rmtree(work / ".charter/cache", ignore_errors=True)
            cold = harness.run(work, *args)
        for result in (warm, cold):
            if result.code is None:
                TALLY["hangs"] += 1
                problems.append(f"{op.name}: charter {' '.join(args)} hung")
            elif result.traceback:
                TALLY["tracebacks"] += 1
                problems.append(f"{op.name}: charter {' '.join(args)}: {result.err}")
        if (warm.code, warm.out) != (cold.code, cold.out):
            problems.append(f"{op.name}: charter {' '.join(args)} differs without the cache")
    return problems


def test_report_the_tally() -> None:
    """Prints the figures (run with -s); the kill tests above assert each is zero."""
    print(
        f"\nfault tally: operations {TALLY['operations']}, kills landed {TALLY['kills']}, "
        f"files torn {TALLY['torn']}, edits lost {TALLY['lost']}, "
        f"tracebacks {TALLY['tracebacks']}, hangs {TALLY['hangs']}"
    )
