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
