"""What a task waits on: the IDs it names, and those its parent (and the parent's parent) names.

An epic's dependencies hold for every issue under it: a subtask cannot start
while what its epic waits on is open.
"""

from __future__ import annotations

from collections.abc import Mapping

from charter.model import Task


def waits_on(task: Task, by_id: Mapping[str, Task]) -> tuple[str, ...]:
    """The IDs `task` waits on: its own, then its ancestors' (nearest first), once each.

    A task never waits on itself or on one of its ancestors (the epic is done
    when its issues are, not before them).
    """
    return tuple(waits_with_source(task, by_id))


def waits_with_source(task: Task, by_id: Mapping[str, Task]) -> dict[str, str | None]:
    """{ID waited on: None when `task` names it, else the ancestor it inherits it from}."""
    ancestors: list[Task] = []
    seen_parents: set[str] = set()
    parent = task.parent
    while parent is not None and parent not in seen_parents and parent in by_id:
        seen_parents.add(parent)
        ancestors.append(by_id[parent])
        parent = by_id[parent].parent
    found: dict[str, str | None] = {}
    for source in (task, *ancestors):
        for dep in source.depends:
            if dep != task.id and dep not in seen_parents:
                found.setdefault(dep, None if source is task else source.id)
    return found
