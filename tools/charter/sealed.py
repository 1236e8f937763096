"""Sealed cache files: plain JSON under a header that says who wrote it and proves it whole.

Every cache under `.charter/cache/` is a disposable copy of work charter can
redo, and the work tree is not trusted: anyone who can write the checkout, or
a pull request that commits a file there, controls its bytes. So a cache is
data only, never code (no pickle, marshal or bytecode), and a file is believed
only when all of these hold; otherwise it is a miss and is rebuilt:

- it is a regular file (not a link) owned by the user running charter, in a
  folder owned by that user, and neither is writable by group or others;
- its first line is `charter-cache <format> <charter version> <kind> <digest>`
  with this format, this version, the kind the reader asked for (a shard
  renamed into another's place is refused) and the blake2b-256 digest of the
  rest of the file;
- the rest is JSON. Callers still check its shape: a well-formed file with
  the wrong contents is a miss too, never a crash.

Standard library only (the guard reads its policy cache through this on every
call); blake2b comes from `_blake2` so that hashlib does not load OpenSSL.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat

from charter import __version__
from charter.fasthash import blake2b

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from typing import Any

FORMAT = "1"
MAGIC = "charter-cache"
_UNSAFE_BITS = stat.S_IWGRP | stat.S_IWOTH
# Temp files of a writer that was killed before its rename: `.NAME.PID.tmp` (caches)
# and `NAME.PID.tmp` (the guard's caches before this format).
_TEMP = r"^\.?(?P<name>.+)\.(?P<pid>\d+)\.tmp$"
ORPHAN_AGE_S = 600  # a temp file this old is an orphan whatever its PID says
# What older charters left in the cache folder: pickles, Jinja2 bytecode, unsealed JSON.
_OBSOLETE = r"^(?:.+\.pickle|__jinja2_.+\.cache|board\.json|policy\.json|guard-config\.json)$"
_swept: set[str] = set()


def seal(kind: str, payload: Any) -> bytes:
    """The file's bytes: the header line, then `payload` as compact JSON."""
    body = json.dumps(payload, separators=(",", ":")).encode("ascii")
    digest = blake2b(body, digest_size=32).hexdigest()
    return f"{MAGIC} {FORMAT} {__version__} {kind} {digest}\n".encode() + body


def unseal(kind: str, data: bytes) -> Any:
    """What `seal(kind, ...)` sealed into `data`; None when any part of it does not fit."""
    end = data.find(b"\n", 0, 512)
    if end < 0:
        return None
    expected = f"{MAGIC} {FORMAT} {__version__} {kind} ".encode()
    header = data[:end]
    if not header.startswith(expected):
        return None
    body = memoryview(data)[end + 1 :]
    if blake2b(body, digest_size=32).hexdigest().encode() != header[len(expected) :]:
        return None
    try:
        return json.loads(body.tobytes())
    except (ValueError, RecursionError):  # not JSON (UnicodeDecodeError is a ValueError)
        return None


def read_sealed(path: str, kind: str) -> Any:
    """The payload of the cache file at `path`; None when it is missing or not to be believed."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not _trusted(info):
            return None
        if not _trusted_folder(os.path.dirname(path)):
            return None
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return unseal(kind, b"".join(chunks))


def write_sealed(path: str, kind: str, payload: Any) -> bool:
    """Write `payload` sealed to `path`, atomically; False when it could not be written
    (a read-only checkout, a folder someone else owns): charter then works on, uncached."""
    try:
        data = seal(kind, payload)
    except (TypeError, ValueError, RecursionError):  # not plain data: a bug, not a crash
        return False
    folder = os.path.dirname(path)
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        _ensure_folder(folder)
        sweep(folder)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(temporary, flags, 0o644)
        try:
            if hasattr(os, "fchmod"):  # group-writable (umask 002) would make it unbelievable
                os.fchmod(fd, 0o644)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False
    return True


def sweep(folder: str) -> list[str]:
    """Delete, once per process and folder, what killed writers and older charters left
    in a cache folder: orphaned temp files and obsolete pickles or bytecode. Returns
    the names removed."""
    if folder in _swept:
        return []
    _swept.add(folder)
    import re  # only writers pay for it: the guard's cache hit must not
    import time

    temp, obsolete = re.compile(_TEMP), re.compile(_OBSOLETE)
    removed: list[str] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    now = time.time()
    for name in names:
        full = os.path.join(folder, name)
        if obsolete.match(name) or _orphan(temp.match(name), full, now):
            with contextlib.suppress(OSError):
                os.unlink(full)
                removed.append(name)
    templates = os.path.join(folder, "templates")  # the old Jinja2 bytecode cache
    if os.path.isdir(templates) and not os.path.islink(templates):
        for name in _listdir(templates):
            if obsolete.match(name):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(templates, name))
                    removed.append(f"templates/{name}")
        with contextlib.suppress(OSError):
            os.rmdir(templates)
    return removed


def _orphan(match: re.Match[str] | None, full: str, now: float) -> bool:
    if match is None:
        return False
    pid = int(match["pid"])
    if pid != os.getpid() and not _alive(pid):
        return True
    try:
        return now - os.lstat(full).st_mtime > ORPHAN_AGE_S
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # someone else's process, or not a PID at all
        return True
    return True


def _listdir(folder: str) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


def _trusted(info: os.stat_result) -> bool:
    """Owned by whoever runs charter, writable by nobody else."""
    if info.st_mode & _UNSAFE_BITS:
        return False
    getuid = getattr(os, "geteuid", None)
    return getuid is None or info.st_uid == getuid()


def _trusted_folder(folder: str) -> bool:
    try:
        info = os.lstat(folder or ".")
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and _trusted(info)


def _ensure_folder(folder: str) -> None:
    """The cache folder, created if need be and made trustworthy when it is ours; OSError
    when it cannot be (then nothing is written there)."""
    os.makedirs(folder, mode=0o755, exist_ok=True)
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode):
        raise NotADirectoryError(folder)
    getuid = getattr(os, "geteuid", None)
    if info.st_mode & _UNSAFE_BITS and (getuid is None or info.st_uid == getuid()):
        # Made under umask 002 by an older charter, or by hand. Only its owner fixes it;
        # a stranger's folder stays as it is and its caches stay unread.
        os.chmod(folder, stat.S_IMODE(info.st_mode) & ~_UNSAFE_BITS)
    if not _trusted(os.lstat(folder)):
        raise PermissionError(folder)
