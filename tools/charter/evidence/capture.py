"""Running a command for the record: tee its output, and see what it changed in the tree.

The command's stdout and stderr still reach the terminal as they are written;
on the way through, charter counts the bytes, hashes them and keeps a capped
tail. Before and after the run, `git status` plus a hash of every path it
lists shows which files the run added, modified or deleted, also when a file
that was already dirty is changed again.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from charter.evidence.digest import sha256_bytes, sha256_file

Sink = Callable[[bytes], None]
Spawn = Callable[..., "subprocess.Popen[bytes]"]  # called like subprocess.Popen

DEFAULT_TAIL_BYTES = 4096
_READ_SIZE = 65536
_HASH_LIMIT = 256 << 20  # bigger dirty files are compared by size and mtime, not read
_EXIT_NOT_FOUND = 127  # what a shell reports, so failures read the same either way
_EXIT_NOT_EXECUTABLE = 126
# After the command exits, how long its pipes may stay open: a process it left
# running in the background holds them, and charter must not wait for that.
PIPE_GRACE_S = 2.0


@dataclass(frozen=True)
class StreamRecord:
    size: int
    sha256: str
    tail: bytes
    truncated: bool  # the tail is not the whole stream

    def to_json(self) -> dict[str, Any]:
        return {
            "bytes": self.size,
            "sha256": self.sha256,
            "tail": self.tail.decode("utf-8", "replace"),
            "tail_truncated": self.truncated,
        }


@dataclass(frozen=True)
class Captured:
    """One finished run: how it ended, when, and what it printed."""

    exit_code: int
    signal: int | None
    started: datetime
    ended: datetime
    seconds: float
    stdout: StreamRecord
    stderr: StreamRecord


class _Tee:
    """Copies one pipe to a sink while hashing it and keeping its last bytes."""

    def __init__(self, pipe: IO[bytes] | None, sink: Sink | None, tail_bytes: int):
        self.pipe = pipe
        self.sink = sink
        self.cap = tail_bytes
        self.digest = hashlib.sha256()
        self.size = 0
        self.buffer = bytearray()
        self.lock = threading.Lock()  # record() may run while a straggler still writes
        self.thread = threading.Thread(target=self._pump, daemon=True)

    def _pump(self) -> None:
        assert self.pipe is not None
        fd = self.pipe.fileno()
        while chunk := os.read(fd, _READ_SIZE):
            self.feed(chunk)
        self.pipe.close()

    def feed(self, chunk: bytes) -> None:
        if self.sink is not None:
            try:
                self.sink(chunk)
            except (OSError, ValueError):
                self.sink = None  # a closed terminal must not stop the record
        with self.lock:
            self.digest.update(chunk)
            self.size += len(chunk)
            self.buffer += chunk
            if len(self.buffer) > 2 * self.cap:
                del self.buffer[: len(self.buffer) - self.cap]

    def record(self) -> StreamRecord:
        with self.lock:
            size, digest = self.size, self.digest.hexdigest()
            tail = bytes(self.buffer[-self.cap :]) if self.cap else b""
        if len(tail) < size:
            tail = _from_char_boundary(tail)
        return StreamRecord(size, digest, tail, len(tail) < size)


def _from_char_boundary(tail: bytes) -> bytes:
    """Drop UTF-8 continuation bytes a cut left at the start of the tail."""
    start = 0
    while start < min(len(tail), 3) and tail[start] & 0xC0 == 0x80:
        start += 1
    return tail[start:]


def terminal_sink(stream: IO[str]) -> Sink:
    """Write bytes to a text stream's buffer (or decoded, when it has none), flushing each chunk."""
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:

        def write_bytes(chunk: bytes) -> None:
            buffer.write(chunk)
            buffer.flush()

        return write_bytes

    def write_text(chunk: bytes) -> None:
        stream.write(chunk.decode("utf-8", "replace"))
        stream.flush()

    return write_text


def run_captured(
    command: Sequence[str] | str,
    cwd: Path,
    *,
    env: Mapping[str, str] | None = None,
    tail_bytes: int = DEFAULT_TAIL_BYTES,
    stdout_sink: Sink | None = None,
    stderr_sink: Sink | None = None,
    spawn: Spawn | None = None,
) -> Captured:
    """Run `command` (an argv list, or a string for the shell) to its end, teeing its output.

    Ctrl-C reaches the command as it would without charter; the run still
    ends with a record, its exit code the shell's 128 + signal. Output that a
    background process writes after the command exited, and after
    PIPE_GRACE_S, reaches the terminal but not the record. `spawn` starts the
    process (the OS sandbox's launcher); subprocess.Popen by default.
    """
    shell = isinstance(command, str)
    out = stdout_sink if stdout_sink is not None else terminal_sink(sys.stdout)
    err = stderr_sink if stderr_sink is not None else terminal_sink(sys.stderr)
    started = datetime.now(UTC)
    clock = time.monotonic()
    start = subprocess.Popen if spawn is None else spawn
    try:
        proc = start(
            command,
            cwd=cwd,
            shell=shell,
            env=None if env is None else dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        return _not_started(command, exc, started, clock, tail_bytes, out, err)
    assert proc.stdout is not None and proc.stderr is not None
    tees = [_Tee(proc.stdout, out, tail_bytes), _Tee(proc.stderr, err, tail_bytes)]
    for tee in tees:
        tee.thread.start()
    while True:
        try:
            returncode = proc.wait()
            break
        except KeyboardInterrupt:
            continue  # the command got the same SIGINT; wait for it to finish on its own terms
    seconds = time.monotonic() - clock
    ended = datetime.now(UTC)
    deadline = time.monotonic() + PIPE_GRACE_S
    for tee in tees:
        tee.thread.join(max(0.0, deadline - time.monotonic()))
    signal = -returncode if returncode < 0 else None
    exit_code = 128 + signal if signal is not None else returncode
    return Captured(exit_code, signal, started, ended, seconds, tees[0].record(), tees[1].record())


def _not_started(
    command: Sequence[str] | str,
    exc: OSError,
    started: datetime,
    clock: float,
    tail_bytes: int,
    out: Sink,
    err: Sink,
) -> Captured:
    name = command if isinstance(command, str) else (command[0] if command else "")
    missing = isinstance(exc, FileNotFoundError)
    message = f"charter: {'command not found' if missing else exc.strerror}: {name}\n".encode()
    stderr = _Tee(None, err, tail_bytes)
    stderr.feed(message)
    stdout = StreamRecord(0, sha256_bytes(b""), b"", False)
    code = _EXIT_NOT_FOUND if missing else _EXIT_NOT_EXECUTABLE
    return Captured(
        code, None, started, datetime.now(UTC), time.monotonic() - clock, stdout, stderr.record()
    )


# ---- the working tree ---------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    status: str  # porcelain v2 XY, or "??" for an untracked file
    digest: str | None  # sha256 of the content (link text for a symlink), None when gone
    exists: bool


@dataclass(frozen=True)
class TreeState:
    """What git reports for the tree: HEAD, branch, and every path not clean."""

    head: str | None
    branch: str | None
    entries: Mapping[str, Entry] = field(default_factory=dict)

    @property
    def dirty(self) -> bool:
        return bool(self.entries)


def tree_state(root: Path, exclude: Sequence[str] = ()) -> TreeState | None:
    """The tree under `root` as git sees it, or None outside a git repository.

    Paths are relative to `root`; those under an `exclude` prefix (charter's
    own records) are left out, so writing a manifest never dirties the tree.
    """
    shown = _git(root, "rev-parse", "--show-prefix")
    if shown is None:
        return None
    # porcelain paths are relative to the top of the work tree, not to `root`
    prefix = shown.decode("utf-8", "surrogateescape").strip()
    out = _git(
        root, "status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all", "--", "."
    )
    if out is None:
        return None
    head: str | None = None
    branch: str | None = None
    entries: dict[str, Entry] = {}
    tokens = out.decode("utf-8", "surrogateescape").split("\0")
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token.startswith("# branch.oid "):
            oid = token.removeprefix("# branch.oid ")
            head = None if oid == "(initial)" else oid
        elif token.startswith("# branch.head "):
            name = token.removeprefix("# branch.head ")
            branch = None if name == "(detached)" else name
        elif token[:2] in ("1 ", "2 ", "u ", "? "):
            kind = token[0]
            fields = {"1": 8, "2": 9, "u": 10, "?": 1}[kind]
            parts = token.split(" ", fields)
            if len(parts) <= fields:
                continue
            status = "??" if kind == "?" else parts[1]
            if kind == "2":
                index += 1  # the rename's original path follows as its own token
            rel = parts[fields].removeprefix(prefix)
            if not _excluded(rel, exclude):
                entries[rel] = _entry(root / rel, status)
    return TreeState(head, branch, entries)


def _git(root: Path, *args: str) -> bytes | None:
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except OSError:
        return None
    return proc.stdout if proc.returncode == 0 else None


def _excluded(rel: str, exclude: Sequence[str]) -> bool:
    return any(rel == p.rstrip("/") or rel.startswith(p.rstrip("/") + "/") for p in exclude)


def _entry(path: Path, status: str) -> Entry:
    try:
        if path.is_symlink():
            return Entry(
                status, sha256_bytes(os.readlink(path).encode("utf-8", "surrogateescape")), True
            )
        stat = path.stat()
        if not path.is_file():
            return Entry(status, None, True)  # a submodule or other non-file
        if stat.st_size > _HASH_LIMIT:
            return Entry(status, f"size={stat.st_size},mtime={stat.st_mtime_ns}", True)
        return Entry(status, sha256_file(path), True)
    except FileNotFoundError:
        return Entry(status, None, False)
    except OSError:
        return Entry(status, None, True)


def changed_files(root: Path, before: TreeState, after: TreeState) -> list[dict[str, Any]]:
    """Paths whose status or content differs between the two states, sorted by path.

    A path clean before the run existed then unless git now calls it untracked;
    a path clean after the run was put back as HEAD has it.
    """
    changes: list[dict[str, Any]] = []
    for path in sorted(set(before.entries) | set(after.entries)):
        old = before.entries.get(path)
        new = after.entries.get(path)
        if old == new:
            continue
        if new is None:
            new = _entry(root / path, "")
        existed = old.exists if old is not None else new.status != "??"
        if not new.exists:
            change = "deleted"
        elif not existed:
            change = "added"
        else:
            change = "modified"
        digest = new.digest if new.digest is not None and len(new.digest) == 64 else None
        changes.append({"path": path, "change": change, "sha256": digest})
    return changes
