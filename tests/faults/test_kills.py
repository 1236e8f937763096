"""SIGKILL in the middle of every writing command, at random moments and at chosen points.

For each command: a finished run in a copy of the starting state, under the
fault shim, gives the "new" files and every point where the command changes a
file or takes a lock (with its time). Then, again and again, a fresh copy of the
starting state, the command started and killed (its whole process group):

- at a random moment between its first and its last point (random kills);
- exactly at one of its points, before or after it, or halfway through a write
  (kills at a point; the shim stops the process there, the test kills it).

A kill lands mid-command when the command, at that moment, held a lock or had
changed some of its files but not all (`inject.Kill`, `inject.partly_changed`):
both are measured and counted. After each kill:

- every file is either its old or its new content (not torn);
- the command run again finishes (no lock of the killed one blocks it) and
  leaves exactly what a run never killed leaves (no edit lost);
- `charter check` and `charter board --check` say the same with the cache as
  without it (no half-written cache is believed);
- no command printed a traceback or an internal error.

`make test` runs QUICK kills of each kind per command; `make test-faults`
(CHARTER_FAULTS=full) runs FULL_RANDOM and FULL_POINTS per command, 10 commands.
"""

from __future__ import annotations

import os
import random
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.faults import harness, inject
from tests.faults.harness import OPERATIONS, Operation

QUICK = 1
FULL_RANDOM = 5
FULL_POINTS = 26
MIN_MID_COMMAND = 200  # kills landing mid-command a full run must reach
FULL = os.environ.get("CHARTER_FAULTS") == "full"
RANDOM_KILLS = FULL_RANDOM if FULL else QUICK
POINT_KILLS = FULL_POINTS if FULL else QUICK
MOMENTS = ("before", "after", "half")  # `half`: for a write, half of it reached the file
TALLY: Counter[str] = Counter()

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return harness.build_base(tmp_path_factory.mktemp("faults") / "base")


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.name for op in OPERATIONS])
def test_sigkill_at_random_moments_tears_nothing_and_loses_nothing(
    op: Operation, base: Path, tmp_path: Path
) -> None:
    start, before, finished, points = _reference(op, base, tmp_path)
    first, last = points[0].seconds, points[-1].seconds
    rng = random.Random(f"{op.name}-{RANDOM_KILLS}")

    def kill(work: Path, n: int) -> inject.Kill:
        return inject.kill_after(work, op.args, rng.uniform(first, last))

    _kill_and_judge(op, start, before, finished, tmp_path, RANDOM_KILLS, kill, "random")


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.name for op in OPERATIONS])
def test_sigkill_at_write_fsync_rename_and_lock_points_tears_nothing_and_loses_nothing(
    op: Operation, base: Path, tmp_path: Path
) -> None:
    start, before, finished, points = _reference(op, base, tmp_path)
    chosen = choose_points(points, POINT_KILLS, random.Random(f"{op.name}-{POINT_KILLS}"))
    log = tmp_path / "stopped.jsonl"

    def kill(work: Path, n: int) -> inject.Kill:
        number, when = chosen[n]
        return inject.kill_at_point(work, op.args, number, when, log)

    _kill_and_judge(op, start, before, finished, tmp_path, len(chosen), kill, "point")


def choose_points(
    points: list[inject.Point], count: int, rng: random.Random
) -> list[tuple[int, str]]:
    """`count` (point, moment) pairs spread over the command's points. A run of writes to
    one file (a JSON cache written piece by piece) counts as one place, so the kills
    spread over the files and steps, not over one long write."""
    places = [p for i, p in enumerate(points) if i == 0 or _place(points[i - 1]) != _place(p)]
    chosen = []
    for n in range(count):
        if count <= len(places):  # one from each of `count` equal slices
            place = rng.choice(places[n * len(places) // count : (n + 1) * len(places) // count])
        else:  # fewer places than kills: each place again, at another moment
            place = places[n % len(places)]
        chosen.append((place.number, MOMENTS[n % len(MOMENTS)]))
    return chosen


def _place(point: inject.Point) -> tuple[str, str]:
    return point.kind, point.path


def _reference(
    op: Operation, base: Path, tmp_path: Path
) -> tuple[Path, harness.Snapshot, harness.Snapshot, list[inject.Point]]:
    """The starting state, its files, a finished run's files and that run's points."""
    start = harness.prepare(base, tmp_path / "start", op)
    before = harness.snapshot(start)
    reference = tmp_path / "reference"
    shutil.copytree(start, reference, symlinks=True)
    result, points = inject.count_points(reference, op.args, tmp_path / "points.jsonl")
    assert result.code in op.codes, f"{op.name}: exit {result.code}\n{result.err}"
    finished = harness.snapshot(reference)
    assert finished != before, f"{op.name} changed nothing: the test would prove nothing"
    assert points, f"{op.name}: the shim saw no write: it is not loaded"
    return start, before, finished, points


def _kill_and_judge(
    op: Operation,
    start: Path,
    before: harness.Snapshot,
    finished: harness.Snapshot,
    tmp_path: Path,
    count: int,
    kill: Callable[[Path, int], inject.Kill],
    kind: str,
) -> None:
    problems: list[str] = []
    for n in range(count):
        work = tmp_path / f"kill-{n}"
        shutil.copytree(start, work, symlinks=True)
        outcome = kill(work, n)
        killed = harness.snapshot(work)
        partly = inject.partly_changed(before, killed, finished, op.appends)
        TALLY[f"{kind} kills"] += 1
        TALLY[f"{kind} landed"] += outcome.landed
        TALLY[f"{kind} mid-command"] += outcome.landed and (outcome.lock_held or partly)
        TALLY[f"{kind} lock held"] += outcome.lock_held
        TALLY[f"{kind} partly changed"] += outcome.landed and partly
        problems += _after_kill(op, work, before, finished, kind)
        shutil.rmtree(work)
    TALLY["operations"] += count
    assert not problems, "\n".join(problems)


def _after_kill(
    op: Operation, work: Path, before: harness.Snapshot, finished: harness.Snapshot, kind: str
) -> list[str]:
    def count(what: str, n: int = 1) -> None:
        TALLY[f"{kind} {what}"] += n

    problems = []
    killed = harness.snapshot(work)
    torn = harness.torn_files(before, killed, finished)
    count("torn", len(torn))
    problems += [f"{op.name}: torn {rel}" for rel in torn]
    again = harness.run(work, *op.args)
    if again.code is None:
        count("hangs", 1)
        return [*problems, f"{op.name}: the run after the kill hung (a lock left behind?)"]
    if again.traceback:
        count("tracebacks", 1)
        problems.append(f"{op.name}: traceback after the kill:\n{again.err}")
    if killed == before or again.code in op.codes:
        lost = harness.lost_edits(finished, harness.snapshot(work), op.appends)
    else:
        # Finished before the kill, or far enough that running it again is refused
        # (a session already started): what the kill left must already be the result.
        lost = harness.lost_edits(finished, killed, op.appends)
    count("lost", len(lost))
    problems += [f"{op.name}: differs from an unkilled run: {rel}" for rel in lost]
    for args in (("check", "--format", "json"), ("board", "--check")):
        warm = harness.run(work, *args)
        cold = harness.run(work, *args, "--no-cache") if args[0] == "check" else None
        if cold is None:
            shutil.rmtree(work / ".charter/cache", ignore_errors=True)
            cold = harness.run(work, *args)
        for result in (warm, cold):
            if result.code is None:
                count("hangs", 1)
                problems.append(f"{op.name}: charter {' '.join(args)} hung")
            elif result.traceback:
                count("tracebacks", 1)
                problems.append(f"{op.name}: charter {' '.join(args)}: {result.err}")
        if (warm.code, warm.out) != (cold.code, cold.out):
            problems.append(f"{op.name}: charter {' '.join(args)} differs without the cache")
    return problems


def test_report_the_tally() -> None:
    """Prints the figures (run with -s); the kill tests above assert that none tore or
    lost anything, and a full run that at least MIN_MID_COMMAND kills landed mid-command."""
    for kind in ("random", "point"):
        for key in ("torn", "lost", "tracebacks", "hangs"):
            TALLY[f"{kind} {key}"] += 0
    figures = ", ".join(f"{key} {value}" for key, value in sorted(TALLY.items()))
    print(f"\nfault tally: {figures}")
    mid = TALLY["random mid-command"] + TALLY["point mid-command"]
    if FULL and TALLY["operations"] == len(OPERATIONS) * (FULL_RANDOM + FULL_POINTS):
        assert mid >= MIN_MID_COMMAND, f"only {mid} kills landed mid-command"
