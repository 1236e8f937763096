"""The kill switch: `<repo>/.charter/STOP`.

While the file exists every guard decision in the repository is a denial, at
every level, whatever the policy cache says. The guard reads it with one
`open` per decision. The file holds JSON (`reason`, `by`, `at`), but its
presence alone is what stops: an empty, garbled or unreadable STOP file still
denies (fail closed), so `touch .charter/STOP` works in an emergency.

`.charter/` is protected from every command the guard allows, so an agent
cannot lift the switch; `charter resume --approved-by NAME` does. Because a
folder can still be lost (deleted by a person, a clean checkout, another
machine), `charter stop` also records the stop in the git ref
`refs/charter/stop` (`charter.state.stopref`): while either record exists,
everything is denied.
"""

from __future__ import annotations

import json
import os

from charter.state import stopref
from charter.state.escalations import escalate_detached_once

STOP_FILE = ".charter/STOP"


class Stop:
    """An engaged kill switch, as read from the STOP file."""

    __slots__ = ("at", "by", "key", "problem", "reason")

    def __init__(
        self, *, reason: str, by: str | None, at: str | None, key: str, problem: str | None = None
    ):
        self.reason = reason
        self.by = by
        self.at = at
        self.key = key  # identifies this engagement: one escalation per key
        self.problem = problem  # why the file could not be read as JSON, if it could not

    def denial(self) -> str:
        """The reason every command is denied, as the agent sees it."""
        who = f" by {self.by}" if self.by else ""
        when = f" at {self.at}" if self.at else ""
        note = f" ({self.problem}; it stops everything all the same)" if self.problem else ""
        return (
            f"the kill switch is engaged{who}{when}: {self.reason}{note}. Every command and "
            "file change is denied until a person runs `charter resume --approved-by NAME`: "
            "stop now; the stop is recorded in the session log"
        )

    def to_dict(self) -> dict[str, str | None]:
        return {"reason": self.reason, "by": self.by, "at": self.at}


def stop_path(root: str) -> str:
    return os.path.join(root, STOP_FILE)


def read_stop(root: str) -> Stop | None:
    """The engaged kill switch, or None. Never raises: anything but "no such file" stops."""
    path = stop_path(root)
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            raw = handle.read(64 * 1024)
    except FileNotFoundError:
        if stopref.engaged(root):
            return Stop(
                reason=f"(the reason is in the git ref {stopref.REF})",
                by=None,
                at=None,
                key="stop-ref",
                problem=f"{STOP_FILE} is gone, but the git ref {stopref.REF} "
                "still records the stop",
            )
        return None
    except OSError as exc:
        return Stop(
            reason="(reason unknown)",
            by=None,
            at=None,
            key="stop-unreadable",
            problem=f"{STOP_FILE} cannot be read: {exc.strerror}",
        )
    key = f"stop-{info.st_ino}-{info.st_mtime_ns}"
    try:
        data = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict):
        return Stop(
            reason="(reason unknown)",
            by=None,
            at=None,
            key=key,
            problem=f"{STOP_FILE} is not a JSON object",
        )
    reason = data.get("reason")
    return Stop(
        reason=reason.strip()
        if isinstance(reason, str) and reason.strip()
        else "(no reason given)",
        by=_text(data.get("by")),
        at=_text(data.get("at")),
        key=key,
    )


def denial(root: str) -> str | None:
    """The guard's denial while the switch is engaged; the first one starts the escalation."""
    stop = read_stop(root)
    if stop is None:
        return None
    escalate_detached_once(
        root, key=stop.key, event="kill-switch", reason=f"kill switch: {stop.reason}"
    )
    return stop.denial()


def engage(root: str, *, reason: str, by: str, at: str) -> Stop:
    """Write the STOP file (atomically: a reader sees no file or the whole file)."""
    path = stop_path(root)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump({"reason": reason, "by": by, "at": at}, handle, ensure_ascii=False)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    stop = read_stop(root)
    assert stop is not None
    return stop


def release(root: str) -> Stop | None:
    """Remove the STOP file and the git ref; the Stop they held, or None when none was
    engaged. A ref that cannot be deleted leaves the switch engaged: OSError says why."""
    stop = read_stop(root)
    if stop is None:
        return None
    import contextlib

    with contextlib.suppress(FileNotFoundError):
        os.unlink(stop_path(root))
    problem = stopref.delete(root)
    if problem is not None:
        raise OSError(f"the kill switch's git ref {stopref.REF} stays: {problem}")
    return stop


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
