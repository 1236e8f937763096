"""Escalation: block the task, record why, tell a person.

`escalate` records the escalation in the session log (the safety events
table) and in the task's plan (Status: Blocked, with a `Blocked reason:`),
regenerates the board and the handoff, and runs the policy's `notify` command
with the escalation as JSON on stdin. Every step runs even when an earlier one
failed; failures are reported, never raised, and a failed notifier unblocks
nothing.

Automatic escalations (a spent budget, the kill switch, a failed blocking
gate) happen once per cause (`escalate_once`): the first process to create the
cause's marker under `.charter/escalations/` (charter.state.escalations)
escalates, every later one sees the marker. The guard cannot afford the work
on its own path, so it starts a detached `charter escalate` instead
(`charter.state.escalations.escalate_detached_once`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from charter.board.regenerate import regenerate_board
from charter.clock import iso, now
from charter.config import Config, load_config
from charter.errors import CharterError
from charter.guard.policy import load_policy
from charter.handoff.regenerate import write_handoff
from charter.io import locked
from charter.repo import load_repo
from charter.state.escalations import claim
from charter.state.events import record_event
from charter.state.session import lock_path, read_active
from charter.status import is_done
from charter.tasks.edit import block, find_task

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

NOTIFY_TIMEOUT_S = 30.0
EVENTS = ("escalation", "budget-spent", "kill-switch", "gate-failed")


# -- the escalation itself ---------------------------------------------------------------


class NotifyResult:
    __slots__ = ("command", "detail", "ok")

    def __init__(self, ok: bool, detail: str, command: str):
        self.ok = ok
        self.detail = detail
        self.command = command


class Escalation:
    __slots__ = (
        "blocked",
        "event",
        "log",
        "notes",
        "notify",
        "payload",
        "problems",
        "reason",
        "task",
    )

    def __init__(self, event: str, reason: str, payload: dict[str, Any]):
        self.event = event
        self.reason = reason
        self.payload = payload
        self.task: str | None = payload["task"]
        self.blocked = False
        self.notify: NotifyResult | None = None
        self.log: str | None = None
        self.problems: list[str] = []  # steps that failed
        self.notes: list[str] = []  # steps skipped on purpose (a done task is not blocked)

    @property
    def outcome(self) -> str:
        parts = []
        if self.task is not None:
            parts.append(f"{self.task} blocked" if self.blocked else f"{self.task} not moved")
        if self.notify is None:
            parts.append("no notifier configured")
        elif self.notify.ok:
            parts.append("notified")
        else:
            parts.append(f"notifier failed: {self.notify.detail}")
        return "; ".join(parts)


def escalate(
    config: Config,
    *,
    event: str,
    reason: str,
    task_id: str | None = None,
    by: str | None = None,
    at: str | None = None,
) -> Escalation:
    """Escalate; never raises for a failed step (see `Escalation.problems`), only for bad input."""
    reason = " ".join(reason.split())
    if not reason:
        raise CharterError(
            "an escalation needs a reason: what stopped the work, and what is needed"
        )
    if event not in EVENTS:
        raise CharterError(f"unknown event {event!r} (events: {', '.join(EVENTS)})")
    moment = at or iso(now())
    problems: list[str] = []
    with locked(lock_path(config.root)):
        session = _session(config, problems)
        task = task_id or (session.task if session is not None else None)
        if task_id is not None:
            _require_task(config, task_id)
        payload = {
            "event": event,
            "task": task,
            "session": session.id if session is not None else None,
            "level": session.level if session is not None else None,
            "reason": reason,
            "repo": str(config.root),
        }
        result = Escalation(event, reason, payload)
        result.problems = problems
        if task is not None:
            result.blocked = _block(config, task, reason, problems, result.notes)
        _regenerate(config, problems)
    result.notify = _notify(config, payload, problems)
    if session is not None:
        entry = {
            "at": moment,
            "event": event,
            "by": by,
            "reason": reason,
            "task": task,
            "outcome": result.outcome,
        }
        try:
            record_event(config.root, session, entry)
            result.log = session.log
        except CharterError as exc:
            problems.append(f"the session log was not updated: {exc}")
    return result


def _session(config: Config, problems: list[str]) -> Any:
    try:
        return read_active(config.root)
    except CharterError as exc:
        problems.append(f"the active session cannot be read: {exc}")
        return None


def _require_task(config: Config, task_id: str) -> None:
    find_task(config, task_id)  # CharterError naming the known tasks when there is none


def _block(
    config: Config, task_id: str, reason: str, problems: list[str], notes: list[str]
) -> bool:
    try:
        task = load_repo(config).find_task(task_id)
        if task is None:
            notes.append(f"task {task_id} is in no plan, so it was not moved to Blocked")
            return False
        if is_done(task, config):
            notes.append(f"task {task_id} is done, so it was not moved to Blocked")
            return False

        block(config, task_id, reason)
        return True
    except CharterError as exc:
        problems.append(f"task {task_id} was not moved to Blocked: {exc}")
        return False


def _regenerate(config: Config, problems: list[str]) -> None:
    try:
        regenerate_board(config)
    except CharterError as exc:
        problems.append(f"the board was not regenerated: {exc}")
    try:
        write_handoff(config)
    except CharterError as exc:
        problems.append(f"the handoff was not regenerated: {exc}")


def _notify(config: Config, payload: dict[str, Any], problems: list[str]) -> NotifyResult | None:
    try:
        policy = load_policy(config.path(config.policy), config.policy)
    except CharterError as exc:
        result = NotifyResult(False, f"the policy cannot be read ({exc})", "")
        problems.append(f"nobody was notified: {result.detail}")
        return result
    if policy.notify is None:
        return None
    result = notify(policy.notify, payload, config.root)
    if not result.ok:
        problems.append(f"the notifier `{result.command}` failed: {result.detail}")
    return result


def notify(
    command: str | Sequence[str],
    payload: dict[str, Any],
    cwd: Path,
    timeout: float = NOTIFY_TIMEOUT_S,
) -> NotifyResult:
    """Run the notifier with `payload` as JSON on stdin; its result, never an exception."""
    import subprocess

    if isinstance(command, str):
        args = ["/bin/sh", "-c", command]
        shown = command
    else:
        args = list(command)
        shown = " ".join(args)
    data = (json.dumps(payload, ensure_ascii=False) + "\n").encode("utf-8")
    try:
        process = subprocess.Popen(
            args,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        return NotifyResult(False, f"cannot start it: {exc.strerror or exc}", shown)
    try:
        _out, err = process.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        import signal

        # the whole group: a shell's children would keep the pipes open
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return NotifyResult(False, f"no answer within {timeout:g} s; it was stopped", shown)
    if process.returncode != 0:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-3:]
        detail = f"exit {process.returncode}" + (f": {' / '.join(tail)}" if tail else "")
        return NotifyResult(False, detail, shown)
    return NotifyResult(True, "exit 0", shown)


def escalate_once(
    config: Config | Path, *, key: str, event: str, reason: str, by: str = "charter"
) -> Escalation | None:
    """Escalate unless cause `key` was already escalated; None when it was.

    Given a repository path instead of its configuration, the configuration is
    read only by the one caller that claimed the cause.
    """
    root = config if isinstance(config, Path) else config.root
    if not claim(str(root), key, {"event": event, "reason": reason}):
        return None
    if isinstance(config, Path):
        config = load_config(config)
    return escalate(config, event=event, reason=reason, by=by)
