"""`charter session start`: check the preconditions, then open the session.

Opening a session writes, in this order: the log (from the session template),
the active-session file, the task's status (In Progress), the board and the
handoff. Before any of it, the task is claimed for the agent (charter.claims):
a task another live agent holds is refused. The whole start runs under the
session lock, so two starts in one working tree never both pass the "no other
session" check. When a precondition fails, nothing is written.
"""

from __future__ import annotations

import os
import posixpath
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from charter.board.regenerate import regenerate_board
from charter.clock import iso, now
from charter.config import Config
from charter.errors import CharterError
from charter.files import relpath
from charter.handoff.regenerate import write_handoff
from charter.io import locked
from charter.repo import load_repo
from charter.sessions.claiming import take_claim, undo_claim
from charter.sessions.logfile import yaml_scalar
from charter.sessions.numbering import create_log
from charter.sessions.preconditions import Findings, Request, check_preconditions, plan_key
from charter.state.session import ActiveSession, clear_active, lock_path, write_active
from charter.status import column_of
from charter.tasks.edit import set_status
from charter.templating import render_template

LOG_TEMPLATE = "session.md.j2"


@dataclass(frozen=True)
class StartResult:
    findings: Findings
    session: ActiveSession | None = None  # None when a precondition failed

    @property
    def ok(self) -> bool:
        return self.session is not None


def start_session(
    config: Config, request: Request, env: Mapping[str, str] | None = None
) -> StartResult:
    env = os.environ if env is None else env
    with locked(lock_path(config.root)):
        repo = load_repo(config)
        findings = check_preconditions(repo, request, env)
        if not findings.ok:
            return StartResult(findings)
        claimed = take_claim(config, findings, request.agent)
        if not findings.ok:
            return StartResult(findings)
        moment = now()
        directory = config.path(config.sessions)
        try:
            sid, log_path = create_log(
                directory,
                moment.date().isoformat(),
                lambda new_id: render_log(config, findings, new_id, moment).encode("utf-8"),
            )
        except BaseException:
            undo_claim(config, claimed, request.agent)
            raise
        assert findings.task is not None and findings.task.id is not None
        assert findings.level is not None
        session = ActiveSession(
            id=sid,
            log=relpath(config.root, log_path),
            task=findings.task.id,
            level=findings.level,
            approved_by=findings.approved_by,
            agent=request.agent,
            started=iso(moment),
            started_epoch=round(time.time(), 3),
        )
        try:
            write_active(config.root, session)
            _mark_in_progress(config, findings)
        except BaseException:
            clear_active(config.root)
            log_path.unlink(missing_ok=True)
            undo_claim(config, claimed, request.agent)
            raise
    _regenerate(config, session)
    return StartResult(findings, session)


def _mark_in_progress(config: Config, findings: Findings) -> None:
    task = findings.task
    assert task is not None and task.id is not None
    if column_of(task, config) == config.active_column:
        return

    set_status(config, task.id, config.active_column)


def _regenerate(config: Config, session: ActiveSession) -> None:
    """The board (the task is In Progress now) and the handoff (it names the session)."""
    try:
        regenerate_board(config)
        write_handoff(config)
    except CharterError as exc:
        raise CharterError(
            f"session {session.id} started, but a derived file could not be regenerated: {exc}"
        ) from exc


def render_log(config: Config, findings: Findings, sid: str, moment: datetime) -> str:
    return render_template(config, LOG_TEMPLATE, **log_context(config, findings, sid, moment))


def log_context(config: Config, findings: Findings, sid: str, moment: datetime) -> dict[str, Any]:
    """The session template's variables (documented in docs/sessions.md)."""
    task, plan, policy = findings.task, findings.plan, findings.policy
    assert task is not None and plan is not None and policy is not None
    assert findings.level is not None
    log_dir = config.sessions.rstrip("/")
    key = plan_key(plan)
    level = policy.level(findings.level)
    values = {
        "id": sid,
        "date": moment.date().isoformat(),
        "agent": findings.request.agent,
        "task": task.id or "",
        "plan": key,
        "level": findings.level,
        "approved_by": findings.approved_by,
        "started": iso(moment),
    }
    return {
        **{k: v for k, v in values.items() if k not in ("task", "plan")},
        "fm": {k: yaml_scalar(v) for k, v in values.items()},
        "task": {
            "id": task.id,
            "title": task.title,
            "status": task.status or "",
            "owner": task.owner or "",
            "acceptance": task.value("acceptance") or "",
            "evidence": [e.path for e in task.evidence],
            "depends": list(task.depends),
            "path": task.path,
            "line": task.line,
            "href": f"{posixpath.relpath(task.path, log_dir)}#L{task.line}",
        },
        "plan": {
            "id": key,
            "title": plan.title or key,
            "path": plan.path,
            "href": posixpath.relpath(plan.path, log_dir),
        },
        "level_title": level.title,
        "level_requires": list(level.requires),
        "gates": [gate_context(g) for g in findings.gates],
        "requires": list(findings.requires),
    }


def gate_context(gate: Any) -> dict[str, Any]:
    source = gate.source + ("#" + "&".join(map(str, gate.select)) if gate.select else "")
    return {
        "metric": gate.metric,
        "aggregate": gate.aggregate,
        "threshold": gate.threshold.text if gate.threshold else "",
        "source": source,
        "blocking": gate.blocking,
        "path": gate.path,
        "line": gate.line,
    }
