"""Progress of long work, shown on a terminal's stderr.

Library code reports progress through a callback, `progress(done, total)`,
and never prints; a command hands it a `TerminalProgress`. That writes one
line, redrawn in place, and only when stderr is a terminal, `--quiet` was not
given, and the work has already taken about a second: a fast command, a
pipe, a hook or CI sees nothing. Standard library only: the check's start-up
path imports it.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

DELAY = 1.0  # seconds of work before anything is shown
_REDRAW = 0.1  # at most this often
_BAR = 24


class TerminalProgress:
    """A `progress(done, total)` callback drawing `label [####    ] done/total unit`."""

    def __init__(
        self,
        label: str,
        unit: str = "files",
        quiet: bool = False,
        stream: TextIO | None = None,
        delay: float = DELAY,
    ):
        self.label = label
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = not quiet and _is_terminal(self.stream)
        self.delay = delay
        self.started = time.monotonic()
        self.drawn = 0.0
        self.width = 0  # of the line on screen, to clear it

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < self.delay:
            return
        if self.width and now - self.drawn < _REDRAW and done < total:
            return
        self.drawn = now
        filled = _BAR * done // total if total > 0 else _BAR
        line = (
            f"{self.label} [{'#' * filled}{' ' * (_BAR - filled)}] {done:,}/{total:,} {self.unit}"
        )
        pad = " " * max(0, self.width - len(line))
        self.width = len(line)
        try:
            self.stream.write(f"\r{line}{pad}")
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: the work goes on
            self.enabled = False

    def close(self) -> None:
        """Clear the line, so that what the command prints next starts clean."""
        if self.enabled and self.width:
            try:
                self.stream.write("\r" + " " * self.width + "\r")
                self.stream.flush()
            except (OSError, ValueError):
                pass
        self.width = 0


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
