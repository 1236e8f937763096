"""Parsing many files on two cores: a forked child parses half, the parent the rest.

A cold `charter check` spends most of its time in markdown-it, one file at a
time. When many files changed and a second core is free, a child forked after
the parsers are imported parses about half the bytes and sends its models back
pickled; the parent parses the rest meanwhile. Anything unusual (no fork, other
threads running, a child that fails or sends something broken) falls back to
parsing in the parent alone, with the same result.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn, TypeVar

Job = TypeVar("Job")
Model = TypeVar("Model")

# Below this many files the fork and the pickling back cost more than they save.
MIN_FILES = 40


def parse_all(
    jobs: Sequence[Job], parse: Callable[[Job], Model], weight: Callable[[Job], int]
) -> list[Model]:
    """`[parse(job) for job in jobs]`, on two processes when that pays."""
    if len(jobs) <= MIN_FILES or not _can_fork():
        return [parse(job) for job in jobs]
    import pickle  # here: a warm check forks nothing

    mine, theirs = _split(jobs, weight)
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return [parse(job) for job in jobs]
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return [parse(job) for job in jobs]
    if pid == 0:  # the child: parse its share, send it, and leave without cleanup
        send_and_exit(read_end, write_end, lambda: [parse(jobs[i]) for i in theirs])
    os.close(write_end)
    results: dict[int, Model] = {}
    try:
        for i in mine:
            results[i] = parse(jobs[i])
        with os.fdopen(read_end, "rb") as incoming:
            read_end = -1
            data = incoming.read()
        _, code = os.waitpid(pid, 0)
        pid = 0
        try:
            sent = pickle.loads(data) if code == 0 else None
        except Exception:  # a broken hand-back: the parent parses the child's share itself
            sent = None
        if isinstance(sent, list) and len(sent) == len(theirs):
            results.update(zip(theirs, sent, strict=True))
    finally:
        if read_end >= 0:
            os.close(read_end)
        if pid:  # the parent failed before collecting the child: do not leave it behind
            _reap(pid)
    return [results[i] if i in results else parse(job) for i, job in enumerate(jobs)]


def _can_fork() -> bool:
    if not hasattr(os, "fork") or _cores() < 2:
        return False
    # Forking while other threads run can copy a lock one of them holds.
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


# What a job costs the child over what it costs the parent: the child pickles its models
# (a quarter of the time it took to parse them) while the parent waits, then the parent
# unpickles them. Shares of equal cost end together (a cold check at 50,000 tasks: the
# parent takes about 55 % of the plans).
HAND_BACK = 1.25


def _split(jobs: Sequence[Job], weight: Callable[[Job], int]) -> tuple[list[int], list[int]]:
    """Job indices in two shares of about equal cost (the child's jobs cost `HAND_BACK`
    times their weight), each in job order: (the parent's, the child's)."""
    shares: tuple[list[int], list[int]] = ([], [])
    loads = [0.0, 0.0]
    for i in sorted(range(len(jobs)), key=lambda i: -weight(jobs[i])):
        lighter = 0 if loads[0] <= loads[1] else 1
        shares[lighter].append(i)
        loads[lighter] += weight(jobs[i]) * (HAND_BACK if lighter else 1.0)
    return sorted(shares[0]), sorted(shares[1])


def _reap(pid: int) -> None:
    try:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    except OSError:
        pass


def send_and_exit(read_end: int, write_end: int, work: Callable[[], object]) -> NoReturn:
    """In a forked child: work, send the value pickled down the pipe, and leave at once
    (exit 1 when anything failed), without the parent's cleanup handlers."""
    import pickle  # here: a warm check forks nothing

    status = 1
    try:
        os.close(read_end)
        data = pickle.dumps(work(), protocol=5)
        with os.fdopen(write_end, "wb") as out:
            out.write(data)
        status = 0
    finally:
        os._exit(status)


# The waits of work started `aside` within `deferred()` blocks, innermost last.
_deferred: list[list[Callable[[], None]]] = []


@contextmanager
def deferred() -> Iterator[None]:
    """Within the block, work started `aside` is waited for when the block ends, not when
    its waiter is called: a command that writes its caches aside goes on with the rest of
    its work meanwhile (a cold check at 50,000 tasks waited about 0.4 s right after the
    rules that compare files)."""
    pending: list[Callable[[], None]] = []
    _deferred.append(pending)
    try:
        yield
    finally:
        _deferred.remove(pending)
        for wait in pending:
            wait()


def aside(work: Callable[[], object]) -> Callable[[], None]:
    """Start `work` (writing caches, say) in a forked child while the caller goes on; the
    function returned waits for it (within `deferred()`, the block's end does). Where
    there is no second core or no fork, and when the child fails, the work is done in
    this process instead, with the same result."""
    if not _can_fork():
        work()
        return _nothing
    try:
        pid = os.fork()
    except OSError:
        work()
        return _nothing
    if pid == 0:  # the child: work and leave at once, without the parent's cleanup
        status = 1
        try:
            work()
            status = 0
        finally:
            os._exit(status)

    def wait() -> None:
        try:
            _, code = os.waitpid(pid, 0)
        except OSError:
            code = 1
        if code != 0:
            work()

    if _deferred:
        _deferred[-1].append(wait)
        return _nothing
    return wait


def _nothing() -> None:
    return None
