"""The handoff's execution order and its rows after an edit: only what the edit touched.

Open tasks linked by a dependency (or as epic and issue) form a component. A
component's order does not depend on any other (charter.tasks.order), and the
whole order is the components' orders merged by their next task's key, a task
freed by breaking a cycle waiting until every component is stuck. Such a merge
keeps the relative order of what it merges, and merging merged orders gives
the same as merging their components at once. So after an edit charter keeps
the last order (each task with its key, whether a cycle was broken for it, and
its component) under `.charter/cache/handoff-order.cache`, drops from it the
components the changed plans touch, orders those tasks again, and merges the
two. A component is touched when

- it reads a task of a changed plan (one of its tasks, one they wait on, an
  epic above them, an issue under them), or
- a task of a changed plan names one of its tasks, or defines a task it names
  that was in no plan.

Every other component's tasks, links and keys read nothing that changed. What
the merge assumes is checked (every open task placed once, no link out of the
tasks ordered again); where it does not hold, everything is ordered again.

Each row's text is kept without its number (charter.handoff.rows.numbers_apart)
per plan under `.charter/cache/handoff-order-rows-NN.cache`, and rendered again
only for the components ordered again. Both caches are dropped whole when the
row template, the configuration or charter's code changes, the order also when
the list of plans does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain, compress
from typing import Any

from charter.cache import CACHE_DIR, ShardedCache, load_cache, save_cache
from charter.config import Config
from charter.fasthash import blake2b
from charter.handoff.facts import TaskFacts
from charter.handoff.memo import TEMPLATE, template_reading
from charter.handoff.order_cache import (
    CACHE_NAME,
    ROWS_CACHE,
    SHARDS,
    KeptRows,
    Order,
    columns,
    dump,
    load,
)
from charter.handoff.rows import NUMBER, ROWS_TEMPLATE, cache_key
from charter.tasks.order import OrderKey, Placement, order_placements
from charter.templating import template_macros

Entry = Callable[[str], dict[str, Any]]  # a task's order entry, its number aside
TasksOf = Callable[[set[str]], Iterable[TaskFacts]]  # the tasks of some plans


@dataclass
class OrderWork:
    """What one order did, for tests that count work rather than time it."""

    ordered: int = 0  # tasks put in order again
    reused: int = 0  # tasks whose place came from the cache
    rendered: list[str] = field(default_factory=list)  # tasks whose row was rendered
    everything: bool = False  # nothing could be reused


@dataclass
class Ordered:
    ids: list[str]  # the open tasks in order
    text: str  # their rows, numbered


class _NotApart(Exception):
    """A row whose text cannot be kept without its number."""


def ordered_rows(
    config: Config,
    open_ids: list[str],
    by_id: Mapping[str, TaskFacts],
    tasks_of: TasksOf,
    plan_paths: tuple[str, ...],
    plan_digests: Mapping[str, str],
    entry_of: Entry,
    work: OrderWork | None = None,
) -> Ordered | None:
    """The open tasks in order (charter.tasks.order) and their rows' text, reusing every
    component no changed plan touches; None when the row template prints a row's number
    other than once and as it is (the caller renders every row then). `tasks_of` gives
    the tasks of some plans: `by_id` is only looked up, never walked whole."""
    work = work if work is not None else OrderWork()
    if not template_reading(config, TEMPLATE, ROWS_TEMPLATE)[1]:
        return None
    key = cache_key(config)
    folder = config.root / CACHE_DIR
    kept = load(load_cache(folder / CACHE_NAME), key, plan_paths)
    plan_rank = {plan: n for n, plan in enumerate(plan_paths)}
    digests = {plan: plan_digests.get(plan, "") for plan in plan_paths}
    order, again = _reorder(open_ids, by_id, tasks_of, plan_rank, digests, kept, work)
    texts = KeptRows(ShardedCache(folder, ROWS_CACHE, SHARDS, key), plan_paths)
    try:
        text = texts.rows(order, again, by_id, _Render(config, entry_of, work).texts)
    except _NotApart:
        return None
    texts.cache.save()
    if work.ordered or kept is None:
        save_cache(folder / CACHE_NAME, dump(key, plan_paths, digests, order))
    return Ordered(order.ids, text)


def _reorder(
    open_ids: list[str],
    by_id: Mapping[str, TaskFacts],
    tasks_of: TasksOf,
    plan_rank: Mapping[str, int],
    digests: Mapping[str, str],
    kept: tuple[dict[str, str], Order] | None,
    work: OrderWork,
) -> tuple[Order, list[str]]:
    """The order: the kept one, its touched components ordered again; and those tasks."""
    if kept is None:
        reused, again = Order([], [], [], [], {}), open_ids
    else:
        old_digests, old = kept
        changed = {plan for plan, digest in digests.items() if old_digests.get(plan) != digest}
        if not changed and set(old.ids) == set(open_ids) and len(old.ids) == len(open_ids):
            work.reused = len(open_ids)
            return old, []
        reused, again = _untouched(old, changed, open_ids, tasks_of(changed), plan_rank)
    open_set = set(open_ids)
    first = max(reused.reads, default=-1) + 1
    fresh = _order_again(again, by_id, plan_rank, digests, open_set, first)
    if fresh is None:  # a link out of what was ordered again: order everything
        reused, again = Order([], [], [], [], {}), open_ids
        fresh = _order_again(again, by_id, plan_rank, digests, open_set, 0)
        assert fresh is not None  # every open task was ordered: no link can leave them
    work.everything = not reused.ids
    work.ordered = len(again)
    work.reused = len(reused.ids)
    return _merge(reused, fresh), again


def _untouched(
    old: Order,
    changed: set[str],
    open_ids: list[str],
    changed_tasks: Iterable[TaskFacts],
    plan_rank: Mapping[str, int],
) -> tuple[Order, list[str]]:
    """The kept order without the components the changed plans touch (`changed_tasks`:
    their tasks), and the open tasks not in it."""
    defined: set[str] = set()  # the IDs the changed plans define now
    named: set[str] = set()  # what their tasks name now
    for task in changed_tasks:
        defined.add(task.id)
        named.update(task.depends, task.subtasks)
        if task.parent is not None:
            named.add(task.parent)
    component_of = dict(zip(old.ids, old.components, strict=True))
    touched = {component_of[tid] for tid in named | defined if tid in component_of}
    changed_at = {plan_rank[plan] for plan in changed if plan in plan_rank}
    for component, (plans, missing, _) in old.reads.items():
        if not changed_at.isdisjoint(plans) or not defined.isdisjoint(missing):
            touched.add(component)
    keep = [component not in touched for component in old.components]
    ids, keys, released, components = (list(compress(column, keep)) for column in columns(old))
    reads = {c: read for c, read in old.reads.items() if c not in touched}
    reused = Order(ids, keys, released, components, reads)
    members = set(reused.ids)
    again = [tid for tid in open_ids if tid not in members]
    if len(again) + len(reused.ids) != len(open_ids):  # a kept task is no longer open
        return Order([], [], [], [], {}), open_ids
    return reused, again


def _order_again(
    ids: list[str],
    by_id: Mapping[str, TaskFacts],
    plan_rank: Mapping[str, int],
    digests: Mapping[str, str],
    open_set: set[str],
    first_number: int,
) -> tuple[list[Placement], Order] | None:
    """`ids` ordered, with their components numbered from `first_number`; None when one
    of them is linked to an open task outside `ids`."""
    placements, dependents = order_placements(ids, by_id, plan_rank, open_set=open_set)
    if not set(ids).issuperset(dependents):
        return None
    root = {tid: tid for tid in ids}

    def find(tid: str) -> str:
        while root[tid] != tid:
            root[tid] = root[root[tid]]
            tid = root[tid]
        return tid

    for dep, waiting in dependents.items():
        for tid in waiting:
            a, b = find(dep), find(tid)
            if a != b:
                root[a] = b
    numbers: dict[str, int] = {}
    reads: dict[int, set[str]] = {}
    components = []
    for placement in placements:
        number = numbers.setdefault(find(placement.id), first_number + len(numbers))
        components.append(number)
        reads.setdefault(number, set()).update(_reads(by_id[placement.id], by_id))
    order = Order(
        [p.id for p in placements],
        [p.key for p in placements],
        [p.released for p in placements],
        components,
        {number: _read(read, by_id, plan_rank, digests) for number, read in reads.items()},
    )
    return placements, order


def _read(
    ids: set[str],
    by_id: Mapping[str, TaskFacts],
    plan_rank: Mapping[str, int],
    digests: Mapping[str, str],
) -> tuple[list[int], list[str], str]:
    """What a component reads (the IDs `ids`): its plans, its IDs in no plan, and a hash
    of both with those plans' facts."""
    plans = sorted({by_id[tid].path for tid in ids if tid in by_id})
    missing = sorted(tid for tid in ids if tid not in by_id)
    said = "\0".join(chain(*((plan, digests.get(plan, "")) for plan in plans), ["\1"], missing))
    stamp = blake2b(said.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
    return [plan_rank[plan] for plan in plans], missing, stamp


def _reads(task: TaskFacts, by_id: Mapping[str, TaskFacts]) -> Iterable[str]:
    """Every ID whose task's facts the order or the row of `task` reads: itself, its
    issues, its epics up the chain and what each of them waits on."""
    yield task.id
    yield from task.subtasks
    yield from task.depends
    seen: set[str] = set()
    parent = task.parent
    while parent is not None and parent not in seen:
        seen.add(parent)
        yield parent
        above = by_id.get(parent)
        if above is None:
            break
        yield from above.depends
        parent = above.parent


def _merge(kept: Order, fresh: tuple[list[Placement], Order]) -> Order:
    """Two orders as one, as charter.tasks.order would place their tasks together: the
    next task of either by its key, a task freed by breaking a cycle only when the
    other's next one is too."""
    placements, new = fresh
    if not placements:
        return kept
    runs: list[tuple[Order, int, int]] = []  # (order, start, end) in the merged order
    at = 0
    count = len(kept.ids)
    ids, keys, released = kept.ids, kept.keys, kept.released
    for n, placement in enumerate(placements):
        start = at
        ready = not placement.released
        mine = (placement.key, placement.id)
        while at < count and _before(not released[at], (keys[at], ids[at]), ready, mine):
            at += 1
        if at > start:
            runs.append((kept, start, at))
        runs.append((new, n, n + 1))
    runs.append((kept, at, count))
    merged = Order([], [], [], [], {**kept.reads, **new.reads})
    for source, start, end in runs:
        for target, column in zip(columns(merged), columns(source), strict=True):
            target.extend(column[start:end])
    return merged


def _before(
    ready: bool, key: tuple[OrderKey, str], other_ready: bool, other: tuple[OrderKey, str]
) -> bool:
    """Whether a task (ready: free to go, else freed by breaking a cycle) goes before
    another when both are their orders' next: a ready one first, else by key."""
    return ready if ready is not other_ready else key < other


class _Render:
    def __init__(self, config: Config, entry_of: Entry, work: OrderWork):
        self.config, self.entry_of, self.work = config, entry_of, work
        self.render: Callable[..., str] | None = None

    def texts(self, tid: str) -> list[str | None]:
        """[its row, its row when it starts its epic's run (None outside an epic), its
        epic]."""
        item = self.entry_of(tid)
        if "\\x00" in repr(tuple(item.values())):  # a field could pass for the stand-in
            raise _NotApart
        if self.render is None:
            self.render = template_macros(self.config, ROWS_TEMPLATE)
        item["number"] = NUMBER
        texts: list[str | None] = [self.render("order_row", item, False)]
        texts.append(self.render("order_row", item, True) if item["epic"] else None)
        if any(text is not None and text.count(NUMBER) != 1 for text in texts):
            raise _NotApart
        self.work.rendered.append(tid)
        return [*texts, item["epic"]]
