"""Progress on stderr: drawn on a terminal after a delay, never in a pipe or when quiet."""

from __future__ import annotations

import io

import pytest

from charter.progress import TerminalProgress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "quiet", "shown"),
    [(_Terminal(), False, True), (_Terminal(), True, False), (io.StringIO(), False, False)],
    ids=["terminal", "quiet", "pipe"],
)
def test_progress_is_drawn_only_on_a_terminal_when_not_quiet(
    stream: io.StringIO, quiet: bool, shown: bool
) -> None:
    progress = TerminalProgress("charter check: reading", quiet=quiet, stream=stream, delay=0)
    for done in range(0, 101, 10):
        progress(done, 100)
    drawn = stream.getvalue()
    assert ("100/100 files" in drawn) is shown
    progress.close()
    if shown:
        assert stream.getvalue().endswith("\r"), "the line is cleared for what follows"
    else:
        assert stream.getvalue() == ""


def test_fast_work_shows_nothing() -> None:
    stream = _Terminal()
    progress = TerminalProgress("x", stream=stream, delay=60)
    progress(5, 10)
    progress(10, 10)
    progress.close()
    assert stream.getvalue() == ""


def test_the_bar_fills_with_the_work() -> None:
    stream = _Terminal()
    progress = TerminalProgress("x", unit="rows", stream=stream, delay=0)
    progress(0, 4)
    assert "[" + " " * 24 + "] 0/4 rows" in stream.getvalue()
    progress(4, 4)
    assert "[" + "#" * 24 + "] 4/4 rows" in stream.getvalue()
