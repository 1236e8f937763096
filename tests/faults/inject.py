"""Stopping charter at a chosen moment, judging where it was, and killing it there.

A kill "lands mid-command" when, at the moment of the kill, the command held one
of its locks or had changed some but not all of the files a finished run changes
(a temp file left over counts as a change). Both are measured, not assumed: the
process is frozen with SIGSTOP, its locks are probed with a non-blocking flock
from outside, then its whole process group gets SIGKILL.

Kill times come from a first run under the fault shim (`shim/sitecustomize.py`)
that records every point where the command changes a file or takes a lock: a
random kill falls between the first and the last of them, a kill at a point
stops the command exactly there.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.faults import harness

SHIM = Path(__file__).with_name("shim")
STOP_TIMEOUT_S = harness.COMMAND_TIMEOUT_S


def shim_env(**settings: str) -> dict[str, str]:
    """The harness's environment with the fault shim loaded and set (FAULTSHIM_*)."""
    out = harness.env()
    out["PYTHONPATH"] = os.pathsep.join(p for p in (str(SHIM), out.get("PYTHONPATH")) if p)
    out.update({f"FAULTSHIM_{key.upper()}": value for key, value in settings.items()})
    return out


@dataclass(frozen=True)
class Point:
    number: int
    kind: str  # open, write, fsync, replace, rename, link, unlink, lock
    path: str
    seconds: float  # since the interpreter started


def count_points(root: Path, args: Sequence[str], log: Path) -> tuple[harness.Result, list[Point]]:
    """Run `charter ARGS` to completion under the shim, listing its points."""
    log.unlink(missing_ok=True)
    done = subprocess.run(
        harness.charter_argv(*args),
        cwd=root,
        env=shim_env(mode="count", log=str(log)),
        capture_output=True,
        timeout=harness.COMMAND_TIMEOUT_S,
        check=False,
    )
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    points = [Point(r["n"], r["kind"], r["path"], r["t"]) for r in (json.loads(x) for x in lines)]
    return harness.Result(
        done.returncode, harness._text(done.stdout), harness._text(done.stderr)
    ), points


@dataclass(frozen=True)
class Kill:
    landed: bool  # the command was still running when it was killed
    lock_held: bool  # ... and held one of its locks


def kill_at_point(root: Path, args: Sequence[str], point: int, when: str, log: Path) -> Kill:
    """Start `charter ARGS`, let the shim stop it at `point` (`when`: before, after, half),
    then kill its process group."""
    proc = _start(root, args, shim_env(mode="stop", at=str(point), when=when, log=str(log)))
    return _stop_judge_kill(proc, root, deadline=time.monotonic() + STOP_TIMEOUT_S, stop=False)


def kill_after(root: Path, args: Sequence[str], seconds: float) -> Kill:
    """Start `charter ARGS` and kill its process group `seconds` later."""
    proc = _start(root, args, harness.env())
    return _stop_judge_kill(proc, root, deadline=time.monotonic() + seconds, stop=True)


def _start(root: Path, args: Sequence[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        harness.charter_argv(*args),
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _stop_judge_kill(
    proc: subprocess.Popen[bytes], root: Path, deadline: float, stop: bool
) -> Kill:
    """Wait until `deadline` for the process to stop itself (`stop` False) or, `stop`
    True, freeze it at the deadline; then probe the locks and SIGKILL the group."""
    while True:
        pid, status = os.waitpid(proc.pid, os.WNOHANG | os.WUNTRACED)
        if pid and not os.WIFSTOPPED(status):
            proc.returncode = os.waitstatus_to_exitcode(status)
            return Kill(landed=False, lock_held=False)
        if pid:
            break  # it stopped itself at its point
        if time.monotonic() >= deadline:
            if not stop:
                os.killpg(proc.pid, signal.SIGKILL)
                os.waitpid(proc.pid, 0)
                proc.returncode = -signal.SIGKILL
                raise AssertionError("the command neither finished nor reached its point: a hang")
            os.killpg(proc.pid, signal.SIGSTOP)
            status = _wait_stopped(proc.pid)
            if status is None:
                # Frozen mid-fork: a child stopped before its exec holds the command in
                # the kernel's vfork wait, where it cannot stop. Kill without judging.
                os.killpg(proc.pid, signal.SIGKILL)
                os.waitpid(proc.pid, 0)
                proc.returncode = -signal.SIGKILL
                return Kill(landed=False, lock_held=False)
            if not os.WIFSTOPPED(status):
                proc.returncode = os.waitstatus_to_exitcode(status)
                return Kill(landed=False, lock_held=False)
            break
        time.sleep(max(0.0, min(0.005, deadline - time.monotonic())))
    held = locks_held(root)
    os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGCONT)
    os.waitpid(proc.pid, 0)
    proc.returncode = -signal.SIGKILL
    return Kill(landed=True, lock_held=held)


def _wait_stopped(pid: int, timeout: float = 2.0) -> int | None:
    """The command's wait status once it stopped or ended; None when it did neither in
    `timeout` seconds (SIGSTOP stays pending while the command waits on a vfork child)."""
    end = time.monotonic() + timeout
    while True:
        found, status = os.waitpid(pid, os.WNOHANG | os.WUNTRACED)
        if found:
            return status
        if time.monotonic() >= end:
            return None
        time.sleep(0.002)


def locks_held(root: Path) -> bool:
    """Whether any lock file under `.charter/` is held by someone (a non-blocking flock
    from here fails)."""
    for lock in (root / ".charter").rglob("*.lock"):
        try:
            fd = os.open(lock, os.O_RDWR)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                return True
            raise
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    return False


def partly_changed(
    before: harness.Snapshot, killed: harness.Snapshot, finished: harness.Snapshot, appends: bool
) -> bool:
    """Some files changed (a leftover temp file counts), but not into what a finished run
    leaves."""
    if killed == before:
        return False
    leftover = any(harness.is_orphan_temp(rel) for rel in killed)
    return leftover or harness.comparable(killed, appends) != harness.comparable(finished, appends)
