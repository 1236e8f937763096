"""What must hold before an agent starts a session, every check in one pass.

    scope    the task is in a plan and on an up-to-date board, not done or
             blocked, and every dependency is done
    gates    the task's plan has at least one telemetry gate
    tooling  the commands the plan or the config requires exist in the repo
    level    the level is at most the default, or the task or plan documents it
             and an operator approved it; a level's environment opt-in is set
    session  no other session is active in this working tree

Every failure is collected, so one run lists all that must be fixed. Nothing
here writes a file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from charter.board.regenerate import BoardResult, regenerate_board
from charter.config import Config
from charter.errors import CharterError
from charter.gates.parse import Gate, PlanMatcher, gates_for_plan, load_gates
from charter.guard.policy import at_most, documented_level, load_policy
from charter.guard.policy_model import Policy
from charter.model import Plan, Task
from charter.repo import RepoModel
from charter.sessions.tooling import missing_tooling
from charter.state.session import read_active
from charter.status import column_of, is_done
from charter.tasks.waits import waits_with_source

APPROVER_ENV = "CHARTER_APPROVED_BY"
CHECKS = ("scope", "gates", "tooling", "level", "session", "claim")


@dataclass(frozen=True)
class Request:
    task_id: str
    agent: str = "unknown"
    level: str | None = None  # None: the policy's default
    approved_by: str | None = None  # None: $CHARTER_APPROVED_BY


@dataclass(frozen=True)
class Failure:
    check: str  # one of CHECKS
    message: str
    where: str | None = None  # "path:line" the fix belongs at

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"[{self.check}] {where}{self.message}"


@dataclass
class Findings:
    """The failures, and what the passing checks learned (the briefing uses it)."""

    request: Request
    failures: list[Failure] = field(default_factory=list)
    task: Task | None = None
    plan: Plan | None = None
    gates: list[Gate] = field(default_factory=list)
    requires: list[str] = field(default_factory=list)
    policy: Policy | None = None
    level: str | None = None
    approved_by: str | None = None
    # The active session a killed start left, which this start finishes: it is not
    # "another" session, and the plan edit it made may still be off the board.
    resuming: str | None = None

    def fail(self, check: str, message: str, where: str | None = None) -> None:
        self.failures.append(Failure(check, message, where))

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class BoardState:
    """The board compared with the plans (`regenerate_board(check=True)`), or why it
    could not be."""

    result: BoardResult | None
    error: str | None = None


def board_state(config: Config) -> BoardState:
    """Whether the board is up to date. Worked out before the caller loads the model it
    checks the rest with: on a stale board this renders it from a model of its own, and
    two models of 50,000 tasks at once would double a start's memory."""
    try:
        return BoardState(regenerate_board(config, check=True))
    except CharterError as exc:
        return BoardState(None, str(exc))


def check_preconditions(
    repo: RepoModel,
    request: Request,
    env: Mapping[str, str],
    resuming: str | None = None,
    board: BoardState | None = None,
) -> Findings:
    """Every precondition of a start. `board`: the board's state, when the caller worked it
    out already (None: worked out here, if the task is found)."""
    approved_by = request.approved_by or env.get(APPROVER_ENV) or None
    found = Findings(request, approved_by=approved_by, resuming=resuming)
    _scope(repo, found, board)
    if found.task is not None and found.plan is not None:
        _gates(repo.config, found.plan, found)
        _tooling(repo.config, found.plan, found)
    _level(repo.config, found, env)
    _session(repo.config, found)
    return found


def plan_key(plan: Plan) -> str:
    """How GATES.md and the session log name a plan: its id, else its path."""
    value = plan.frontmatter.get("id")
    return str(value) if value not in (None, "") else plan.path


def _where(path: str, line: int | None) -> str:
    return f"{path}:{line}" if line else path


# ---- scope -----------------------------------------------------------------


def _scope(repo: RepoModel, found: Findings, board: BoardState | None) -> None:
    config, task_id = repo.config, found.request.task_id
    index = repo.task_index()
    defined = index.get(task_id, [])
    if not defined:
        close = difflib.get_close_matches(task_id, list(index), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        found.fail("scope", f"no plan defines task {task_id}{hint}")
        return
    if len(defined) > 1:
        places = ", ".join(_where(t.path, t.line) for t in defined)
        found.fail(
            "scope",
            f"task {task_id} is defined {len(defined)} times ({places}); keep one definition",
        )
        return
    task = defined[0]
    found.task, found.plan = task, repo.plan_of(task)
    where = _where(task.path, task.line)
    column = column_of(task, config)
    if column in config.closed_columns:
        found.fail("scope", f"{task_id} is {column}: there is nothing to start", where)
    elif column == config.blocked_column:
        reason = task.value("blocked_reason")
        why = f" ({reason})" if reason else ""
        found.fail("scope", f"{task_id} is {column}{why}: unblock it in its plan first", where)
    depends = task.field("depends")
    depends_at = _where(task.path, depends.line) if depends is not None else where
    by_id = {tid: defs[0] for tid, defs in index.items() if defs}
    for dep, inherited in waits_with_source(task, by_id).items():
        targets = index.get(dep, [])
        how = f"depends on {dep}" if inherited is None else f"waits on {dep} (as its parent "
        how += "" if inherited is None else f"{inherited} does)"
        at = depends_at if inherited is None else _inherited_at(by_id[inherited])
        if not targets:
            found.fail("scope", f"{task_id} {how}, which no plan defines", at)
        elif not all(is_done(t, config) for t in targets):
            state = column_of(targets[0], config)
            found.fail("scope", f"{task_id} {how}, which is {state}, not {config.done_column}", at)
    _board(config, task_id, found, board)


def _inherited_at(parent: Task) -> str:
    depends = parent.field("depends")
    return _where(parent.path, depends.line if depends is not None else parent.line)


def _board(config: Config, task_id: str, found: Findings, state: BoardState | None) -> None:
    board = config.path(config.board)
    if not board.is_file():
        found.fail("scope", f"there is no board at {config.board}: run `charter board`")
        return
    text = board.read_text("utf-8", "replace")
    if not re.search(rf"(?<![\w-]){re.escape(task_id)}(?![\w-])", text):
        found.fail("scope", f"{task_id} is not on the board {config.board}: run `charter board`")
    del text  # the board of 50,000 rows, not kept while it is rendered
    state = state if state is not None else board_state(config)
    result = state.result
    if result is None:
        found.fail("scope", f"the board cannot be checked: {state.error}")
        return
    if not result.up_to_date and found.resuming is None:
        files = ", ".join(result.changed)
        found.fail(
            "scope", f"the board is out of date with the plans ({files}): run `charter board`"
        )
    for reason in result.refused:
        found.fail("scope", f"the board cannot be regenerated: {reason}")


# ---- telemetry gates ---------------------------------------------------------


def _gates(config: Config, plan: Plan, found: Findings) -> None:
    key = plan_key(plan)
    names = (plan,)  # the plan's other name is its own: no repository to search
    try:
        doc = load_gates(config)
        found.gates = gates_for_plan(config, key, names) if doc is not None else []
    except CharterError as exc:
        found.fail("gates", str(exc))
        return
    if doc is None:
        found.fail("gates", f"there is no gates file {config.gates}: {_gate_recipe(key)}")
        return
    if found.gates:
        return
    matches = PlanMatcher(config, key, names)
    broken = [g for g in doc.gates() if g.problem and matches(g.plan)]
    if broken:
        for gate in broken:
            found.fail(
                "gates",
                f"gate for plan {key} cannot be read: {gate.problem}",
                _where(gate.path, gate.line),
            )
        return
    found.fail("gates", f"plan {key} has no telemetry gate in {config.gates}: {_gate_recipe(key)}")


def _gate_recipe(key: str) -> str:
    """What to write, ready to paste: a section for the plan with one gate row."""
    section = (
        f"## Plan {key}",
        "",
        "| Metric | Aggregate | Threshold | Source | Blocking |",
        "|---|---|---|---|---|",
        "| failed | max | == 0 | .runs/tests/*.jsonl | yes |",
    )
    lines = "\n".join(f"      {line}" if line else "" for line in section)
    return (
        "append this section to it, with a metric your task's runs record "
        f"(docs/gates.md lists the columns):\n{lines}"
    )


# ---- tooling -----------------------------------------------------------------


def _tooling(config: Config, plan: Plan, found: Findings) -> None:
    commands = list(config.session_requires)
    listed = _requires_list(plan, found)
    commands += [c for c in listed if c not in commands]
    found.requires = commands
    for command in commands:
        problem = missing_tooling(config.root, command)
        if problem is not None:
            line = plan.frontmatter_lines.get("requires") if command in listed else None
            source = plan.path if command in listed else str(config.source or "config")
            found.fail("tooling", problem, _where(source, line))


def _requires_list(plan: Plan, found: Findings) -> list[str]:
    value: Any = plan.frontmatter.get("requires")
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        found.fail(
            "tooling",
            "`requires` must be a list of commands, e.g. [make test]",
            _where(plan.path, plan.frontmatter_lines.get("requires")),
        )
        return []
    return [v.strip() for v in value if v.strip()]


# ---- level -------------------------------------------------------------------


def _level(config: Config, found: Findings, env: Mapping[str, str]) -> None:
    try:
        policy = load_policy(config.path(config.policy), config.policy)
    except CharterError as exc:
        found.fail("level", str(exc))
        return
    found.policy = policy
    names = [level.name for level in policy.levels]
    requested = found.request.level or policy.default_level
    if requested not in names:
        found.fail(
            "level",
            f"unknown level {requested!r}; the policy defines {', '.join(names)}",
            policy.path,
        )
        return
    found.level = requested
    if not at_most(policy, requested, policy.default_level):
        _above_default(found, requested)
    for level in policy.chain(requested):
        for name, value in level.env:
            if env.get(name) != value:
                found.fail(
                    "level",
                    f"{requested} needs its opt-in {name}={value} in the "
                    f"environment (required by level {level.name})",
                    _where(policy.path, level.line),
                )


def _above_default(found: Findings, requested: str) -> None:
    policy = found.policy
    assert policy is not None
    names = [level.name for level in policy.levels]
    default = policy.default_level
    task, plan = found.task, found.plan
    documented = [
        (level, where)
        for level, where in (
            (
                documented_level(task.level, names) if task else None,
                _where(task.path, task.line) if task else None,
            ),
            (
                documented_level(_text(plan.frontmatter.get("level")), names) if plan else None,
                _where(plan.path, plan.frontmatter_lines.get("level")) if plan else None,
            ),
        )
        if level is not None
    ]
    if not any(at_most(policy, requested, level) for level, _ in documented):
        if documented:
            said = ", ".join(f"{level} ({where})" for level, where in documented)
            found.fail(
                "level",
                f"{requested} is above the default {default}, and the task and "
                f"plan document only {said}",
            )
        else:
            found.fail(
                "level",
                f"{requested} is above the default {default}: document it on the "
                f"task (`- Level: {requested}`) or in the plan's frontmatter "
                f"(`level: {requested}`)",
                _where(task.path, task.line) if task else None,
            )
    if not found.approved_by:
        found.fail(
            "level",
            f"{requested} is above the default {default}: name the operator who "
            f"approved it with --approved-by NAME or {APPROVER_ENV}",
        )


def _text(value: object) -> str | None:
    return None if value in (None, "") else str(value)


# ---- session -----------------------------------------------------------------


def _session(config: Config, found: Findings) -> None:
    try:
        active = read_active(config.root)
    except CharterError as exc:
        found.fail("session", str(exc))
        return
    if active is not None and active.id != found.resuming:
        found.fail(
            "session",
            f"session {active.id} (task {active.task}, started "
            f"{active.started}) is still active: end it first with `charter session end`",
            active.log,
        )
