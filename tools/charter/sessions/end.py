"""`charter session end` and the completeness check the Stop hook shares with it.

A session may end only when its log is complete (no template placeholder, no
required section missing or empty) and its task does not claim done without
evidence. Ending closes the log (status, ended, and the reason when blocked),
moves a blocked task to Blocked with the reason in its plan, clears the active
session, and regenerates the board and the handoff.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field

from charter.board.regenerate import regenerate_board
from charter.checks.task_rules import done_without_evidence, evidence_path
from charter.clock import iso, now
from charter.config import Config
from charter.errors import CharterError
from charter.handoff.regenerate import write_handoff
from charter.io import locked, read_text, write_text_atomic
from charter.model import Task
from charter.parse.sessions import parse_session
from charter.repo import RepoModel, load_repo
from charter.sessions.claiming import give_back
from charter.sessions.logfile import Gap, close_frontmatter, log_gaps, yaml_scalar
from charter.sessions.requirements import requirement_gaps
from charter.state.commandlog import fold_commands
from charter.state.session import ActiveSession, clear_active, lock_path, read_active
from charter.status import is_done
from charter.tasks.edit import block


@dataclass(frozen=True)
class EndResult:
    session: ActiveSession
    gaps: tuple[Gap, ...] = ()  # non-empty: the session did not end
    status: str = ""  # done | blocked, once ended
    written: tuple[str, ...] = field(default_factory=tuple)  # files changed
    claim: str = ""  # what became of the task's claim (released, or why not)

    @property
    def ended(self) -> bool:
        return not self.gaps


def require_active(config: Config) -> ActiveSession:
    session = read_active(config.root)
    if session is None:
        raise CharterError("no active session: start one with `charter session start TASK`")
    return session


def session_gaps(repo: RepoModel, session: ActiveSession) -> list[Gap]:
    """Everything that keeps `session` from ending, in file order."""
    path = repo.root / session.log
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [Gap(session.log, 1, "the session log is missing; restore it from version control")]
    gaps = log_gaps(repo.config, parse_session(session.log, data))
    return gaps + _evidence_gaps(repo, session.task)


def _evidence_gaps(repo: RepoModel, task_id: str) -> list[Gap]:
    tasks = repo.task_index().get(task_id, [])
    if not tasks:
        return [Gap(repo.config.sessions, 1, f"task {task_id} is no longer in any plan")]
    task = tasks[0]
    if not is_done(task, repo.config):
        return []
    lines = {task.line, *(e.line for e in task.evidence)}
    found = [
        d
        for d in (*done_without_evidence(repo), *evidence_path(repo.world))
        if d.path == task.path and d.line in lines
    ]
    return [Gap(d.path, d.line, f"{task_id} claims done: {d.message}") for d in sorted(found)]


def end_session(config: Config, blocked: str | None = None) -> EndResult:
    """End the active session, or (gaps set) say what is missing and change nothing."""
    reason = " ".join(blocked.split()) if blocked is not None else None
    if reason is not None and not reason:
        raise CharterError("--blocked needs a reason: what blocks the task, and who can unblock it")
    with locked(lock_path(config.root)):
        session = require_active(config)
        gaps, task = _gaps_and_task(config, session)
        if reason is not None and task is not None and is_done(task, config):
            gaps.append(
                Gap(
                    task.path,
                    task.line,
                    f"{session.task} is done, so it cannot end "
                    "blocked: drop --blocked, or reopen the task first",
                )
            )
        if reason is None:  # a blocked session ends without meeting its level's requirements
            gaps += requirement_gaps(config, session)
        if gaps:
            return EndResult(session, tuple(gaps))
        fold_commands(config.root)  # the guard's audit trail into the log, before it closes
        written: list[str] = []
        if reason is not None:
            block(config, session.task, reason)
            written.append(task.path if task is not None else session.task)
        status = "blocked" if reason is not None else "done"
        if _close_log(config, session, status, reason):
            written.append(session.log)
        # The board and handoff are regenerated before the session is cleared: killed in
        # between, the session is still active, and ending it again finishes the job.
        try:
            written += regenerate_derived(config, session)
        finally:
            clear_active(config.root)
    claim = _release_claim(config, session)
    return EndResult(session, (), status, tuple(written), claim)


def _gaps_and_task(config: Config, session: ActiveSession) -> tuple[list[Gap], Task | None]:
    """What keeps the session from ending, and its task, from one load of the repository.
    The model is not kept: the board and the handoff load the plans as the end changed
    them, and two models of 50,000 tasks at once would double the end's memory."""
    repo = load_repo(config)
    task = repo.task_index().get(session.task, [None])[0]
    gaps = session_gaps(repo, session)
    # The evidence rules' view of the repository refers back to the model: a cycle that
    # reference counting never frees, so the model would outlive this call.
    cyclic = "world" in vars(repo)
    del repo
    if cyclic:
        gc.collect()  # the models are frozen (charter.repo): this walks little else
    return gaps, task


def _release_claim(config: Config, session: ActiveSession) -> str:
    """The session has ended either way; a claim that cannot be released now runs out."""
    try:
        return give_back(config, session.task, session.agent).message
    except CharterError as exc:
        return f"{session.task}: claim not released ({exc.message}); it runs out at its expiry"


def _close_log(config: Config, session: ActiveSession, status: str, reason: str | None) -> bool:
    path = config.root / session.log
    values = {"status": status, "ended": yaml_scalar(iso(now()))}
    if reason is not None:
        values["blocked_reason"] = yaml_scalar(reason)
    with locked(path):  # `charter run` appends to the log under the same lock
        text = read_text(path)
        if text is None:
            raise CharterError("the session log is missing", session.log)
        closed = close_frontmatter(text, session.log, values)
        if closed == text:
            return False
        write_text_atomic(path, closed)
        return True


def regenerate_derived(config: Config, session: ActiveSession) -> list[str]:
    try:
        board = regenerate_board(config)
        handoff = write_handoff(config)
    except CharterError as exc:
        raise CharterError(
            f"session {session.id} ended, but a derived file could not be regenerated: {exc}"
        ) from exc
    return [*board.changed, *([config.handoff] if handoff else [])]
