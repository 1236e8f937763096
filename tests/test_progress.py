"""Progress on stderr: drawn on a terminal after a delay, never in a pipe or when quiet."""

from __future__ import annotations

import io
import time

import pytest

from charter import progress
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


def test_report_reaches_only_the_progress_a_command_shows() -> None:
    progress.report(1, 2)  # no command shows progress: nothing to hear it, no error
    assert not progress.listening()
    stream = _Terminal()
    with progress.shown("charter board: reading plans", stream=stream, delay=0) as shown:
        assert progress.listening()
        progress.report(3, 10)
        assert (shown.done, shown.total) == (3, 10)
        assert "3/10 files" in stream.getvalue()
    assert not progress.listening()
    progress.report(9, 10)
    assert shown.done == 3
    assert stream.getvalue().endswith("\r"), "the line is cleared for what follows"


@pytest.mark.parametrize(
    ("stream", "quiet"), [(_Terminal(), True), (io.StringIO(), False)], ids=["quiet", "pipe"]
)
def test_quiet_or_a_pipe_neither_listens_nor_draws(stream: io.StringIO, quiet: bool) -> None:
    with progress.shown("x", quiet=quiet, stream=stream, delay=0) as shown:
        assert not progress.listening()  # so shared work is not split into batches either
        progress.report(5, 10)
        assert shown._ticker is None
    assert stream.getvalue() == ""


def test_the_ticker_keeps_the_line_alive_between_reports() -> None:
    stream = _Terminal()
    with progress.shown("charter board: reading plans", stream=stream, delay=0):
        progress.report(10, 10)  # reading done; rendering goes on without reports
        deadline = time.monotonic() + 30  # a loaded machine may be slow to run the thread
        while "working (" not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert "charter board: reading plans: read 10 files, working (" in stream.getvalue()


@pytest.mark.parametrize(
    ("done", "total", "expected"),
    [
        (0, 0, "x: working (3 s)"),
        (5, 20, "x [" + "#" * 6 + " " * 18 + "] 5/20 files (3 s)"),
        (20, 20, "x: read 20 files, working (3 s)"),
    ],
)
def test_what_the_line_says(done: int, total: int, expected: str) -> None:
    line = TerminalProgress("x", stream=_Terminal(), delay=0)
    line.done, line.total = done, total
    assert line.line(line.started + 3.2) == expected
