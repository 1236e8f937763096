"""The active session: `<repo>/.charter/active-session.json`.

`charter guard` and `charter run` read it to learn the session's level and
where to record commands; `state.active` reads and checks the file for every
reader, this module turns the record into an `ActiveSession`. One working tree
has at most one active session.
Every change to it, and every allocation of a session number, happens under
the one lock `SESSION_LOCK`, so a start, an end and a second start never
interleave. The file itself is replaced atomically, so readers need no lock.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from charter.errors import CharterError
from charter.io import write_text_atomic
from charter.state.active import ACTIVE_SESSION, read_active_session

ACTIVE_FILE = ACTIVE_SESSION
SESSION_LOCK = ".charter/session"  # charter.io.locked adds the `.lock` suffix


@dataclass(frozen=True)
class ActiveSession:
    id: str
    log: str  # repo-relative path of the session log
    task: str
    level: str
    approved_by: str | None
    agent: str
    started: str  # ISO-8601 UTC, from the session clock (CHARTER_NOW may pin it)
    # The real clock at start, in seconds since 1970. The time budget counts from
    # it: a pinned CHARTER_NOW (tests, reproducible logs) must not age a session.
    started_epoch: float | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"


def active_path(root: Path) -> Path:
    return root / ACTIVE_FILE


def lock_path(root: Path) -> Path:
    return root / SESSION_LOCK


def read_active(root: Path) -> ActiveSession | None:
    """The active session, or None. A damaged file is an error, never a silent None:
    the guard must not mistake a broken session for no session. The file is read and
    checked by `state.active` (the guard's reader), so every reader sees it the same way."""
    data = read_active_session(str(root))
    if data is None:
        return None
    try:
        approved = data.get("approved_by")
        return ActiveSession(
            id=_text(data, "id"),
            log=_text(data, "log"),
            task=_text(data, "task"),
            level=_text(data, "level"),
            approved_by=str(approved) if approved else None,
            agent=str(data.get("agent") or "unknown"),
            started=_text(data, "started"),
            started_epoch=_epoch(data.get("started_epoch")),
        )
    except KeyError as exc:
        raise CharterError(f"the active session has no {exc.args[0]!r}", ACTIVE_FILE) from exc


def _epoch(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(data: dict[str, object], key: str) -> str:
    value = data.get(key)
    if value in (None, ""):
        raise KeyError(key)
    return str(value)


def write_active(root: Path, session: ActiveSession) -> None:
    """Caller holds `locked(lock_path(root))`."""
    write_text_atomic(active_path(root), session.to_json())


def clear_active(root: Path) -> None:
    """Caller holds `locked(lock_path(root))`."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(active_path(root))
