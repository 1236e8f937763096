"""What a task waits on, and the order open tasks can be done in, in O(n log n).

A subtask waits on what it names and on everything its parent (and the
parent's parent) waits on: an epic's dependencies hold for every issue under
it. The execution order is a topological order with a priority queue: among
the tasks free to go, one that can go now (nothing it waits on is blocked,
dropped or missing, directly or through another open task) before one that
cannot, then the most urgent (a task is as urgent as the most urgent task
waiting for it), then its own priority, then plan order, then line.

Every loop step is counted in `Ops`, so a test can prove the growth without
timing anything.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from charter.config import Config
from charter.model import Task
from charter.status import column_of, is_done
from charter.tasks.query import priority_rank as task_priority_rank
from charter.tasks.waits import waits_on

NO_PRIORITY = 99  # tasks without a priority come after every task that has one
OrderKey = tuple[int, int, int, int, int]


@dataclass
class Ops:
    """Loop steps taken; a heap operation counts as the log2 of the heap's size."""

    steps: int = 0

    def heap(self, size: int) -> None:
        self.steps += max(1, size.bit_length())


def priority_number(text: str | None) -> int:
    """`charter task next`'s ranking, as an int: no or unknown priority sorts last."""
    rank = task_priority_rank(text)
    return NO_PRIORITY if rank == math.inf else int(rank)


class OrderFacts(NamedTuple):
    """What the order reads of a task, worked out once: the handoff keeps these per plan
    (charter.handoff.facts), so it can order 50,000 tasks without their parsed models.
    (A named tuple: it is built 50,000 times a run, and a frozen dataclass is slower.)"""

    id: str
    parent: str | None
    depends: tuple[str, ...]
    subtasks: tuple[str, ...]  # the IDs of its direct subtasks
    rank: int  # priority_number of its priority
    done: bool
    path: str
    line: int


class Orderable(Protocol):
    """OrderFacts, or a record that starts with the same fields."""

    @property
    def id(self) -> str: ...
    @property
    def parent(self) -> str | None: ...
    @property
    def depends(self) -> tuple[str, ...]: ...
    @property
    def subtasks(self) -> tuple[str, ...]: ...
    @property
    def rank(self) -> int: ...
    @property
    def done(self) -> bool: ...
    @property
    def path(self) -> str: ...
    @property
    def line(self) -> int: ...


def order_facts(task: Task, config: Config) -> OrderFacts:
    return OrderFacts(
        task.id or "",
        task.parent,
        task.depends,
        tuple(sub.id for sub in task.subtasks if sub.id is not None),
        priority_number(task.value("priority")),
        is_done(task, config),
        task.path,
        task.line,
    )


def execution_order(
    open_tasks: list[Task],
    tasks: Iterable[Task],
    config: Config,
    plan_rank: dict[str, int],
    ops: Ops | None = None,
) -> list[Task]:
    """The open tasks, each after the open tasks it waits on and after its own open
    subtasks. A cycle is broken in plan order (the first of its tasks by the sort key
    goes first)."""
    by_id = {t.id or "": t for t in tasks}
    facts = {tid: order_facts(task, config) for tid, task in by_id.items()}
    placed = order_ids([t.id or "" for t in open_tasks], facts, plan_rank, ops)
    return [by_id[tid] for tid in placed]


def order_ids(
    open_ids: list[str],
    by_id: Mapping[str, Orderable],
    plan_rank: Mapping[str, int],
    ops: Ops | None = None,
) -> list[str]:
    """`execution_order` over the tasks' OrderFacts: the open IDs in order."""
    return [tid for _, tid, _ in order_placements(open_ids, by_id, plan_rank, ops)[0]]


class Placement(NamedTuple):
    """One task as the order placed it: its sort key when it was queued, and whether a
    cycle was broken to place it (nothing else of its group was free to go)."""

    key: OrderKey
    id: str
    released: bool


def order_placements(
    open_ids: list[str],
    by_id: Mapping[str, Orderable],
    plan_rank: Mapping[str, int],
    ops: Ops | None = None,
    open_set: AbstractSet[str] | None = None,
) -> tuple[list[Placement], dict[str, list[str]]]:
    """`order_ids`, with each task's key and whether a cycle was broken for it, and the
    links between the tasks ordered ({ID: the IDs that wait on it}).

    Tasks linked to no other order independently of each other: the order of a
    group of linked tasks (a component) is the same whatever else is ordered with
    it, and the whole order is those orders merged by their next task's key
    (charter.handoff.ordering). `open_set` (every open task, when `open_ids` is
    only some of them) says which waited-on tasks are open; when one of `open_ids`
    is linked to an open task not among them, nothing is placed (the links say so)."""
    ops = ops if ops is not None else Ops()
    some = open_set is not None
    open_set = open_set if open_set is not None else set(open_ids)
    waiting: dict[str, set[str]] = {}
    # Only tasks something waits on have dependents: most have none (50,000 empty lists).
    dependents: dict[str, list[str]] = {}
    stuck_on_closed: set[str] = set()
    steps = 0
    for tid in open_ids:
        task = by_id[tid]
        deps: set[str] = set()
        if task.depends or task.parent is not None:
            for dep in waits_of(task, by_id):
                steps += 1
                if dep in open_set:
                    if dep not in deps:
                        deps.add(dep)
                        dependents.setdefault(dep, []).append(tid)
                elif dep not in by_id or not by_id[dep].done:
                    stuck_on_closed.add(tid)
        # An epic is finished by its issues: it goes after them, and so does what waits on it.
        for sub in task.subtasks:
            steps += 1
            if sub in open_set and sub != tid and sub not in deps:
                deps.add(sub)
                dependents.setdefault(sub, []).append(tid)
        waiting[tid] = deps
    ops.steps += steps
    if some and not waiting.keys() >= dependents.keys():
        return [], dependents
    urgency = _inherited_priority(waiting, dependents, by_id, ops)
    stalled = set(stuck_on_closed)

    def key(tid: str) -> OrderKey:
        task = by_id[tid]
        stall = 1 if tid in stalled else 0
        return stall, urgency[tid], task.rank, plan_rank.get(task.path, 0), task.line

    ready = [(key(tid), tid) for tid in waiting if not waiting[tid]]
    heapq.heapify(ready)
    ops.steps += len(ready)
    placed: list[Placement] = []
    rest = dict(waiting)
    released = None
    while rest:
        if not ready:  # a cycle: release its first task by the sort key
            released = _first(rest, key, ops)
            heapq.heappush(ready, (key(released), released))
        ops.heap(len(ready))
        queued, tid = heapq.heappop(ready)
        if tid not in rest:
            continue
        del rest[tid]
        placed.append(Placement(queued, tid, tid == released))
        for other in dependents.get(tid, ()):
            ops.steps += 1
            remaining = rest.get(other)
            if remaining is None or tid not in remaining:
                continue
            remaining.discard(tid)
            if tid in stalled:
                stalled.add(other)  # waiting on a task that cannot go cannot go either
            if not remaining:
                ops.heap(len(ready))
                heapq.heappush(ready, (key(other), other))
    return placed, dependents


def waits_of(task: Orderable, by_id: Mapping[str, Orderable]) -> tuple[str, ...]:
    """charter.tasks.waits.waits_on, without its walk for a task that has no parent (most
    of them): what it names itself, once each, never itself."""
    if task.parent is not None:
        return waits_on(task, by_id)
    if not task.depends:
        return ()
    return tuple(dict.fromkeys(dep for dep in task.depends if dep != task.id))


def _first(rest: dict[str, set[str]], key: Callable[[str], OrderKey], ops: Ops) -> str:
    ops.steps += len(rest)
    return min(rest, key=key)


def _inherited_priority(
    waiting: dict[str, set[str]],
    dependents: dict[str, list[str]],
    by_id: Mapping[str, Orderable],
    ops: Ops,
) -> dict[str, int]:
    """Each open task's rank: its own, or that of the most urgent task waiting on it.

    Dependents pass their rank to what they wait on, in an order where every
    task is done after all its dependents (Kahn's algorithm on the reversed
    graph): one pass over the links. Tasks on or behind a cycle, which that
    order never reaches, settle in a fixpoint over just them.
    """
    rank = {tid: by_id[tid].rank for tid in waiting}
    pending = {tid: len(dependents.get(tid, ())) for tid in waiting}
    queue = [tid for tid, count in pending.items() if count == 0]
    done: set[str] = set()
    while queue:
        tid = queue.pop()
        done.add(tid)
        for dep in waiting[tid]:
            ops.steps += 1
            rank[dep] = min(rank[dep], rank[tid])
            pending[dep] -= 1
            if pending[dep] == 0:
                queue.append(dep)
    cyclic = [tid for tid in waiting if tid not in done]
    changed = bool(cyclic)
    while changed:
        changed = False
        for tid in cyclic:
            for dep in waiting[tid]:
                ops.steps += 1
                if rank[tid] < rank[dep]:
                    rank[dep] = rank[tid]
                    changed = True
    return rank


def open_waits(task: Task, by_id: dict[str, Task], config: Config) -> list[str]:
    """What `task` still waits on, as `ID (column)` or `ID (in no plan)`."""
    waits = []
    for dep in waits_on(task, by_id):
        target = by_id.get(dep)
        if target is None:
            waits.append(f"{dep} (in no plan)")
        elif not is_done(target, config):
            waits.append(f"{dep} ({column_of(target, config)})")
    return waits
