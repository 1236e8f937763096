"""A test-only fault shim: Python imports this module at start-up when its folder
is on PYTHONPATH, so a charter child process of the fault suite runs with it.

It wraps the calls through which charter changes files (open for writing and the
handle's writes, os.open with a write flag, fsync, replace, rename, link, unlink,
flock) and counts them as numbered "points". By FAULTSHIM_MODE:

- `count`: append one JSON line per point to FAULTSHIM_LOG (kind, path, seconds
  since start-up), and change nothing;
- `stop`: at point FAULTSHIM_AT, FAULTSHIM_WHEN `before` or `after` it happens
  (`half`: a write of which only the first half reached the file), stop this
  process with SIGSTOP; the test looks at the files and locks, then SIGKILLs the
  process group. A kill exactly there, with nothing else moving meanwhile;
- `eio`: reads of files whose path matches FAULTSHIM_READ, and writes of files
  whose path matches FAULTSHIM_WRITE (FAULTSHIM_ON `write`, the default, or only
  their `fsync`), fail with EIO and no file name, as a failing disk's do.

Only the process that first imported it (FAULTSHIM_OWNER) is affected: charter's
worker processes and the commands `charter run` starts are left alone.
Nothing of charter imports this; it only exists on the child's PYTHONPATH.
"""

from __future__ import annotations

import builtins
import errno
import fcntl
import io
import json
import os
import re
import signal
import time
from typing import Any

_MODE = os.environ.get("FAULTSHIM_MODE", "")
_START = time.monotonic()
_OWNER = int(os.environ.setdefault("FAULTSHIM_OWNER", str(os.getpid())))
_AT = int(os.environ.get("FAULTSHIM_AT", "0"))
_WHEN = os.environ.get("FAULTSHIM_WHEN", "before")
_LOG = os.environ.get("FAULTSHIM_LOG", "")
_READ = re.compile(os.environ["FAULTSHIM_READ"]) if os.environ.get("FAULTSHIM_READ") else None
_WRITE = re.compile(os.environ["FAULTSHIM_WRITE"]) if os.environ.get("FAULTSHIM_WRITE") else None

_open = io.open
_os_open = os.open
_fsync = os.fsync
_replace = os.replace
_rename = os.rename
_link = os.link
_unlink = os.unlink
_flock = fcntl.flock
_os_write = os.write
_os_read = os.read
_ON = os.environ.get("FAULTSHIM_ON", "write")
_count = 0


def _mine() -> bool:
    return os.getpid() == _OWNER


def _path_of(target: Any) -> str:
    if isinstance(target, int):
        try:
            return os.readlink(f"/proc/self/fd/{target}")
        except OSError:
            return f"fd {target}"
    return os.path.abspath(os.fsdecode(target))


def _record(line: dict[str, Any]) -> None:
    fd = _os_open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        _os_write(fd, (json.dumps(line) + "\n").encode())
    finally:
        os.close(fd)


def _point(kind: str, target: Any, when: str) -> bool:
    """Count a point (once, `when` == "before"); stop here if it is the chosen one and
    the chosen moment. True when the caller should do only half of a write."""
    global _count
    if not _mine() or _MODE not in ("count", "stop"):
        return False
    if when == "before":
        _count += 1
        if _MODE == "count":
            _record({"n": _count, "kind": kind, "path": _path_of(target), "t": _since()})
            return False
    if _count != _AT:
        return False
    if when == "before" and _WHEN == "half" and kind == "write":
        return True
    if when == _WHEN or (when == "after" and _WHEN == "half"):
        _record({"n": _count, "kind": kind, "when": _WHEN, "path": _path_of(target)})
        os.kill(os.getpid(), signal.SIGSTOP)
    return False


def _since() -> float:
    return round(time.monotonic() - _START, 4)


def _failing_write(path: str) -> bool:
    return _MODE == "eio" and _ON == "write" and _WRITE is not None and bool(_WRITE.search(path))


def _failing_read(path: str) -> bool:
    return _MODE == "eio" and _READ is not None and bool(_READ.search(path))


def _eio() -> OSError:
    return OSError(errno.EIO, os.strerror(errno.EIO))


class _Handle:
    """A file object whose writes are points (or fail with EIO), and whose reads may
    fail with EIO; everything else is the real file's."""

    def __init__(self, real: Any, path: str, writing: bool) -> None:
        self._real = real
        self._path = path
        self._writing = writing

    def write(self, data: Any) -> int:
        if _failing_write(self._path):
            raise _eio()
        if _point("write", self._path, "before"):
            self._real.write(data[: len(data) // 2])
            self._real.flush()
            _point("write", self._path, "after")
        written = int(self._real.write(data))
        _point("write", self._path, "after")
        return written

    def _reading(self) -> None:
        if _failing_read(self._path):
            raise _eio()

    def read(self, *args: Any) -> Any:
        self._reading()
        return self._real.read(*args)

    def readline(self, *args: Any) -> Any:
        self._reading()
        return self._real.readline(*args)

    def readlines(self, *args: Any) -> Any:
        self._reading()
        return self._real.readlines(*args)

    def __iter__(self) -> Any:
        self._reading()
        return iter(self._real)

    def __next__(self) -> Any:
        self._reading()
        return next(self._real)

    def __enter__(self) -> _Handle:
        return self

    def __exit__(self, *exc: object) -> None:
        self._real.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _wrapped_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
    if not _mine():
        return _open(file, mode, *args, **kwargs)
    writing = any(c in mode for c in "wax+")
    if writing:
        _point("open", file if isinstance(file, int) else _path_of(file), "before")
    real = _open(file, mode, *args, **kwargs)
    path = _path_of(real.fileno()) if isinstance(file, int) else _path_of(file)
    if writing:
        _point("open", path, "after")
    if writing or _failing_read(path):
        return _Handle(real, path, writing)
    return real


def _wrapped_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
    writing = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
    if writing:
        _point("open", path, "before")
    fd = _os_open(path, flags, *args, **kwargs)
    if writing:
        _point("open", path, "after")
    return fd


def _wrapped_os_write(fd: int, data: Any) -> int:
    if not _mine():
        return _os_write(fd, data)
    if _MODE == "eio" and _failing_write(_path_of(fd)):
        raise _eio()
    if _point("write", fd, "before"):
        _os_write(fd, data[: len(data) // 2])
        _point("write", fd, "after")
    written = _os_write(fd, data)
    _point("write", fd, "after")
    return written


def _wrapped_os_read(fd: int, size: int) -> bytes:
    if _MODE == "eio" and _READ is not None and _mine() and _failing_read(_path_of(fd)):
        raise _eio()
    return _os_read(fd, size)


def _wrapped_fsync(fd: Any) -> None:
    if _MODE == "eio" and _ON == "fsync" and _WRITE and _mine() and _WRITE.search(_path_of(fd)):
        raise _eio()
    _point("fsync", fd, "before")
    _fsync(fd)
    _point("fsync", fd, "after")


def _two_paths(kind: str, real: Any) -> Any:
    def wrapped(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        _point(kind, dst, "before")
        real(src, dst, *args, **kwargs)
        _point(kind, dst, "after")

    return wrapped


def _wrapped_unlink(path: Any, *args: Any, **kwargs: Any) -> None:
    _point("unlink", path, "before")
    _unlink(path, *args, **kwargs)
    _point("unlink", path, "after")


def _wrapped_flock(fd: Any, operation: int) -> None:
    taking = not operation & fcntl.LOCK_UN
    if taking:
        _point("lock", fd, "before")
    _flock(fd, operation)
    if taking:
        _point("lock", fd, "after")


if _MODE and _mine():
    builtins.open = io.open = _wrapped_open
    os.open = _wrapped_os_open
    os.fsync = _wrapped_fsync
    os.write = _wrapped_os_write
    os.read = _wrapped_os_read
    os.replace = _two_paths("replace", _replace)
    os.rename = _two_paths("rename", _rename)
    os.link = _two_paths("link", _link)
    os.unlink = os.remove = _wrapped_unlink
    fcntl.flock = _wrapped_flock
