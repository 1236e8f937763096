"""`charter session abort`: leave a session that cannot end, losing nothing.

`session end` refuses while the log has placeholders or an empty required
section, which is right for a finished session and a trap for one that was
started by mistake, or whose agent died. Abort closes the log as it stands
(`status: aborted`, `ended`, `aborted_reason`), leaves the task's plan and
every line the agent wrote untouched, clears the active session, and
regenerates the board and the handoff.
"""

from __future__ import annotations

from dataclasses import dataclass

from charter.clock import iso, now
from charter.config import Config
from charter.errors import CharterError
from charter.io import locked, read_text, write_text_atomic
from charter.sessions.end import regenerate_derived, require_active
from charter.sessions.logfile import close_frontmatter, yaml_scalar
from charter.state.session import ActiveSession, clear_active, lock_path

ABORTED = "aborted"


@dataclass(frozen=True)
class AbortResult:
    session: ActiveSession
    log_closed: bool  # False: the log was missing, so only the active session was cleared
    written: tuple[str, ...]


def abort_session(config: Config, reason: str) -> AbortResult:
    """Close the active session's log as aborted and clear the session."""
    reason = " ".join(reason.split())
    if not reason:
        raise CharterError("--reason needs a text: why the session is abandoned")
    with locked(lock_path(config.root)):
        session = require_active(config)
        closed = _close_log(config, session, reason)
        clear_active(config.root)
    written = [session.log] if closed else []
    written += regenerate_derived(config, session)
    return AbortResult(session, closed, tuple(written))


def _close_log(config: Config, session: ActiveSession, reason: str) -> bool:
    path = config.root / session.log
    values = {
        "status": ABORTED,
        "ended": yaml_scalar(iso(now())),
        "aborted_reason": yaml_scalar(reason),
    }
    with locked(path):  # `charter run` appends to the log under the same lock
        text = read_text(path)
        if text is None:
            return False  # nothing to close; the session must still be leavable
        try:
            closed = close_frontmatter(text, session.log, values)
        except CharterError:
            # A log whose frontmatter the agent broke: record the abort after it, add nothing
            # else, so the person sees both what was written and why it was abandoned.
            closed = text + ("" if text.endswith("\n") else "\n") + _note(reason)
        write_text_atomic(path, closed)
        return True


def _note(reason: str) -> str:
    return f"\n<!-- charter: session aborted {iso(now())}: {reason} -->\n"
