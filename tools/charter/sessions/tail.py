"""The tail of a failing command's output, kept for the session log.

In a session, `charter run` passes the command's output (stdout and stderr,
merged in the order they were written) through to the terminal as it comes and
keeps the last lines in memory. When the command fails, those lines are written
to `.charter/sessions/<id>/output/<n>.txt` and the session log's commands table
links them: "the tests failed" comes with what they said.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TAIL_LINES = 200
CHUNK = 64 * 1024


class Tail:
    """The last `lines` lines of a byte stream, in bounded memory."""

    def __init__(self, lines: int = TAIL_LINES):
        self.lines = lines
        self.buffer = bytearray()

    def feed(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > 4 * CHUNK and self.buffer.count(b"\n") > self.lines:
            self.buffer = bytearray(self.text_bytes())

    def text_bytes(self) -> bytes:
        kept = bytes(self.buffer).split(b"\n")
        if kept and kept[-1] == b"":
            kept = kept[:-1]
        return b"\n".join(kept[-self.lines :]) + (b"\n" if kept else b"")

    def text(self) -> str:
        return self.text_bytes().decode("utf-8", "replace")


def run_keeping_tail(
    args: list[str], env: dict[str, str], spawn: Any = None
) -> tuple[int, float, Tail]:
    """Run `args`, echo its output, keep its tail: exit code, seconds, tail. `spawn` starts
    it (the OS sandbox's launcher; subprocess.Popen by default).

    Raises FileNotFoundError or PermissionError as Popen does."""
    tail = Tail()
    begin = time.monotonic()
    start = subprocess.Popen if spawn is None else spawn
    process = start(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    out = sys.stdout.buffer
    fd = process.stdout.fileno()
    while True:
        try:
            data = os.read(fd, CHUNK)
        except KeyboardInterrupt:
            continue  # the child got the same SIGINT; its output and exit code still count
        if not data:
            break
        tail.feed(data)
        out.write(data)
        out.flush()
    while True:
        try:
            code = process.wait()
            break
        except KeyboardInterrupt:
            continue
    process.stdout.close()
    return (code if code >= 0 else 128 - code), time.monotonic() - begin, tail


def keep_tail(root: Path, session_id: str, tail: Tail) -> str:
    """Write the tail under the session's folder; its path, relative to the repository."""
    folder = root / ".charter" / "sessions" / session_id / "output"
    folder.mkdir(parents=True, exist_ok=True)
    number = 1 + sum(1 for p in folder.iterdir() if p.suffix == ".txt")
    path = folder / f"{number:04d}.txt"
    path.write_text(tail.text(), encoding="utf-8")
    return path.relative_to(root).as_posix()
