"""`charter stop` and `charter resume`: engaging and lifting the kill switch.

Stopping writes `.charter/STOP` first (from then on every guard decision is a
denial), then records the stop in the active session's log and escalates once
(event `kill-switch`). Resuming needs a person's name; it removes the file,
forgets the escalation marker and records who resumed. It does not unblock
the task the escalation blocked: that stays a person's decision.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from charter.clock import iso, now
from charter.config import Config
from charter.errors import CharterError
from charter.repo import load_repo
from charter.safety import escalate as esc
from charter.state import stopref
from charter.state.escalations import forget
from charter.state.events import record_event
from charter.state.killswitch import STOP_FILE, Stop, engage, read_stop, release
from charter.state.session import ActiveSession, read_active
from charter.status import column_of


@dataclass
class StopResult:
    stop: Stop
    already: bool = False  # the switch was engaged before: nothing changed
    escalation: esc.Escalation | None = None  # None: another process escalates this stop
    problems: list[str] = field(default_factory=list)


@dataclass
class ResumeResult:
    stop: Stop
    blocked_task: str | None = None  # the session's task, still Blocked by the escalation
    problems: list[str] = field(default_factory=list)


def operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def stop(config: Config, reason: str, by: str | None = None) -> StopResult:
    reason = _one_line(reason, "--reason", "why the work must stop")
    who = _one_line(by, "--by", "who stops it") if by is not None else operator()
    root = str(config.root)
    current = read_stop(root)
    if current is not None:
        return StopResult(current, already=True)
    engaged = engage(root, reason=reason, by=who, at=iso(now()))
    result = StopResult(engaged)
    kept = stopref.write(root, json.dumps(engaged.to_dict(), ensure_ascii=False) + "\n")
    if kept is not None:
        result.problems.append(
            f"the stop is only in {STOP_FILE} (deleting it lifts the switch): the git ref "
            f"{stopref.REF} was not written: {kept}"
        )
    session = _session(config, result.problems)
    if session is not None:
        entry = {
            "at": engaged.at,
            "event": "stop",
            "by": who,
            "reason": reason,
            "task": session.task,
            "outcome": "kill switch engaged: every command is denied",
        }
        _record(config, session, entry, result.problems)
    cause = f"kill switch: {reason}"
    result.escalation = esc.escalate_once(
        config, key=engaged.key, event="kill-switch", reason=cause, by=who
    )
    return result


def resume(config: Config, approved_by: str) -> ResumeResult:
    name = _one_line(approved_by, "--approved-by", "the person who lets the work go on")
    root = str(config.root)
    try:
        lifted = release(root)
    except OSError as exc:
        raise CharterError(f"{exc}: every command stays denied; fix it and resume again") from exc
    if lifted is None:
        raise CharterError("the kill switch is not engaged: there is nothing to resume")
    forget(root, "stop-")
    result = ResumeResult(lifted)
    session = _session(config, result.problems)
    if session is not None:
        entry = {
            "at": iso(now()),
            "event": "resume",
            "by": name,
            "reason": f"kill switch lifted (it said: {lifted.reason})",
            "task": session.task,
            "outcome": "commands are decided by the policy again",
        }
        _record(config, session, entry, result.problems)
        result.blocked_task = _still_blocked(config, session.task)
    return result


def _session(config: Config, problems: list[str]) -> ActiveSession | None:
    try:
        return read_active(config.root)
    except CharterError as exc:
        problems.append(f"the active session cannot be read, so its log was not updated: {exc}")
        return None


def _record(
    config: Config, session: ActiveSession, entry: Mapping[str, str | None], problems: list[str]
) -> None:
    try:
        record_event(config.root, session, dict(entry))
    except CharterError as exc:
        problems.append(f"the session log was not updated: {exc}")


def _still_blocked(config: Config, task_id: str) -> str | None:
    try:
        task = load_repo(config).find_task(task_id)
    except CharterError:
        return None
    if task is not None and column_of(task, config) == config.blocked_column:
        return task_id
    return None


def _one_line(value: str | None, option: str, meaning: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise CharterError(f"{option} needs a value: {meaning}")
    return text
