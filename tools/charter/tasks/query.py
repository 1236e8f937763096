"""Reading tasks for people and agents: `charter task show` and `charter task next`."""

from __future__ import annotations

import math
import re
from typing import Any

from charter.model import Task
from charter.repo import RepoModel
from charter.status import column_of, is_done
from charter.tasks.waits import waits_on

# Priority words, most urgent first; P0/P1/... and bare integers rank by number.
PRIORITY_WORDS: dict[str, int] = {
    "critical": 0,
    "urgent": 0,
    "blocker": 0,
    "highest": 0,
    "high": 1,
    "medium": 2,
    "normal": 2,
    "moderate": 2,
    "low": 3,
    "lowest": 4,
    "trivial": 4,
}
_WORD = re.compile(r"[a-z0-9]+")


def priority_rank(text: str | None) -> float:
    """P0 < P1 < ...; critical < high < medium < low; integers by value; none or unknown last."""
    if not text:
        return math.inf
    words = _WORD.findall(text.lower())
    if not words:
        return math.inf
    first = words[0]
    if re.fullmatch(r"p\d+", first):
        return int(first[1:])
    if first == "p" and len(words) > 1 and words[1].isdigit():
        return int(words[1])
    if first.isdigit():
        return int(first)
    return PRIORITY_WORDS.get(first, math.inf)


def next_tasks(repo: RepoModel) -> list[Task]:
    """Open tasks (in the open column) whose dependencies are all done, most urgent first,
    then in plan order (plan path, line)."""
    config = repo.config
    winners = repo.resolution.winners  # a task mentioned as done anywhere later is not open

    def ready(task: Task) -> bool:
        for dep in waits_on(task, winners):
            found = winners.get(dep)
            if found is None or not is_done(found, config):
                return False
        return True

    def unsure(task: Task) -> bool:
        # A status no column knows ("Tested", "Refined") may well be past the open column:
        # such a task is not recommended (CH008 names the status to map instead).
        return task.status is not None and config.column_for_status(task.status) is None

    open_tasks = [
        t
        for t in repo.resolution.tasks
        if t.id and column_of(t, config) == config.open_column and not unsure(t) and ready(t)
    ]
    order = {plan.path: number for number, plan in enumerate(repo.plans)}
    return sorted(
        open_tasks,
        key=lambda t: (priority_rank(t.value("priority")), order.get(t.path, len(order)), t.line),
    )


def open_without_id(repo: RepoModel) -> list[Task]:
    """Open checklist items with no ID: `task next` cannot name them, so it says so."""
    config = repo.config
    return [
        t for t in repo.resolution.tasks if not t.id and column_of(t, config) == config.open_column
    ]


def task_summary(
    task: Task, repo: RepoModel, index: dict[str, list[Task]] | None = None
) -> dict[str, Any]:
    """One task as plain data (the JSON of `charter task show` and `next`)."""
    config = repo.config
    index = repo.task_index() if index is None else index
    return {
        "id": task.id,
        "title": task.title,
        "column": column_of(task, config),
        "status": task.status,
        "owner": task.owner,
        "priority": task.value("priority"),
        "level": task.level,
        "plan": task.path,
        "line": task.line,
        "kind": task.kind,
        "checked": task.checked,
        "parent": task.parent,
        "depends": [
            {"id": dep, "column": column_of(index[dep][0], config) if dep in index else None}
            for dep in task.depends
        ],
        "evidence": [{"path": e.path, "line": e.line, "sha256": e.sha256} for e in task.evidence],
        "fields": {f.name: f.value for f in task.fields},
        "subtasks": [s.id or s.title for s in task.subtasks],
    }
