"""One computation done beside the caller, on a second core: a forked child works it out
and sends the value back pickled while the parent goes on with its own work.

The board page needs its statistics (pandas imported, the plans' git history
read, a second of work at 50,000 tasks) and, independently, the Markdown board
and the cards; on two cores they need not wait for each other. The child is
forked from the parent itself, so the value is the one the parent would have
computed; the parent never imports what only the child needed.

Anything unusual (no fork, other threads running besides the progress line's
ticker, one core, a child that fails, is killed or sends something broken)
falls back to computing in the parent when the value is asked for: the same
value, or the same error, as without the child.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from charter import progress
from charter.parse_pool import send_and_exit

if TYPE_CHECKING:
    import threading

T = TypeVar("T")


class Beside(Generic[T]):
    """`work()`, started now in a forked child when that can run on another core; `result()`
    waits for it. Use as a context manager, so that a parent leaving early reaps the child."""

    def __init__(self, work: Callable[[], T], *, fork: bool = True) -> None:
        self.work = work
        self.pid = 0
        self.owner = os.getpid()  # the process that may reap the child
        self.read_end = -1
        self.forked = False  # whether a child took the work (for tests and benchmarks)
        self._done: list[T] = []  # the value, once known
        if fork:
            # The progress line's ticker is the one thread that may run beside the caller:
            # held still while the child is forked, it holds no lock the child would copy.
            with progress.ticker_held() as ticker:
                if can_fork(ticker):
                    self._start()

    def _start(self) -> None:
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:  # the child: work, send, and leave without the parent's cleanup
            send_and_exit(read_end, write_end, self._work_in_child)
        os.close(write_end)
        self.pid, self.read_end, self.forked = pid, read_end, True

    def _work_in_child(self) -> T:
        progress.forget()  # the parent's progress line is the parent's to draw
        return self.work()

    def result(self) -> T:
        """The value: the child's when it sent one, else computed here (once)."""
        if not self._done:
            self._done.append(self._collect())
        return self._done[0]

    def _collect(self) -> T:
        if not self.pid:
            return self.work()
        try:
            with os.fdopen(self.read_end, "rb") as incoming:
                self.read_end = -1
                data = incoming.read()
            _, status = os.waitpid(self.pid, 0)
            self.pid = 0
        finally:
            self.close()
        if status == 0:
            try:
                # Our own child's bytes, through a pipe only it and we hold.
                return pickle.loads(data)  # type: ignore[no-any-return]
            except Exception:  # a broken hand-back: computed here instead
                pass
        return self.work()

    def close(self) -> None:
        """Release the pipe and, when the value was never collected, stop the child."""
        if self.read_end >= 0:
            os.close(self.read_end)
            self.read_end = -1
        if self.pid:
            try:
                os.kill(self.pid, 9)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = 0

    def __enter__(self) -> Beside[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        # A caller that raised before it reached its `with` still reaps the child; a copy
        # in another process (forked meanwhile) leaves it to its parent.
        if self.owner == os.getpid():
            self.close()


def can_fork(held: threading.Thread | None = None) -> bool:
    """Fork only where a second core is free to use and no other thread could hold a lock
    the child would copy (`held`: a thread kept from taking any, see `progress.ticker_held`)."""
    if not hasattr(os, "fork") or _cores() < 2:
        return False
    threads = sys.modules.get("threading")
    if threads is None:
        return True
    current = threads.current_thread()
    return all(t is current or t is held for t in threads.enumerate())


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
