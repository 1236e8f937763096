"""Work done beside the caller in a forked child gives what the caller would compute, or
falls back to computing it there."""

from __future__ import annotations

import io
import os
import threading

import pytest

from charter import beside, progress
from charter.beside import Beside

needs_fork = pytest.mark.skipif(
    not hasattr(os, "fork") or beside._cores() < 2, reason="needs fork and two cores"
)


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    # Threads left running by other tests make Beside (rightly) stay in the parent.
    monkeypatch.setattr(beside, "can_fork", lambda *_: True)


@needs_fork
@pytest.mark.usefixtures("forking")
def test_the_child_works_out_the_value() -> None:
    parent = os.getpid()
    with Beside(lambda: {"pid": os.getpid(), "squares": [n * n for n in range(1000)]}) as job:
        assert job.forked
        value = job.result()
    assert value["pid"] != parent
    assert value["squares"] == [n * n for n in range(1000)]


@needs_fork
@pytest.mark.usefixtures("forking")
def test_a_value_larger_than_the_pipe_buffer_arrives_whole() -> None:
    big = "x" * 5_000_000
    with Beside(lambda: big) as job:
        assert job.result() == big


@needs_fork
@pytest.mark.usefixtures("forking")
@pytest.mark.parametrize("failure", ["raises", "exits", "unpicklable"])
def test_a_failing_child_leaves_the_parent_to_compute(failure: str) -> None:
    parent = os.getpid()

    def work() -> object:
        if os.getpid() != parent:
            if failure == "raises":
                raise RuntimeError("child broke")
            if failure == "exits":
                os._exit(3)
            return lambda: None  # pickle refuses a lambda
        return ("computed by", os.getpid())

    with Beside(work) as job:
        assert job.forked
        assert job.result() == ("computed by", parent)


@needs_fork
@pytest.mark.usefixtures("forking")
def test_an_error_is_the_one_the_parent_would_raise() -> None:
    def work() -> int:
        raise ValueError("no such plan")

    with pytest.raises(ValueError, match="no such plan"), Beside(work) as job:
        job.result()


@needs_fork
@pytest.mark.usefixtures("forking")
def test_leaving_early_stops_and_reaps_the_child() -> None:
    read_end, write_end = os.pipe()

    def work() -> None:
        os.close(read_end)
        os.write(write_end, b"started")
        threading.Event().wait(60)  # never collected: stopped by close()

    with Beside(work) as job:
        os.close(write_end)
        assert os.read(read_end, 7) == b"started"
        pid = job.pid
    os.close(read_end)
    assert job.pid == 0
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie left behind


@needs_fork
@pytest.mark.usefixtures("forking")
def test_a_job_dropped_before_its_with_still_reaps_the_child() -> None:
    """A caller that raised between starting the work and collecting it leaves no child."""
    read_end, write_end = os.pipe()

    def work() -> None:
        os.close(read_end)
        os.write(write_end, b"started")
        threading.Event().wait(60)

    job = Beside(work)
    os.close(write_end)
    assert os.read(read_end, 7) == b"started"
    pid = job.pid
    os.close(read_end)
    del job
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_without_fork_the_work_runs_in_the_caller_when_asked() -> None:
    calls: list[int] = []
    job = Beside(lambda: calls.append(os.getpid()) or len(calls), fork=False)
    assert not job.forked and calls == []  # nothing done until the value is asked for
    assert job.result() == 1
    assert job.result() == 1  # worked out once, however often asked
    assert calls == [os.getpid()]


def test_no_fork_while_another_thread_runs() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not beside.can_fork()
        with Beside(os.getpid) as job:
            assert not job.forked
            assert job.result() == os.getpid()
    finally:
        stop.set()
        other.join()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@needs_fork
def test_the_progress_tickers_thread_does_not_keep_the_work_in_the_caller() -> None:
    """On a terminal the progress line's ticker runs beside the command: held still while
    the child is forked, it copies no lock into the child, which reports to nobody."""
    stream = _Terminal()
    parent = os.getpid()

    def work() -> int:
        progress.report(1, 2)  # in the child: heard by nobody, drawn by nobody
        return os.getpid()

    with progress.shown("charter board: reading plans", stream=stream, delay=0) as shown:
        ticker = shown._ticker
        assert ticker is not None and ticker.is_alive()
        others = [t for t in threading.enumerate() if t is not threading.current_thread()]
        if others != [ticker]:  # threads left running by other tests: rightly no fork
            pytest.skip("other threads run in this test process")
        with Beside(work) as job:
            assert job.forked
            assert job.result() != parent
        assert ticker.is_alive()
        progress.report(2, 2)  # the parent's line goes on
    assert "2/2" in stream.getvalue() or "read 2 files" in stream.getvalue()


def test_a_thread_besides_the_ticker_still_keeps_the_work_in_the_caller() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with progress.shown("x", stream=_Terminal(), delay=0), progress.ticker_held() as ticker:
            assert ticker is not None
            assert not beside.can_fork(ticker)
    finally:
        stop.set()
        other.join()


def test_no_ticker_without_a_terminal() -> None:
    with progress.shown("x", stream=io.StringIO(), delay=0), progress.ticker_held() as ticker:
        assert ticker is None
