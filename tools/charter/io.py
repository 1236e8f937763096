"""Writing files safely: atomic replace under a sidecar lock, write-only-if-changed.

Every write charter makes goes through `write_text_atomic`, so a crash leaves
either the old or the new file, never half of one, and concurrent writers
serialise on the file's lock, kept under the repository's `.charter/locks/`
(never beside the file, where it would litter the work tree and the commits).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from charter import reporoot
from charter.errors import CharterError, utf8_error_at

LOCK_TIMEOUT_S = 30.0
LOCK_POLL_S = 0.005
STATE_DIR = ".charter"
LOCKS_DIR = "locks"
MAX_LOCK_NAME = 200  # below every file system's 255-byte name limit, with room for ".lock"


def find_root(start: Path) -> Path:
    """`charter.reporoot.find_root` for a `Path`: the nearest directory holding charter.toml,
    a pyproject with [tool.charter], or .git."""
    return Path(reporoot.find_root(str(start)))


def ensure_state_dir(state_dir: Path) -> None:
    """Create `.charter/` holding a `.gitignore` of `*`: local state never gets committed."""
    state_dir.mkdir(parents=True, exist_ok=True)
    ignore = state_dir / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# charter's local state (cache, active session): never committed\n*\n")


def lock_file(path: Path) -> Path:
    """Where the lock of `path` lives: `<root>/.charter/locks/<path, escaped>.lock`.

    The root is the repository holding `path` (found as the configuration finds
    it), so every process that writes one file takes the same lock. A file
    that is itself under `.charter/` (local state) keeps its lock beside it.
    """
    import hashlib  # here: a replayed `charter check` takes no lock
    import urllib.parse

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
    state = next((p for p in lock.parents if p.name == STATE_DIR), None)
    if state is not None:
        ensure_state_dir(state)
    lock.parent.mkdir(parents=True, exist_ok=True)


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the lock of `path` (see `lock_file`) for the duration of the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = lock_file(path)
    _make_lock_dir(lock_path)
    fd = _flocked(lock_path, timeout, path)
    if fd is None:
        with _file_locked(lock_path, timeout, path):
            remove_stale_temps(path)
            yield
        return
    try:
        remove_stale_temps(path)
        yield
    finally:
        _unlock(fd)


def _unlock(fd: int) -> None:
    import fcntl  # here: `_flocked` imported it already

    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)  # closing the only descriptor would release it too


def _flocked(lock_path: Path, timeout: float, path: Path) -> int | None:
    """A descriptor of `lock_path` holding its exclusive flock, as filelock's Unix lock
    takes it (the same file, the same kind of lock: the two exclude each other), without
    filelock's import (a fifth of a task edit's start-up); None where flock is not to be
    had (Windows, a file system without it): filelock then."""
    try:
        import fcntl  # here: only writers pay for it
    except ImportError:
        return None
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError:
        return None
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise CharterError(
                    f"could not take the lock {lock_path} within {timeout:.0f} s", path
                ) from None
            time.sleep(LOCK_POLL_S)
        except OSError:
            os.close(fd)
            return None


@contextlib.contextmanager
def _file_locked(lock_path: Path, timeout: float, path: Path) -> Iterator[None]:
    from filelock import FileLock, Timeout  # imported here: only writers pay for it

    # filelock polls a non-blocking flock; its 50 ms default idles a contended writer.
    lock = FileLock(str(lock_path), timeout=timeout, poll_interval=LOCK_POLL_S)
    try:
        lock.acquire()
    except Timeout as exc:
        raise CharterError(
            f"could not take the lock {lock_path} within {timeout:.0f} s", path
        ) from exc
    try:
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


def write_bytes_atomic(path: Path, data: bytes | Sequence[bytes | memoryview]) -> None:
    """Temp file in the same directory, fsync, os.replace. Caller holds the lock. `data`:
    the bytes, or pieces of them written one after another (never joined: a board patched
    at 50,000 tasks is slices of the old one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = _temp_file(path)
    except OSError as exc:
        raise _naming(exc, path) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in (data,) if isinstance(data, bytes) else data:
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            # mkstemp creates 0600; a new file gets the mode open() would give it.
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _naming(exc, path) from exc
        raise
    _fsync_dir(path.parent)


_TEMP_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_"  # tempfile's, as remove_stale_temps reads


def _temp_file(path: Path) -> tuple[int, str]:
    """`tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)`, without
    importing tempfile (with shutil, random, bz2 and lzma, 5 ms of a task edit's start-up):
    a new file only its owner may read, opened exclusively under a random name."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL
    for extra in ("O_NOFOLLOW", "O_CLOEXEC", "O_NOINHERIT", "O_BINARY"):
        flags |= getattr(os, extra, 0)
    for _attempt in range(100):
        name = "".join(_TEMP_CHARS[byte % len(_TEMP_CHARS)] for byte in os.urandom(8))
        tmp = os.path.join(path.parent, f".{path.name}.{name}.tmp")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(17, "no unused temporary file name", str(path.parent))


def _naming(exc: OSError, path: Path) -> OSError:
    """The error, naming the file being written rather than its temp file (or nothing:
    a full disk fails `write` and `fsync`, which know no file name)."""
    return type(exc)(exc.errno, exc.strerror or str(exc), str(path))


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
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        # A failing disk's EIO comes from read(), which knows no file name.
        raise exc if exc.filename is not None else _naming(exc, path) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, _column, what = utf8_error_at(data, exc)
        raise CharterError(what, path, line) from exc


def write_if_changed(path: Path, text: str) -> bool:
    """Atomically write `text` under the lock unless the file already holds it."""
    with locked(path):
        if read_text(path) == text:
            return False
        write_text_atomic(path, text)
        return True


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def read_file(path: str) -> bytes:
    """A file's bytes, like `Path(path).read_bytes()` at under half the cost: no Path, no
    buffered reader. A task edit reads every plan (2,000 at 50,000 tasks) twice."""
    fd = os.open(path, _READ_FLAGS)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 18):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def stat_signature(info: os.stat_result) -> tuple[int, int, int, int, int, int]:
    """What a file's `stat` says of its content without reading it: unchanged while the
    same file keeps its size and both times (a change within the clock's resolution is
    the caller's racy case)."""
    return (
        info.st_mode,
        info.st_dev,
        info.st_ino,
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
    )
