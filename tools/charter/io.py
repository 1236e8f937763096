"""Writing files safely: atomic replace under a sidecar lock, write-only-if-changed,
and generated regions inside hand-written files.

Every write charter makes goes through `write_text_atomic`, so a crash leaves
either the old or the new file, never half of one, and concurrent writers
serialise on `<file>.lock`.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from charter.errors import CharterError

LOCK_TIMEOUT_S = 30.0


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold `<path>.lock` (a sidecar file) for the duration of the block."""
    from filelock import FileLock, Timeout  # imported here: only writers pay for it

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path) + ".lock", timeout=timeout)
    try:
        with lock:
            yield
    except Timeout as exc:
        raise CharterError(f"could not lock {path.name}.lock within {timeout:.0f} s", path) from exc


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Temp file in the same directory, fsync, os.replace. Caller holds the lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_text_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text exactly as given (no newline translation)."""
    write_bytes_atomic(path, text.encode("utf-8"))


def read_text(path: Path) -> str | None:
    """The file's text with its line endings untouched, or None when it does not exist."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise CharterError(f"not valid UTF-8 (byte {exc.start})", path) from exc


def write_if_changed(path: Path, text: str) -> bool:
    """Atomically write `text` under the lock unless the file already holds it."""
    with locked(path):
        if read_text(path) == text:
            return False
        write_text_atomic(path, text)
        return True


def region_markers(name: str) -> tuple[str, str]:
    return f"<!-- charter:begin {name} -->", f"<!-- charter:end {name} -->"


def find_region(text: str, name: str) -> tuple[int, int] | None:
    """Character span of the region's body (between the marker lines), or None."""
    begin, end = region_markers(name)
    match = re.search(
        rf"^[ \t]*{re.escape(begin)}[^\n]*\n(.*?)^[ \t]*{re.escape(end)}", text, re.M | re.S
    )
    if match is None:
        return None
    return match.start(1), match.end(1)


def replace_region(text: str, name: str, body: str, path: Path | None = None) -> str:
    """`text` with the body of region `name` replaced; CharterError when it has none."""
    span = find_region(text, name)
    if span is None:
        begin, end = region_markers(name)
        raise CharterError(f"no generated region: add the lines {begin} and {end}", path)
    newline = "\r\n" if "\r\n" in text else "\n"
    if body and not body.endswith("\n"):
        body += "\n"
    body = body.replace("\r\n", "\n").replace("\n", newline)
    return text[: span[0]] + body + text[span[1] :]
