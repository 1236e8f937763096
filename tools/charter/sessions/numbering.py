"""Session numbers: NNNN is one more than the highest number of any log in the
sessions directory (across all days, in any subfolder).

The caller holds the session lock; the file is still created with O_EXCL and a
taken number skipped, so even a writer that ignores the lock cannot make two
sessions share a file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

_NUMBER = re.compile(r"session-(\d+)\.md$", re.IGNORECASE)
_ATTEMPTS = 1000


def session_id(day: str, number: int) -> str:
    return f"{day}_session-{number:04d}"


def highest_number(directory: Path) -> int:
    if not directory.is_dir():
        return 0
    best = 0
    for path in directory.rglob("*.md"):
        match = _NUMBER.search(path.name)
        if match:
            best = max(best, int(match.group(1)))
    return best


def create_log(directory: Path, day: str, render: Callable[[str], bytes]) -> tuple[str, Path]:
    """Create `<day>_session-NNNN.md` holding `render(session_id)`; return (id, path).

    `render` runs before the file is created, so a failing template writes nothing.
    """
    directory.mkdir(parents=True, exist_ok=True)
    number = highest_number(directory) + 1
    for _ in range(_ATTEMPTS):
        sid = session_id(day, number)
        path = directory / f"{sid}.md"
        if path.exists():
            number += 1
            continue
        content = render(sid)
        # Written whole to a temp file, then linked into place: link fails when the
        # name is taken (another session got the number), and a killed start leaves
        # no half-written log, only a temp file no reader lists.
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644 & ~_umask())
            _link_or_copy(tmp, path, content)
        except FileExistsError:
            number += 1
            continue
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return sid, path
    raise OSError(f"no free session number after {_ATTEMPTS} attempts in {directory}")


_NO_LINKS = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS)


def _link_or_copy(tmp: str, path: Path, content: bytes) -> None:
    """Hard-link `tmp` to `path` (FileExistsError when taken); where the file system has
    no hard links, create `path` exclusively and write it."""
    try:
        os.link(tmp, path)
        return
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
