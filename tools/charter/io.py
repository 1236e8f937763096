"""Writing files safely: atomic replace under a sidecar lock, write-only-if-changed,
and generated regions inside hand-written files.

Every write charter makes goes through `write_text_atomic`, so a crash leaves
either the old or the new file, never half of one, and concurrent writers
serialise on the file's lock, kept under the repository's `.charter/locks/`
(never beside the file, where it would litter the work tree and the commits).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from charter.errors import CharterError

LOCK_TIMEOUT_S = 30.0
LOCK_POLL_S = 0.005
STATE_DIR = ".charter"
LOCKS_DIR = "locks"
MAX_LOCK_NAME = 200  # below every file system's 255-byte name limit, with room for ".lock"


def lock_file(path: Path) -> Path:
    """Where the lock of `path` lives: `<root>/.charter/locks/<path, escaped>.lock`.

    The root is the repository holding `path` (found as the configuration finds
    it), so every process that writes one file takes the same lock. A file
    that is itself under `.charter/` (local state) keeps its lock beside it.
    """
    from charter.config import find_root  # the one definition of a repository's root

    target = path.resolve()
    if STATE_DIR in target.parent.parts:
        return target.with_name(target.name + ".lock")
    root = find_root(target.parent)
    name = urllib.parse.quote(target.relative_to(root).as_posix(), safe="")
    if len(name) > MAX_LOCK_NAME:
        digest = hashlib.sha256(name.encode()).hexdigest()[:16]
        name = f"{name[-(MAX_LOCK_NAME - 17) :]}-{digest}"
    return root / STATE_DIR / LOCKS_DIR / f"{name}.lock"


def _make_lock_dir(lock: Path) -> None:
    from charter.cache import ensure_state_dir  # the one writer of .charter/.gitignore

    state = next((p for p in lock.parents if p.name == STATE_DIR), None)
    if state is not None:
        ensure_state_dir(state)
    lock.parent.mkdir(parents=True, exist_ok=True)


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the lock of `path` (see `lock_file`) for the duration of the block."""
    from filelock import FileLock, Timeout  # imported here: only writers pay for it

    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = lock_file(path)
    _make_lock_dir(lock_path)
    # filelock polls a non-blocking flock; its 50 ms default idles a contended writer.
    lock = FileLock(str(lock_path), timeout=timeout, poll_interval=LOCK_POLL_S)
    try:
        lock.acquire()
    except Timeout as exc:
        raise CharterError(
            f"could not take the lock {lock_path} within {timeout:.0f} s", path
        ) from exc
    try:
        remove_stale_temps(path)
        yield
    finally:
        lock.release()


def remove_stale_temps(path: Path) -> list[Path]:
    """Delete temp files a killed writer of `path` left behind. Caller holds the lock.

    Writers hold the lock from creating their temp file until os.replace, so
    under the lock any temp file for `path` belongs to a writer that died.
    """
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}\.tmp")
    removed: list[Path] = []
    try:
        candidates = list(path.parent.glob(f".{_glob_escape(path.name)}.*.tmp"))
    except OSError:
        return removed
    for candidate in candidates:
        if pattern.fullmatch(candidate.name):
            with contextlib.suppress(FileNotFoundError):
                candidate.unlink()
                removed.append(candidate)
    return removed


def _glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


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
        else:
            # mkstemp creates 0600; a new file gets the mode open() would give it.
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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


@dataclass(frozen=True)
class Region:
    """Where a generated region sits: character spans into the text."""

    begin_start: int  # start of the begin marker line
    begin_end: int  # end of the begin marker line, before its line ending
    attrs: str  # what the begin marker holds after the name, e.g. "sha256=..."
    body_start: int
    body_end: int
    line: int  # 1-based line of the begin marker


def _region_re(name: str) -> re.Pattern[str]:
    # The begin marker may carry attributes after the name (a hash stamp):
    # <!-- charter:begin NAME sha256=... -->
    quoted = re.escape(name)
    return re.compile(
        rf"^[ \t]*<!--[ \t]*charter:begin[ \t]+{quoted}(?P<attrs>(?:[ \t][^\n]*?)?)[ \t]*-->"
        rf"[^\n]*\n(?P<body>.*?)^[ \t]*<!--[ \t]*charter:end[ \t]+{quoted}[ \t]*-->",
        re.M | re.S,
    )


def locate_region(text: str, name: str) -> Region | None:
    """The region `name` with its begin marker's attributes, or None."""
    match = _region_re(name).search(text)
    if match is None:
        return None
    begin_end = text.index("\n", match.start())
    if begin_end > match.start() and text[begin_end - 1] == "\r":
        begin_end -= 1
    return Region(
        begin_start=match.start(),
        begin_end=begin_end,
        attrs=match.group("attrs").strip(),
        body_start=match.start("body"),
        body_end=match.end("body"),
        line=text.count("\n", 0, match.start()) + 1,
    )


def find_region(text: str, name: str) -> tuple[int, int] | None:
    """Character span of the region's body (between the marker lines), or None."""
    region = locate_region(text, name)
    if region is None:
        return None
    return region.body_start, region.body_end


def replace_region(text: str, name: str, body: str, path: Path | None = None) -> str:
    """`text` with the body of region `name` replaced; CharterError when it has none.

    A begin marker that carries a hash stamp gets the new body's stamp, so the
    region still reads as generated (see charter.stamps).
    """
    region = locate_region(text, name)
    if region is None:
        begin, end = region_markers(name)
        raise CharterError(f"no generated region: add the lines {begin} and {end}", path)
    newline = "\r\n" if "\r\n" in text else "\n"
    if body and not body.endswith("\n"):
        body += "\n"
    body = body.replace("\r\n", "\n").replace("\n", newline)
    begin = text[region.begin_start : region.begin_end]
    if "sha256=" in region.attrs:
        from charter.stamps import restamp_marker  # stamps builds on this module

        begin = restamp_marker(begin, body)
    between = text[region.begin_end : region.body_start]  # the begin marker's line ending
    return text[: region.begin_start] + begin + between + body + text[region.body_end :]
