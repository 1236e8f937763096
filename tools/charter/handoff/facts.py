"""What the handoff reads of the plans and session logs, as plain facts.

The handoff needs a few fields of each task (title, column, owner, what it
waits on, its evidence paths) and a few of each session log, not the parsed
models. Worked out per file, these facts are small enough to keep in a cache
per plan (charter.handoff.incremental), so that after an edit to one plan the
handoff is assembled from the cached facts of the others. Both ways in, from
a loaded repository (`from_repo`) and from the cache, give the same facts, and
the handoff is rendered from nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from charter.config import Config
from charter.handoff.table import PlanTasks as PlanTasks
from charter.handoff.table import TaskFacts as TaskFacts
from charter.handoff.table import TaskTable
from charter.mentions import resolve
from charter.model import Diagnostic, Plan, SessionLog, Task
from charter.outputs import protect
from charter.repo import RepoModel
from charter.status import Standings, column_of
from charter.tasks.order import order_facts

OUTCOME_CHARS = 240
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """One session log, as the handoff shows it."""

    path: str
    id: str
    status_key: str  # str(status).lower(): "active" marks a running session
    task: str
    when: str  # `ended`, else `date`; "" without either
    date: str
    agent: str
    level: str
    status: str
    outcome: str
    blocked_reason: str
    usage: tuple[int, int, int] | None  # input, output, total tokens of its transcripts


@dataclass(frozen=True)
class PlanFacts:
    """What one plan contributes: its tasks with an ID (each ID once, the mention that
    speaks for it within the plan), the rest it counts, and what protects a write."""

    path: str
    tasks: PlanTasks
    unlisted: int  # tasks without an ID
    problems: tuple[Diagnostic, ...]  # problems after which its read may be incomplete
    source: str | None  # the file an imported plan replaces (charter.repo.without_replaced)
    anonymous: tuple[str, ...]  # row keys of its top-level tasks without an ID


@dataclass(frozen=True)
class HandoffFacts:
    """Everything the handoff is rendered from that comes from plans and session logs."""

    tasks: TaskTable  # one per ID, in plan order
    plan_paths: tuple[str, ...]
    unlisted: int
    sessions: tuple[SessionFacts, ...]  # in the order read
    problems: tuple[Diagnostic, ...]  # sorted, as charter.outputs.protect reports them
    keys: protect.Keys  # every task key the board shows (protect.repo_keys)


def task_facts(task: Task, config: Config) -> TaskFacts:
    return TaskFacts(
        *order_facts(task, config),
        " ".join(task.title.split()),
        column_of(task, config),
        task.owner or "",
        task.value("priority") or "",
        task.level or "",
        tuple(dict.fromkeys(e.path for e in task.evidence)),
        task.value("blocked_reason") or task.value("notes") or "",
    )


def session_facts(log: SessionLog, config: Config) -> SessionFacts:
    fm = log.frontmatter
    from charter.ingest.fold import session_usage  # lazy: only a changed log needs it

    usage = session_usage(log.text)
    return SessionFacts(
        log.path,
        _text(fm.get("id")) or log.path.rsplit("/", 1)[-1].removesuffix(".md"),
        str(fm.get("status", "")).lower(),
        log.task or "",
        _text(fm.get("ended")) or _text(fm.get("date")) or "",
        _text(fm.get("date")) or "",
        _text(fm.get("agent")) or "",
        _text(fm.get("level")) or "",
        _text(fm.get("status")) or "",
        _outcome(log, config),
        _text(fm.get("blocked_reason")) or "",
        None if usage is None else (usage.input, usage.output, usage.total),
    )


def plan_facts(plan: Plan, config: Config) -> PlanFacts:
    """One plan's facts, its IDs resolved among its own mentions (charter.mentions)."""
    resolution = resolve([plan], Standings(plan.walk(), config))
    alone = RepoModel(config.root, config, (plan,), (), date.min)
    problems = tuple(protect.unreadable_problems(alone))
    source = plan.frontmatter.get("source")
    anonymous: tuple[str, ...] = ()
    if config.anonymous_tasks:
        anonymous = tuple(
            protect.row_key("", t.path, " ".join(t.title.split())) for t in plan.tasks if not t.id
        )
    return PlanFacts(
        plan.path,
        PlanTasks.of(
            plan.path, tuple(task_facts(t, config) for t in resolution.tasks if t.id is not None)
        ),
        sum(1 for t in plan.walk() if t.id is None),
        problems,
        source if isinstance(source, str) else None,
        anonymous,
    )


def assemble(
    plans: Iterable[PlanFacts], sessions: Iterable[SessionFacts], config: Config
) -> HandoffFacts | None:
    """The repository's facts from its plans' (in plan order); None when an ID is
    mentioned in two plans: which mention speaks then depends on both
    (charter.mentions), and only the loaded repository can say."""
    plans = list(plans)
    replaced = {p.source for p in plans if p.source is not None and p.source != p.path}
    plans = [p for p in plans if p.path not in replaced]
    keys: protect.Keys = {}
    for plan in plans:  # each ID is once in its plan's facts (resolved within the plan)
        keys.update(dict.fromkeys(plan.tasks.ids, plan.path))
    tasks = TaskTable(plan.tasks for plan in plans)
    if len(keys) != len(tasks):  # so an ID counted once for two tasks is in two plans
        return None
    for plan in plans:
        for key in plan.anonymous:
            keys[key] = plan.path
    return HandoffFacts(
        tasks,
        tuple(p.path for p in plans),
        sum(p.unlisted for p in plans),
        tuple(sessions),
        tuple(sorted(d for p in plans for d in p.problems)),
        keys,
    )


def from_repo(repo: RepoModel) -> HandoffFacts:
    """The facts of a loaded repository, its IDs resolved across all plans."""
    config = repo.config
    return HandoffFacts(
        TaskTable.of(task_facts(t, config) for t in repo.resolution.tasks if t.id is not None),
        tuple(p.path for p in repo.plans),
        sum(1 for t in repo.tasks() if t.id is None),
        tuple(session_facts(log, config) for log in repo.sessions),
        tuple(protect.unreadable_problems(repo)),
        protect.repo_keys(repo),
    )


def _outcome(log: SessionLog, config: Config) -> str:
    section = log.section("Outcome")
    if section is None:
        return ""
    text = _COMMENT.sub("", section.body)
    text = config.placeholder_re.sub("", text)
    paragraph = next((p for p in re.split(r"\n\s*\n", text) if p.strip()), "")
    words = " ".join(paragraph.split())
    return words if len(words) <= OUTCOME_CHARS else words[: OUTCOME_CHARS - 1].rstrip() + "…"


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
