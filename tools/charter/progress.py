"""Progress of long work, shown on a terminal's stderr.

Library code reports progress through a callback, `progress(done, total)`,
and never prints; a command hands it a `TerminalProgress`. Work deep inside
the library that many commands share (parsing every plan of a repository)
reports through `report(done, total)` instead, which reaches whichever
progress the running command opened with `shown(...)`, and does nothing
when none is open.

A `TerminalProgress` writes one line, redrawn in place, and only when stderr
is a terminal, `--quiet` was not given, and the work has already taken about
a second: a fast command, a pipe, a hook or CI sees nothing. Between reports
(a page being rendered, rows being compared) a ticker keeps the line alive
with the seconds spent, so a long step never looks like a hang. Standard
library only: the check's start-up path imports it; the ticker's thread is
started only when the line is drawn at all.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import threading

DELAY = 1.0  # seconds of work before anything is shown
_REDRAW = 0.1  # at most this often
_TICK = 0.5  # how often the ticker redraws the seconds spent
_BAR = 24

Listener = Callable[[int, int], None]
_listener: ContextVar[Listener | None] = ContextVar("charter_progress", default=None)


def report(done: int, total: int) -> None:
    """How far long shared work has come, for the command's progress if it shows one."""
    listener = _listener.get()
    if listener is not None:
        listener(done, total)


def listening() -> bool:
    """Whether a command shows progress: work may then be split into batches to report."""
    return _listener.get() is not None


class TerminalProgress:
    """A `progress(done, total)` callback drawing `label [####    ] done/total unit`."""

    def __init__(
        self,
        label: str,
        unit: str = "files",
        quiet: bool = False,
        stream: TextIO | None = None,
        delay: float | None = None,
    ):
        self.label = label
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = not quiet and _is_terminal(self.stream)
        self.delay = DELAY if delay is None else delay
        self.started = time.monotonic()
        self.drawn = 0.0
        self.width = 0  # of the line on screen, to clear it
        self.done = 0
        self.total = 0
        self._ticker: threading.Thread | None = None
        self._stop: threading.Event | None = None
        self._lock: threading.Lock | None = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        self.done, self.total = done, total
        self._draw(final=done >= total)

    def start_ticker(self) -> None:
        """Redraw the line every half second from a thread, also while nobody reports."""
        if not self.enabled or self._ticker is not None:
            return
        import threading  # lazy: only a terminal that shows progress needs the thread

        self._lock = threading.Lock()
        self._stop = threading.Event()
        stop = self._stop

        def tick() -> None:
            while not stop.wait(_TICK):
                self._draw(final=False)

        self._ticker = threading.Thread(target=tick, name="charter-progress", daemon=True)
        self._ticker.start()

    def line(self, now: float) -> str:
        """What the line says: the bar while counted work goes on, then the time spent."""
        elapsed = f"{now - self.started:.0f} s"
        if self.total > 0 and self.done < self.total:
            filled = _BAR * self.done // self.total
            bar = f"[{'#' * filled}{' ' * (_BAR - filled)}]"
            return f"{self.label} {bar} {self.done:,}/{self.total:,} {self.unit} ({elapsed})"
        if self.total > 0:
            return f"{self.label}: read {self.total:,} {self.unit}, working ({elapsed})"
        return f"{self.label}: working ({elapsed})"

    def _draw(self, final: bool) -> None:
        if self._lock is None:
            self._draw_now(final)
            return
        with self._lock:
            self._draw_now(final)

    def _draw_now(self, final: bool) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < self.delay:
            return
        if self.width and now - self.drawn < _REDRAW and not final:
            return
        self.drawn = now
        line = self.line(now)
        if self.total > 0 and self.done >= self.total and self._ticker is None:
            # Without a ticker the finished bar is the last word until the line is cleared.
            line = f"{self.label} [{'#' * _BAR}] {self.total:,}/{self.total:,} {self.unit}"
        pad = " " * max(0, self.width - len(line))
        self.width = len(line)
        try:
            self.stream.write(f"\r{line}{pad}")
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: the work goes on
            self.enabled = False

    def close(self) -> None:
        """Stop the ticker and clear the line, so that what the command prints next starts
        clean."""
        if self._stop is not None and self._ticker is not None:
            self._stop.set()
            self._ticker.join()
        if self.enabled and self.width:
            try:
                self.stream.write("\r" + " " * self.width + "\r")
                self.stream.flush()
            except (OSError, ValueError):
                pass
        self.width = 0


@contextmanager
def shown(
    label: str,
    quiet: bool = False,
    unit: str = "files",
    stream: TextIO | None = None,
    delay: float | None = None,
) -> Iterator[TerminalProgress]:
    """A command's progress for the work inside the block: what `report` hears is drawn,
    and a ticker keeps the line alive between reports; nothing off a terminal or quiet."""
    progress = TerminalProgress(label, unit, quiet, stream, delay)
    token = _listener.set(progress if progress.enabled else None)
    progress.start_ticker()
    try:
        yield progress
    finally:
        _listener.reset(token)
        progress.close()


@contextmanager
def ticker_held() -> Iterator[threading.Thread | None]:
    """The running command's ticker kept from drawing for the block (its lock held), so that
    a child forked inside copies no lock the ticker holds, its own or the terminal
    stream's. Yields the ticker's thread, or None when no ticker runs."""
    listener = _listener.get()
    if not isinstance(listener, TerminalProgress):
        yield None
        return
    ticker, lock = listener._ticker, listener._lock
    if ticker is None or lock is None:
        yield None
        return
    with lock:
        yield ticker


def forget() -> None:
    """In a forked child: report to nobody (the parent draws the line; the child's copy of
    the ticker's lock may stay held forever)."""
    _listener.set(None)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
