"""The guard's audit trail: every decision in a session, one JSON line each.

`charter guard` (on the command line and in an agent's hook) appends one line
per decision to `.charter/sessions/<id>/guard.jsonl`: allowed and denied, with
the level and the rule. The agent's post-tool hook appends the exit code of a
command it ran. This is the guard's fast path, so writing is one `open` in
append mode and one `write` of a line under 4 KiB (a single write to a file
opened with O_APPEND is not interleaved with another process's); nothing is
read. The lines are folded into the session log's commands table lazily, by
`charter run`, `charter session status` and `charter session end`
(`charter.state.commandlog.fold_commands`).

Standard library only: the guard imports this module.
"""

from __future__ import annotations

import json
import os
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

AUDIT_FILE = "guard.jsonl"
MAX_COMMAND = 2000  # characters of a command kept in its line; the rest is elided


def audit_path(root: str, session_id: str) -> str:
    return os.path.join(root, ".charter", "sessions", session_id, AUDIT_FILE)


def append(root: str, session_id: str, record: dict[str, Any]) -> None:
    """Append `record` as one line. Never raises: the audit trail must not turn an
    answer into a crash; a failure to write is reported in the record's place by
    the fold (the counts of the budget and this file disagree)."""
    command = record.get("command")
    if isinstance(command, str) and len(command) > MAX_COMMAND:
        record = {**record, "command": command[:MAX_COMMAND] + "…", "truncated": True}
    line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
    path = audit_path(root, session_id)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except FileNotFoundError:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError:
            return
    except OSError:
        return
    try:
        os.write(fd, line.encode("utf-8"))
    except OSError:
        pass
    finally:
        os.close(fd)


def record_decision(
    root: str,
    session_id: str,
    *,
    command: str,
    allowed: bool,
    level: str | None,
    rule: str | None,
    via: str,
    at: str,
    network: list[dict[str, Any]] | None = None,
) -> None:
    """One decision; `network` lists its network commands with their hosts (the session
    log's network section is folded from it)."""
    record: dict[str, Any] = {
        "kind": "decision",
        "command": command,
        "decision": "allow" if allowed else "deny",
        "level": level,
        "rule": rule,
        "via": via,
        "started": at,
        "t": round(time.time(), 6),
    }
    if network:
        record["network"] = network
    append(root, session_id, record)


def record_exit(
    root: str,
    session_id: str,
    *,
    command: str,
    exit_code: int | None,
    via: str,
    at: str,
    outcome: str | None = None,
) -> None:
    """The outcome of a command the agent ran: its exit code, or (None) `outcome` says
    what the agent reported instead (`failed`, `interrupted`, `unknown`)."""
    record: dict[str, Any] = {
        "kind": "exit",
        "command": command,
        "exit_code": exit_code,
        "via": via,
        "at": at,
    }
    if outcome is not None:
        record["outcome"] = outcome
    append(root, session_id, record)


def now_iso() -> str:
    """UTC now, seconds precision, without importing datetime (8 ms) on the guard's path."""
    seconds = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(seconds))
