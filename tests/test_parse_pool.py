"""Parsing on two processes gives exactly what parsing in one does, or falls back to it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from charter import parse_pool
from charter.config import load_config
from charter.repo import load_repo

needs_fork = pytest.mark.skipif(
    not hasattr(os, "fork") or parse_pool._cores() < 2, reason="needs fork and two cores"
)


def _plans(root: Path, count: int) -> None:
    (root / "charter.toml").write_text('plans = ["docs/plans/*.md"]\nrequire_frontmatter = false\n')
    plans = root / "docs" / "plans"
    plans.mkdir(parents=True)
    for n in range(count):
        rows = "\n".join(
            f"- [{'x' if i % 3 == 0 else ' '}] **PL-{n:03}-{i:02}** task {i} of plan {n}\n"
            f"  - Status: {'Done' if i % 3 == 0 else 'Needs triage'}"
            for i in range(n % 7 + 1)
        )
        plans.joinpath(f"plan-{n:03}.md").write_text(f"# Plan {n}\n\n{rows}\n")


@pytest.mark.parametrize("count", [3, parse_pool.MIN_FILES + 25])
def test_parallel_load_equals_serial_load(tmp_path: Path, count: int, monkeypatch) -> None:
    _plans(tmp_path, count)
    config = load_config(tmp_path)
    together = load_repo(config, use_cache=False)
    monkeypatch.setattr(parse_pool, "_can_fork", lambda: False)
    alone = load_repo(config, use_cache=False)
    assert together.plans == alone.plans
    assert len(together.plans) == count


@needs_fork
def test_the_child_parses_its_share(monkeypatch: pytest.MonkeyPatch) -> None:
    # Threads left running by other tests make the pool (rightly) stay serial.
    monkeypatch.setattr(parse_pool, "_can_fork", lambda: True)
    jobs = list(range(parse_pool.MIN_FILES + 10))
    parsed = parse_pool.parse_all(jobs, lambda job: (job, os.getpid()), lambda job: 1)
    assert [job for job, _ in parsed] == jobs
    assert len({pid for _, pid in parsed}) == 2  # about half came from the child


@needs_fork
def test_a_failing_child_leaves_the_parent_to_parse() -> None:
    parent = os.getpid()

    def parse(job: int) -> tuple[int, int]:
        if os.getpid() != parent:
            raise RuntimeError("child broke")
        return job, os.getpid()

    jobs = list(range(parse_pool.MIN_FILES + 10))
    assert parse_pool.parse_all(jobs, parse, lambda job: 1) == [(j, parent) for j in jobs]


def test_few_files_are_parsed_in_process() -> None:
    jobs = list(range(parse_pool.MIN_FILES))
    assert {pid for pid in parse_pool.parse_all(jobs, lambda job: os.getpid(), lambda job: 1)} == {
        os.getpid()
    }


@pytest.mark.parametrize(
    "weights", [[100, 1, 1, 1, 50, 50], [7] * 40, [3, 900, 5, 12, 40, 40, 41, 300, 1, 1]]
)
def test_shares_balance_by_cost(weights: list[int]) -> None:
    mine, theirs = parse_pool._split(weights, lambda w: w)
    assert sorted(mine + theirs) == list(range(len(weights)))
    assert mine == sorted(mine) and theirs == sorted(theirs)
    # The child's jobs cost more (it hands its models back): the costs end up within one job.
    parent = sum(weights[i] for i in mine)
    child = parse_pool.HAND_BACK * sum(weights[i] for i in theirs)
    assert abs(parent - child) <= parse_pool.HAND_BACK * max(weights)


def test_the_parent_takes_more_of_equal_jobs() -> None:
    mine, theirs = parse_pool._split([1] * 1000, lambda w: w)
    assert 540 <= len(mine) <= 570 and len(mine) + len(theirs) == 1000


def test_no_fork_while_another_thread_runs() -> None:
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert parse_pool._can_fork() is False
    finally:
        stop.set()
        thread.join()


def _write_pid(path: Path) -> None:
    path.write_text(str(os.getpid()))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_work_aside_runs_in_a_child_and_is_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parse_pool, "_can_fork", lambda: True)
    out = tmp_path / "done"
    wait = parse_pool.aside(lambda: _write_pid(out))
    wait()
    assert out.read_text() not in ("", str(os.getpid()))  # written, by another process


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_work_aside_that_fails_in_the_child_is_done_again_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parse_pool, "_can_fork", lambda: True)
    parent = os.getpid()
    out = tmp_path / "done"

    def work() -> None:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        _write_pid(out)

    wait = parse_pool.aside(work)
    assert not out.exists() or out.read_text() == str(parent)
    wait()
    assert out.read_text() == str(parent)


def test_work_aside_without_fork_is_done_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parse_pool, "_can_fork", lambda: False)
    out = tmp_path / "done"
    wait = parse_pool.aside(lambda: _write_pid(out))
    assert out.read_text() == str(os.getpid())
    wait()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
@pytest.mark.parametrize("child_fails", [False, True])
def test_work_aside_in_a_deferred_block_is_waited_for_at_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, child_fails: bool
) -> None:
    monkeypatch.setattr(parse_pool, "_can_fork", lambda: True)
    parent = os.getpid()
    out, gate = tmp_path / "done", tmp_path / "gate"

    def work() -> None:
        if os.getpid() != parent:
            deadline = time.monotonic() + 10
            while not gate.exists() and time.monotonic() < deadline:
                time.sleep(0.01)  # the child waits until the block's waiter returned
            if child_fails:
                raise RuntimeError("the child fails")
        _write_pid(out)

    with parse_pool.deferred():
        wait = parse_pool.aside(work)
        wait()  # returns at once: the block's end waits
        assert not out.exists()
        gate.touch()
    # Written by the child, or, when it failed, done again here at the block's end.
    assert (out.read_text() == str(parent)) == child_fails
    assert not parse_pool._deferred
