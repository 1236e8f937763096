"""The one error type library code raises.

The CLI turns it into `path:line: message` and exit code 2; library code never
prints or exits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pathlib costs the guard a few ms at start-up; only the annotation needs it
    from pathlib import Path


class CharterError(Exception):
    """A user-facing failure: bad config, unreadable file, refused edit."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(self.location_prefix() + message)

    def location_prefix(self) -> str:
        if self.path is None:
            return ""
        if self.line is None:
            return f"{self.path}: "
        return f"{self.path}:{self.line}: "


def os_error_message(exc: OSError) -> str:
    """`path: reason` for an operating-system error (disk full, read-only file system,
    permission denied, I/O error), in the words a person acts on."""
    reason = os_error_reason(exc)
    where = exc.filename if exc.filename is not None else None
    if where is None:
        return reason
    second = f" -> {exc.filename2}" if exc.filename2 is not None else ""
    return f"{where}{second}: {reason}"


def os_error_reason(exc: OSError) -> str:
    """The reason alone, in the words a person acts on ("the disk is full")."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    hints = {
        28: "the disk is full",  # ENOSPC
        30: "the file system is read-only",  # EROFS
        13: "permission denied",  # EACCES
        1: "operation not permitted",  # EPERM
        5: "input/output error from the storage device",  # EIO
        122: "disk quota exceeded",  # EDQUOT
    }
    return hints.get(exc.errno or 0, reason)


def utf8_error_at(data: bytes, exc: UnicodeDecodeError) -> tuple[int, int, str]:
    """(line, column, description) of the first undecodable byte: people look for a
    line, not a byte offset."""
    line = data[: exc.start].count(b"\n") + 1
    column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
    return line, column, f"not valid UTF-8 (column {column}, byte 0x{data[exc.start]:02x})"
