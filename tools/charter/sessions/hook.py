"""`charter session check`: is the active session's log complete? Also the Claude Code Stop hook.

Claude Code runs the Stop hook when the agent is about to finish, with JSON on
stdin. While the log is incomplete the hook answers, on stdout and with exit
code 0, `{"decision": "block", "reason": "..."}`: Claude keeps working with the
reason as its next instruction. When `stop_hook_active` is true the agent is
already continuing because of an earlier block, so the hook lets it stop
rather than loop. While the kill switch is engaged the hook lets it stop too:
the guard denies every edit, so the log cannot be completed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from charter.config import Config
from charter.repo import load_repo
from charter.sessions.end import session_gaps
from charter.sessions.logfile import Gap
from charter.state.killswitch import read_stop
from charter.state.session import ActiveSession, read_active

MAX_LISTED = 20


@dataclass(frozen=True)
class SessionCheck:
    session: ActiveSession | None
    gaps: tuple[Gap, ...] = ()
    stopped: bool = False  # the kill switch is engaged: the agent must stop, log or not

    @property
    def complete(self) -> bool:
        return not self.gaps


def check_session(config: Config) -> SessionCheck:
    session = read_active(config.root)
    if session is None:
        return SessionCheck(None)

    stopped = read_stop(str(config.root)) is not None
    return SessionCheck(session, tuple(session_gaps(load_repo(config), session)), stopped)


def read_payload(text: str) -> dict[str, Any]:
    """The hook's stdin; anything unreadable counts as an empty payload."""
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def payload_root(payload: dict[str, Any]) -> Path | None:
    cwd = payload.get("cwd")
    return Path(cwd) if isinstance(cwd, str) and cwd else None


def claude_stop_decision(
    payload: dict[str, Any], result: SessionCheck | Exception
) -> dict[str, str] | None:
    """The Stop hook's answer: None lets the agent stop."""
    if payload.get("stop_hook_active") is True:
        return None
    if isinstance(result, Exception):
        return {
            "decision": "block",
            "reason": f"charter could not check the session log: {result}. Fix this, or "
            "tell the operator, before you stop.",
        }
    if result.session is None or result.complete or result.stopped:
        return None  # with the kill switch engaged, file edits are denied: stopping is right
    return {"decision": "block", "reason": incomplete_reason(result)}


def incomplete_reason(result: SessionCheck) -> str:
    session = result.session
    assert session is not None
    listed = [f"- {gap}" for gap in result.gaps[:MAX_LISTED]]
    if len(result.gaps) > MAX_LISTED:
        listed.append(f"- and {len(result.gaps) - MAX_LISTED} more")
    return (
        f"Session {session.id} (task {session.task}) is not finished. Its log {session.log} "
        "still needs:\n" + "\n".join(listed) + "\n"
        "Fill these in from what you actually did, then run `charter session end`. If you "
        "cannot finish the task, say why in the log and run "
        '`charter session end --blocked "REASON"`.'
    )
