"""`charter session start`: check the preconditions, then open the session.

Opening a session writes, in this order: the active-session file, the log (from
the session template), the task's status (In Progress), the board and the
handoff. Before any of it, the task is claimed for the agent (charter.claims):
a task another live agent holds is refused. The whole start runs under the
session lock, so two starts in one working tree never both pass the "no other
session" check. When a precondition fails, nothing is written. A start killed
on the way is finished by running it again (same task, same agent): the steps
it had not done are done, and the session it recorded is the one that starts.
"""

from __future__ import annotations

import os
import posixpath
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from charter.board.regenerate import regenerate_board
from charter.clock import iso, now
from charter.config import Config
from charter.errors import CharterError
from charter.files import relpath
from charter.handoff.regenerate import check_handoff, write_handoff
from charter.io import locked
from charter.repo import RepoModel, load_repo
from charter.sessions.claiming import take_claim, undo_claim
from charter.sessions.logfile import yaml_scalar
from charter.sessions.numbering import create_log, highest_number, session_id
from charter.sessions.preconditions import (
    BoardState,
    Findings,
    Request,
    board_state,
    check_preconditions,
    plan_key,
)
from charter.state.session import (
    ActiveSession,
    clear_active,
    lock_path,
    read_active,
    write_active,
)
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
        interrupted, findings = _preconditions(config, request, env)
        if not findings.ok:
            return StartResult(findings)
        if interrupted is not None:
            _mark_in_progress(config, findings)
            session = interrupted
        else:
            claimed = take_claim(config, findings, request.agent)
            if not findings.ok:
                return StartResult(findings)
            session = _open(config, findings, request, claimed)
        # Under the lock: a start that holds it is running, so an unfinished one found
        # by `_interrupted_start` was killed (or failed), never one still under way.
        _regenerate(config, session)
    return StartResult(findings, session)


def _preconditions(
    config: Config, request: Request, env: Mapping[str, str]
) -> tuple[ActiveSession | None, Findings]:
    """The start a killed run left to finish (or None), and the preconditions, from one
    load of the repository. The model is not kept: the board and the handoff load the
    plans as the start changed them, and two models of 50,000 tasks at once would double
    the start's memory."""
    board = board_state(config)  # first: see `board_state`
    repo = load_repo(config)
    interrupted = _interrupted_start(repo, request, board)
    resuming = interrupted.id if interrupted is not None else None
    findings = check_preconditions(repo, request, env, resuming, board)
    if findings.plan is not None:
        # From here on the start reads the plan's path, title and frontmatter, never its
        # tasks; in a repository of one plan they are the whole model.
        findings.plan = replace(findings.plan, tasks=())
    return interrupted, findings


def _open(config: Config, findings: Findings, request: Request, claimed: Any) -> ActiveSession:
    """Record the session, create its log, mark the task In Progress: in that order, so
    a start killed on the way is finished by running it again (`_interrupted_start`)."""
    assert findings.task is not None and findings.task.id is not None
    assert findings.level is not None
    moment = now()
    directory = config.path(config.sessions)
    day = moment.date().isoformat()
    sid = session_id(day, highest_number(directory) + 1)
    session = ActiveSession(
        id=sid,
        log=relpath(config.root, directory / f"{sid}.md"),
        task=findings.task.id,
        level=findings.level,
        approved_by=findings.approved_by,
        agent=request.agent,
        started=iso(moment),
        started_epoch=round(time.time(), 3),
    )
    log_path: Path | None = None
    try:
        write_active(config.root, session)
        sid, log_path = create_log(
            directory, day, lambda new_id: render_log(config, findings, new_id, moment).encode()
        )
        if sid != session.id:  # the number was taken meanwhile
            session = replace(session, id=sid, log=relpath(config.root, log_path))
            write_active(config.root, session)
        _mark_in_progress(config, findings)
    except BaseException:
        clear_active(config.root)
        if log_path is not None:
            log_path.unlink(missing_ok=True)
        undo_claim(config, claimed, request.agent)
        raise
    return session


def _interrupted_start(
    repo: RepoModel, request: Request, board: BoardState
) -> ActiveSession | None:
    """The active session a killed `session start` of this task and agent left unfinished
    (its task not yet In Progress, or the board or handoff not regenerated), else None.
    One killed before its log was created is cleared: the start begins again."""
    config = repo.config
    try:
        active = read_active(config.root)
    except CharterError:
        return None  # the preconditions report it
    if active is None or (active.task, active.agent) != (request.task_id, request.agent):
        return None
    if not config.path(active.log).is_file():
        clear_active(config.root)
        return None
    task = next(iter(repo.task_index().get(active.task, [])), None)
    if task is not None and column_of(task, config) != config.active_column:
        return active
    if board.result is None:
        return None  # the preconditions report why the board cannot be checked
    try:
        current = board.result.up_to_date and check_handoff(config).up_to_date
    except CharterError:
        return None  # the preconditions report why the handoff cannot be checked
    return None if current else active


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
        write_handoff(config, last_load=True)  # the start's last load of the plans
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
