"""Session numbers: one more than the highest in the sessions folder, never shared by two
sessions, even when several processes start at once."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from charter.config import Config
from charter.io import locked
from charter.sessions.numbering import create_log, highest_number
from charter.state.session import lock_path
from tests.sessions.helpers import NOW

WORKERS = 4
EACH = 5


def _allocate(root: str, count: int, use_lock: bool) -> list[str]:
    directory = Path(root) / "sessions"
    made = []
    for _ in range(count):
        if use_lock:
            with locked(lock_path(Path(root))):
                sid, _ = create_log(
                    directory, "2026-01-02", lambda s: f"{s} {os.getpid()}\n".encode()
                )
        else:
            sid, _ = create_log(directory, "2026-01-02", lambda s: f"{s} {os.getpid()}\n".encode())
        made.append(sid)
    return made


@pytest.mark.parametrize("use_lock", [True, False], ids=["under the lock", "O_EXCL alone"])
def test_concurrent_processes_never_share_a_number(tmp_path: Path, use_lock: bool) -> None:
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with context.Pool(WORKERS) as pool:
        results = pool.starmap(_allocate, [(str(tmp_path), EACH, use_lock)] * WORKERS)
    ids = [sid for batch in results for sid in batch]
    assert len(ids) == len(set(ids)) == WORKERS * EACH
    files = sorted((tmp_path / "sessions").iterdir())
    assert len(files) == WORKERS * EACH
    for path in files:  # each file holds what its creator wrote, never a rival's
        assert path.read_text().split()[0] == path.stem
    if use_lock:
        assert sorted(int(i.rsplit("-", 1)[1]) for i in ids) == list(range(1, WORKERS * EACH + 1))


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([], 0),
        (["2025-12-31_session-0009.md", "2026-01-01_session-0002.md"], 9),
        (["role/2026-01-01_session-0012.md", "README.md", "notes.md"], 12),
        (["2026-01-01_session-0003.txt", "2026-01-01_session-0004.md"], 4),
    ],
)
def test_the_next_number_counts_every_day_and_subfolder(
    tmp_path: Path, names: list[str], expected: int
) -> None:
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert highest_number(tmp_path) == expected
    sid, path = create_log(tmp_path, "2026-02-03", lambda s: b"log\n")
    assert sid == f"2026-02-03_session-{expected + 1:04d}" and path.read_bytes() == b"log\n"


def test_a_failing_render_creates_no_file(tmp_path: Path) -> None:
    def broken(_: str) -> bytes:
        raise RuntimeError("template error")

    with pytest.raises(RuntimeError):
        create_log(tmp_path / "sessions", "2026-01-02", broken)
    assert list((tmp_path / "sessions").iterdir()) == []


def test_two_starts_at_once_open_one_session(repo: Config) -> None:
    env = {**os.environ, "CHARTER_NOW": NOW}
    command = [
        sys.executable,
        "-m",
        "charter",
        "session",
        "start",
        "CO-2",
        "--repo",
        str(repo.root),
    ]
    procs = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 1], results
    loser = next(err for code, _, err in results if code == 1)
    assert "[session]" in loser and "is still active" in loser
    logs = sorted((repo.root / repo.sessions).glob("*.md"))
    assert [p.name for p in logs] == ["2026-01-02_session-0001.md"]


def test_a_taken_number_is_skipped_and_its_file_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "2026-01-02_session-0001.md").write_text("someone else's log\n")
    monkeypatch.setattr("charter.sessions.numbering.highest_number", lambda _: 0)
    sid, _ = create_log(tmp_path, "2026-01-02", lambda s: b"mine\n")
    assert sid == "2026-01-02_session-0002"
    assert (tmp_path / "2026-01-02_session-0001.md").read_text() == "someone else's log\n"
