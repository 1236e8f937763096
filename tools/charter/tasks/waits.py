"""What a task waits on: the IDs it names, and those its parent (and the parent's parent) names.

An epic's dependencies hold for every issue under it: a subtask cannot start
while what its epic waits on is open.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypeVar


class Linked(Protocol):
    """What waiting reads of a task: a parsed Task, or the facts the handoff keeps of one."""

    @property
    def id(self) -> str | None: ...
    @property
    def parent(self) -> str | None: ...
    @property
    def depends(self) -> tuple[str, ...]: ...


T = TypeVar("T", bound=Linked)


def waits_on(task: T, by_id: Mapping[str, T]) -> tuple[str, ...]:
    """The IDs `task` waits on: its own, then its ancestors' (nearest first), once each.

    A task never waits on itself or on one of its ancestors (the epic is done
    when its issues are, not before them).
    """
    return tuple(waits_with_source(task, by_id))


def waits_with_source(task: T, by_id: Mapping[str, T]) -> dict[str, str | None]:
    """{ID waited on: None when `task` names it, else the ancestor it inherits it from}."""
    ancestors: list[T] = []
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
