"""The operations `charter mcp` serves, as plain functions of a repository.

Reads answer from the plans as `charter task show|next` does. Every write is
first put to the guard as the command line the CLI would run (`charter task
set ID --status S`, ...), at the active session's level: the kill switch, the
policy and the session budget decide exactly as they do for a shell command,
and an allowed write spends one command of the budget. The write then goes
through the same lossless edit and lock path as `charter task`, the board is
regenerated, and the call is recorded in the session log's commands table.
Errors are `CharterError`s naming file and line; nothing here prints.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from charter.board.regenerate import regenerate_board
from charter.checks.edit_gate import edit_validator
from charter.checks.engine import check_repo
from charter.claims import ops
from charter.config import Config, load_config
from charter.errors import CharterError, os_error_message
from charter.files import relpath
from charter.guard.api import check_command
from charter.guard.decide import quote
from charter.guard.explain import explain
from charter.io import read_text
from charter.mcp import claiming
from charter.repo import RepoModel, load_repo
from charter.safety.status import safety_status
from charter.state.commandlog import read_trail, record_command
from charter.state.session import read_active
from charter.status import column_of
from charter.tasks import edit
from charter.tasks.available import next_unclaimed
from charter.tasks.done import finish
from charter.tasks.query import task_summary

MAX_LISTED = 500


@dataclass(frozen=True)
class Service:
    """One repository, found once when the server starts."""

    root: Path

    @classmethod
    def at(cls, directory: Path | None) -> Service:
        return cls(load_config(directory).root)

    def config(self) -> Config:
        # read again on every call: a person may edit the configuration while the server runs
        return load_config(self.root)

    def repo(self) -> RepoModel:
        return load_repo(self.config())

    # -- reads -----------------------------------------------------------------

    def list_tasks(
        self,
        *,
        column: str | None = None,
        plan: str | None = None,
        owner: str | None = None,
        text: str | None = None,
        limit: int = 100,
    ) -> dict[str, Any]:
        repo = self.repo()
        config = repo.config
        wanted_column = _column_name(config, column) if column else None
        needle = text.casefold() if text else None
        found = []
        for task in repo.tasks():
            if not task.id:
                continue
            if wanted_column and column_of(task, config) != wanted_column:
                continue
            if plan and plan not in task.path:
                continue
            if owner and (task.owner or "").casefold() != owner.casefold():
                continue
            if needle and not _mentions(task, needle):
                continue
            found.append(task)
        limit = max(1, min(limit, MAX_LISTED))
        index = repo.task_index()
        return {
            "total": len(found),
            "shown": min(len(found), limit),
            "tasks": [_brief(t, repo, index) for t in found[:limit]],
        }

    def show_task(self, task_id: str) -> dict[str, Any]:
        repo = self.repo()
        index = repo.task_index()
        found = index.get(task_id)
        if not found:
            raise CharterError(edit.unknown_task_message(repo.config, task_id, index))
        summaries = [task_summary(t, repo, index) for t in found]
        return {"task": summaries[0], "also_defined": summaries[1:]}

    def next_tasks(self, limit: int = 5) -> dict[str, Any]:
        """Ready tasks nobody else holds; those another agent holds are counted and named."""
        repo = self.repo()
        index = repo.task_index()
        config = repo.config
        found = next_unclaimed(repo, ops.store_for(config), claiming.agent_of(config))
        ready = found.tasks
        limit = max(1, min(limit, MAX_LISTED))
        return {
            "ready": len(ready),
            "tasks": [task_summary(t, repo, index) for t in ready[:limit]],
            "claimed_by_others": [
                {"id": task.id, "agent": holder.agent, "until": holder.expires_at}
                for task, holder in found.left_out
            ],
        }

    def session_status(self) -> dict[str, Any]:

        config = self.config()
        active = read_active(config.root)
        if active is None:
            return {"active": None, "commands": [], "safety": None}
        return {
            "active": asdict(active),
            "commands": read_trail(config.root, active.id),
            "safety": safety_status(config, active),
        }

    def guard_explain(self, command: str) -> dict[str, Any]:

        outcome = check_command(command, cwd=str(self.root), root=str(self.root), count=False)
        data = outcome.decision.to_dict()
        data["explanation"] = explain(outcome.decision, outcome.policy_path)
        return data

    def handoff(self) -> str:

        config = self.config()
        text = read_text(config.path(config.handoff))
        if text is None:
            raise CharterError("no handoff yet: run `charter handoff`", config.handoff)
        return text

    def board(self) -> str:

        config = self.config()
        text = read_text(config.path(config.board))
        if text is None:
            raise CharterError("no board yet: run `charter board`", config.board)
        return text

    def plan_text(self, relative: str) -> str:

        repo = self.repo()
        if relative not in {plan.path for plan in repo.plans}:
            raise CharterError(f"not a plan charter reads: {relative}")
        text = read_text(repo.config.path(relative))
        if text is None:
            raise CharterError("the plan is gone", relative)
        return text

    def plans(self) -> list[str]:
        return [plan.path for plan in self.repo().plans]

    def check(self, paths: list[str]) -> dict[str, Any]:

        config = self.config()
        selected = [_inside(config, p) for p in paths]
        report = check_repo(config, True, selected)
        findings = [d.to_dict() for d in report.diagnostics]
        return {
            "errors": sum(1 for d in report.diagnostics if d.severity == "error"),
            "warnings": sum(1 for d in report.diagnostics if d.severity == "warning"),
            "findings": findings,
        }

    # -- writes ------------------------------------------------------------------

    def set_status(self, task_id: str, status: str, owner: str | None = None) -> dict[str, Any]:

        argv = ["charter", "task", "set", task_id, "--status", status]
        if owner is not None:
            argv += ["--owner", owner]
        config = self.config()
        claim = (
            "take"
            if claiming.status_takes(config, status)
            else "give-up"
            if claiming.status_gives_up(config, status)
            else None
        )
        return self._write(
            argv,
            lambda config: edit.set_status(
                config, task_id, status, owner, validate=edit_validator(config)
            ),
            claim=(task_id, claim) if claim else None,
        )

    def block(self, task_id: str, reason: str) -> dict[str, Any]:

        argv = ["charter", "task", "block", task_id, "--reason", reason]
        return self._write(
            argv,
            lambda config: edit.block(config, task_id, reason, validate=edit_validator(config)),
            claim=(task_id, "give-up"),
        )

    def done(self, task_id: str, evidence: str) -> dict[str, Any]:

        argv = ["charter", "task", "done", task_id, "--evidence", evidence]

        def mark(config: Config) -> Path:
            return finish(config, task_id, evidence, validate=edit_validator(config))

        return self._write(argv, mark, claim=(task_id, "give-up"))

    def claim_task(self, task_id: str) -> dict[str, Any]:
        """Claim a task without changing its status."""
        config = self.config()
        self.show_task(task_id)  # an unknown ID is an error naming it
        started, clock = _now(), time.monotonic()
        argv = ["charter", "task", "claim", task_id]
        decision = _authorize(config, argv)
        try:
            outcome = claiming.take(config, task_id)
        except CharterError as exc:
            _record(config, argv, decision, 1, clock, started, str(exc))
            raise
        _record(config, argv, decision, 0, clock, started, None)
        return outcome.as_json()

    def release_task(self, task_id: str) -> dict[str, Any]:
        """Give a task's claim back (only its holder may)."""
        config = self.config()
        started, clock = _now(), time.monotonic()
        argv = ["charter", "task", "release", task_id]
        decision = _authorize(config, argv)
        outcome = ops.release(ops.store_for(config), task_id, claiming.agent_of(config))
        error = None if outcome.ok else outcome.message
        _record(config, argv, decision, 0 if outcome.ok else 1, clock, started, error)
        if not outcome.ok:
            raise CharterError(outcome.message)
        return outcome.as_json()

    def _write(
        self, argv: list[str], change: Any, claim: tuple[str, str] | None = None
    ) -> dict[str, Any]:
        """`claim`: (task ID, "take" or "give-up"): claim the task before the change, or
        release the agent's claim after it (charter.mcp.claiming)."""
        config = self.config()
        started = _now()
        clock = time.monotonic()
        decision = _authorize(config, argv)
        taken = None
        if claim is not None and claim[1] == "take":
            try:
                taken = claiming.take(config, claim[0])
            except CharterError as exc:
                _record(config, argv, decision, 1, clock, started, str(exc))
                raise
        try:
            path = change(config)
        except (CharterError, OSError) as exc:
            error = exc if isinstance(exc, CharterError) else CharterError(os_error_message(exc))
            _record(config, argv, decision, 1, clock, started, str(error))
            if taken is not None and claim is not None:
                claiming.undo(config, claim[0], taken)
            raise error from exc
        claim_result: dict[str, Any] | None = None
        if taken is not None:
            claim_result = {"ok": True, "action": taken.action, "message": taken.message}
        elif claim is not None:
            claim_result = claiming.give_up(config, claim[0])
        written = [relpath(config.root, path)]
        board_error = None
        try:
            # The plan was just written: no need to read every plan to find the board current.
            written.extend(regenerate_board(config, edited=True).changed)
        except (CharterError, OSError) as exc:
            board_error = str(exc) if isinstance(exc, CharterError) else os_error_message(exc)
        _record(config, argv, decision, 0, clock, started, board_error)
        result: dict[str, Any] = {
            "written": written,
            "board_error": board_error,
            "rule": decision.rule,
        }
        if claim_result is not None:
            result["claim"] = claim_result
        return result


def _authorize(config: Config, argv: list[str]) -> Any:
    """The guard's decision on the CLI command this write stands for; a denial raises."""

    outcome = check_command(argv, cwd=str(config.root), root=str(config.root), count=True)
    decision = outcome.decision
    if not decision.allowed:
        raise CharterError(f"denied at level {decision.level or 'unknown'}: {decision.reason}")
    return decision


def _record(
    config: Config,
    argv: list[str],
    decision: Any,
    exit_code: int,
    clock: float,
    started: str,
    error: str | None,
) -> None:

    record: dict[str, Any] = {
        "command": "mcp: " + " ".join(quote(word) for word in argv),
        "mode": "mcp",
        "argv": argv,
        "exit_code": exit_code,
        "duration_s": round(time.monotonic() - clock, 3),
        "decision": "allow",
        "rule": decision.rule,
        "level": decision.level,
        "started": started,
    }
    if error:
        record["error"] = error
    record_command(config.root, record)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _column_name(config: Config, wanted: str) -> str:
    for column in config.columns:
        if column.casefold() == wanted.casefold():
            return column
    raise CharterError(f"unknown column {wanted!r}: one of {', '.join(config.columns)}")


def _mentions(task: Any, needle: str) -> bool:
    texts = [task.id or "", task.title or "", *(f.value for f in task.fields)]
    return any(needle in text.casefold() for text in texts)


def _brief(task: Any, repo: RepoModel, index: dict[str, list[Any]]) -> dict[str, Any]:
    summary = task_summary(task, repo, index)
    keep = ("id", "title", "column", "status", "owner", "priority", "plan", "line")
    return {key: summary[key] for key in keep}


def _inside(config: Config, path: str) -> Path:
    candidate = (config.root / path).resolve()
    if not candidate.is_relative_to(config.root.resolve()):
        raise CharterError(f"{path}: outside the repository")
    return candidate
