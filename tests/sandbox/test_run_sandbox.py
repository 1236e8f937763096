"""`charter run` under the OS sandbox, on the real kernel: what the guard cannot see is stopped.

Each forbidden action has a control that must succeed in the same run, so a
sandbox that breaks everything cannot pass. Tests needing a kernel feature
this machine lacks skip, naming it.
"""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from charter.sandbox.system import capabilities
from tests.sandbox.conftest import Run, start_session

SYSTEM = capabilities()
needs_full = pytest.mark.skipif(
    SYSTEM.best_kind() != "landlock+namespaces",
    reason=f"needs Landlock and unprivileged user namespaces; this system: {SYSTEM.summary()}",
)


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections; yields its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


@needs_full
@pytest.mark.parametrize(
    ("action", "target"),
    [
        ("read", ".env"),
        ("read", "secrets/token.txt"),
        ("write", ".env"),
        ("write", ".git/hooks/x"),
        ("write", ".git/config"),
        ("write", "Makefile"),
        ("write", "docs/agents/AUTONOMY.md"),
        ("write-outside", "-"),
    ],
)
def test_at_l1_the_kernel_stops_what_the_guard_cannot_see(
    charter_run: Run, governed: Path, tmp_path: Path, action: str, target: str
) -> None:
    before = {
        p: p.read_bytes() for p in governed.rglob("*") if p.is_file() and ".git/" not in str(p)
    }
    result = charter_run("python", "probe.py", action, env={"PROBE_TARGET": target})
    assert result.returncode == 3, result.stderr
    assert not (tmp_path / "outside.txt").exists()
    assert not (governed / ".git/hooks/x").exists()
    after = {p: p.read_bytes() for p in before}
    assert after == before


@needs_full
@pytest.mark.parametrize(
    ("action", "target"),
    [("read", "src/app.py"), ("write", "src/app.py"), ("write", "new-file.txt")],
)
def test_at_l1_the_repository_stays_readable_and_writable(
    charter_run: Run, governed: Path, action: str, target: str
) -> None:
    result = charter_run("python", "probe.py", action, env={"PROBE_TARGET": target})
    assert result.returncode == 0, result.stderr
    if action == "write":
        assert "written by the sandbox probe" in (governed / target).read_text()


@needs_full
def test_at_l1_no_connection_reaches_a_local_server(charter_run: Run, listener: int) -> None:
    result = charter_run("python", "probe.py", "connect", env={"PROBE_TARGET": str(listener)})
    assert result.returncode == 3, result.stderr


@needs_full
def test_at_l1_a_local_server_inside_the_sandbox_still_works(charter_run: Run) -> None:
    result = charter_run("python", "probe.py", "loopback")
    assert result.returncode == 0, result.stderr


@needs_full
def test_at_l3_with_the_opt_in_the_connection_succeeds(
    charter_run: Run, governed: Path, listener: int
) -> None:
    start_session(governed, "L3")
    result = charter_run(
        "python",
        "probe.py",
        "connect",
        env={"PROBE_TARGET": str(listener), "CHARTER_ALLOW_NET": "1"},
    )
    assert result.returncode == 0, result.stderr


@needs_full
def test_at_l3_without_the_opt_in_the_network_stays_cut(
    charter_run: Run, governed: Path, listener: int
) -> None:
    start_session(governed, "L3")
    result = charter_run("python", "probe.py", "connect", env={"PROBE_TARGET": str(listener)})
    assert result.returncode == 3, result.stderr


@needs_full
def test_at_l3_the_filesystem_limits_still_hold(charter_run: Run, governed: Path) -> None:
    start_session(governed, "L3")
    result = charter_run(
        "python", "probe.py", "read", env={"PROBE_TARGET": ".env", "CHARTER_ALLOW_NET": "1"}
    )
    assert result.returncode == 3, result.stderr


@needs_full
def test_an_ordinary_pytest_run_passes_inside_the_sandbox(charter_run: Run) -> None:
    result = charter_run("pytest", "-q", "-p", "no:cacheprovider", "tests")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


@needs_full
def test_git_itself_may_write_its_repository(charter_run: Run, governed: Path) -> None:
    """`git add` and `git commit` write .git: a command made only of git (or charter) may."""
    assert charter_run("git", "add", "src/app.py").returncode == 0
    env = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a"}
    env["GIT_COMMITTER_EMAIL"] = "a@b"
    result = charter_run("git", "commit", "-q", "-m", "from the sandbox", env=env)
    assert result.returncode == 0, result.stderr
    log = subprocess.run(
        ["git", "-C", str(governed), "log", "--format=%s"], capture_output=True, text=True
    )
    assert log.stdout == "from the sandbox\n"


@needs_full
def test_a_string_mixing_git_and_other_code_keeps_git_read_only(
    charter_run: Run, governed: Path
) -> None:
    result = charter_run("--command", "git add src/app.py && python probe.py read")
    assert result.returncode != 0
    assert "index.lock" in result.stderr


@needs_full
def test_a_manifest_run_is_sandboxed_and_the_kind_recorded(
    charter_run: Run, governed: Path
) -> None:
    from charter.state.commandlog import read_commands

    start_session(governed, "L1")
    result = charter_run(
        "--manifest", "--", "python", "probe.py", "read", env={"PROBE_TARGET": ".env"}
    )
    assert result.returncode == 3, result.stderr
    assert "charter run: manifest .runs/SB-1/" in result.stderr
    (record,) = read_commands(governed, "2026-12-01_session-0001")
    assert record["sandbox"] == "landlock+namespaces"
    assert record["exit_code"] == 3
