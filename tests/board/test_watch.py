"""`charter watch` with a real watchdog observer on a temporary repository."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from charter.board.watch import _Matcher, glob_regex, watch
from charter.config import Config
from tests.board.conftest import PLAN, GovernedRepo

LATENCY_S = 0.5  # a saved plan shows on the board within this


class Watcher:
    def __init__(self, config: Config):
        self.config = config
        self.lines: list[str] = []
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(
            target=watch,
            args=(config,),
            kwargs={"stop": self.stop, "report": self.lines.append, "ready": self.ready},
            daemon=True,
        )

    @property
    def board(self) -> Path:
        return self.config.root / self.config.board

    def wait_for_board(self, wanted: str, timeout: float) -> float | None:
        """Seconds until the board holds `wanted`, or None after `timeout`."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.board.exists() and wanted in self.board.read_text():
                return time.monotonic() - start
            time.sleep(0.005)
        return None


@pytest.fixture
def watcher(governed: GovernedRepo) -> Iterator[Watcher]:
    w = Watcher(governed())
    w.thread.start()
    assert w.ready.wait(10), "the watcher did not start"
    yield w
    w.stop.set()
    w.thread.join(5)
    assert not w.thread.is_alive(), "the watcher did not stop"


def save(path: Path, text: str) -> None:
    """Save the way editors do: write a temp file beside it, then rename it into place."""
    tmp = path.with_name(f".{path.name}.swp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def test_saved_plan_reaches_the_board_within_half_a_second(watcher: Watcher) -> None:
    assert watcher.board.exists()  # written when the watcher starts
    plan = watcher.config.root / "docs/plans/ingest.md"
    for status in ("Review", "Blocked", "Dropped"):
        save(plan, PLAN.replace("- Status: In Progress", f"- Status: {status}"))
        elapsed = watcher.wait_for_board(f"## {status} (1)", timeout=3)
        assert elapsed is not None, f"board never changed; watcher said {watcher.lines}"
        assert elapsed < LATENCY_S, f"board changed after {elapsed:.2f} s"


def test_burst_of_saves_gives_one_regeneration(watcher: Watcher) -> None:
    plan = watcher.config.root / "docs/plans/ingest.md"
    count = len(watcher.lines)
    for n in range(5):
        plan.write_text(PLAN.replace("Write the report", f"Write the report v{n}"))
        time.sleep(0.02)
    assert watcher.wait_for_board("Write the report v4", timeout=2) is not None
    time.sleep(0.5)
    assert len(watcher.lines) == count + 1, watcher.lines


def test_half_saved_plan_keeps_the_last_good_board(watcher: Watcher) -> None:
    plan = watcher.config.root / "docs/plans/ingest.md"
    good = watcher.board.read_bytes()
    save(plan, "---\nid: ingest\ntitle: Ingestion\n\n- [ ] **ST-B-1** half")  # cut mid-save
    time.sleep(LATENCY_S + 0.3)
    assert watcher.board.read_bytes() == good
    message = next((line for line in watcher.lines if "kept the last good board" in line), "")
    assert "docs/plans/ingest.md:1:1: CH001" in message, watcher.lines
    save(plan, PLAN.replace("Write the report", "Write the final report"))
    assert watcher.wait_for_board("Write the final report", timeout=3) is not None


def test_template_change_regenerates(watcher: Watcher) -> None:
    template = watcher.config.root / "templates" / "board.md.j2"
    template.parent.mkdir()
    time.sleep(0.2)  # a new folder is watched once the observer has seen it
    save(template, "# Our board\n{% for c in columns %}- {{ c.name }}: {{ c.count }}\n{% endfor %}")
    assert watcher.wait_for_board("- Backlog: 3", timeout=3) is not None


def test_board_and_session_files_do_not_trigger(watcher: Watcher) -> None:
    count = len(watcher.lines)
    notes = watcher.config.root / "docs/plans/notes.txt"
    notes.write_text("not a plan")
    session = watcher.config.root / "docs/agents/sessions/2026-01-01_session-0001.md"
    session.parent.mkdir(parents=True)
    session.write_text("# a session\n")
    time.sleep(LATENCY_S)
    assert len(watcher.lines) == count


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("docs/plans/**/*.md", "docs/plans/a.md", True),
        ("docs/plans/**/*.md", "docs/plans/x/y/a.md", True),
        ("docs/plans/**/*.md", "docs/plans/a.md.lock", False),
        ("docs/plans/**/*.md", "docs/plans/.a.md.abcd1234.tmp", False),
        ("docs/plans/*.md", "docs/plans/x/a.md", False),
        ("tasks/tasks-?.md", "tasks/tasks-1.md", True),
        ("**/*.md", "README.md", True),
    ],
)
def test_glob_regex(pattern: str, path: str, matches: bool) -> None:
    assert bool(glob_regex(pattern).fullmatch(path)) is matches


def test_matcher_ignores_generated_files(governed: GovernedRepo) -> None:
    config = governed(config='plans = ["docs/**/*.md"]\n')
    matcher = _Matcher(config)
    root = config.root
    assert matcher.relevant(str(root / "docs/plans/a.md"))
    assert not matcher.relevant(str(root / "docs/taskboard/TaskBoard.md"))
    assert not matcher.relevant(str(root / "docs/agents/sessions/s.md"))
    assert matcher.relevant(str(root / "templates/board.md.j2"))


def test_a_steady_stream_of_saves_still_regenerates_every_second(watcher: Watcher) -> None:
    """Saves 0.1 s apart never leave the debounce quiet; the board must still follow them."""
    plan = watcher.config.root / "docs/plans/ingest.md"
    seen = []
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < 3.0:
        save(plan, PLAN.replace("Write the report", f"Write the report s{n}"))
        if f"Write the report s{n - 3}" in watcher.board.read_text():
            seen.append(n)
        n += 1
        time.sleep(0.1)
    assert len({s // 10 for s in seen}) >= 2, f"board followed only at saves {seen}"


def test_a_failed_write_is_reported_and_watching_goes_on(
    watcher: Watcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from charter.board import watch as watch_module

    real = watch_module.regenerate_board
    calls = [0]

    def full_disk_once(config: Config, **kwargs: object) -> object:
        calls[0] += 1
        if calls[0] == 1:
            raise OSError(errno.ENOSPC, "No space left on device", str(config.root / "x"))
        return real(config, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(watch_module, "regenerate_board", full_disk_once)
    plan = watcher.config.root / "docs/plans/ingest.md"
    save(plan, PLAN.replace("Write the report", "Write the report f1"))
    deadline = time.monotonic() + 3
    while not any("the disk is full" in line for line in watcher.lines):
        assert time.monotonic() < deadline, f"no failure reported: {watcher.lines}"
        time.sleep(0.01)
    assert watcher.thread.is_alive()
    save(plan, PLAN.replace("Write the report", "Write the report f2"))
    assert watcher.wait_for_board("Write the report f2", timeout=3) is not None, watcher.lines
