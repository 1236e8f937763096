"""What the handoff keeps of its execution order (charter.handoff.ordering): the order,
column by column, with what each component reads, under
`.charter/cache/handoff-order.cache`, and each open task's row text by plan under
`.charter/cache/handoff-order-rows-NN.cache`. Both are plain data, sealed; a damaged
one is not believed (the order is computed, the rows rendered again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import chain, compress, repeat
from operator import itemgetter, ne
from typing import Any

from charter.cache import ShardedCache
from charter.handoff.facts import TaskFacts
from charter.handoff.rows import NUMBER
from charter.tasks.order import OrderKey

CACHE_NAME = "handoff-order.cache"
ROWS_CACHE = "handoff-order-rows"
SHARDS = 16
_KEY_FIELDS = 5  # the fields of an OrderKey
RenderRow = Callable[[str], list[str | None]]  # [text, text when its epic starts, epic]


@dataclass
class Order:
    """An order, column by column, with what each component reads."""

    ids: list[str]
    keys: list[OrderKey]
    released: list[bool]  # placed by breaking a cycle
    components: list[int]
    # {component: (the plans it reads, by their place in the list of plans; the IDs it
    # reads that are in no plan; a hash of those plans' facts and IDs, which its rows'
    # kept text must carry)}
    reads: dict[int, tuple[list[int], list[str], str]]


def columns(order: Order) -> tuple[list[Any], ...]:
    return order.ids, order.keys, order.released, order.components


class KeptRows:
    """Each open task's row text, kept by plan: {plan: {ID: [text, text_epic, epic,
    stamp]}}, the stamp that of its component when it was rendered (a hash of what the
    component reads): a row is used only under the same stamp, so rows and order written
    by two runs, or by a run stopped between the two files, never mix."""

    def __init__(self, cache: ShardedCache, plans: Iterable[str]):
        self.cache = cache
        entries = [cache.entry(plan, plan) for plan in plans]
        self.by_plan = dict(zip(plans, entries, strict=True))
        self.kept: dict[str, list[Any]] = {}
        if _types(entries) <= {dict, type(None)}:
            for entry in filter(None, entries):
                self.kept.update(entry)
        if not _whole(self.kept.values()):
            self.kept = {}

    def rows(
        self,
        order: Order,
        again: list[str],
        by_id: Mapping[str, TaskFacts],
        render: RenderRow,
    ) -> str:
        """The order's rows, numbered: rendered for the tasks ordered `again` and those
        whose row is not kept (every row when a kept one is damaged)."""
        reads = order.reads
        stamps = [reads[component][2] for component in order.components]
        # C-level passes over the 25,000 open tasks: a row without a kept text reads as
        # one with no stamp.
        rows = map(self.kept.get, order.ids, repeat(_NO_ROW))
        stale = compress(order.ids, map(ne, map(_STAMP, rows), stamps))
        missing = list(dict.fromkeys(chain(again, stale)))
        self._render(missing, order, by_id, render)
        try:
            return numbered(order.ids, self.kept)
        except (TypeError, ValueError):  # a damaged row: render them all
            self._render(order.ids, order, by_id, render)
            return numbered(order.ids, self.kept)

    def _render(
        self, ids: list[str], order: Order, by_id: Mapping[str, TaskFacts], render: RenderRow
    ) -> None:
        """Render the rows of `ids`, and keep each of their plans' open tasks' rows."""
        rewritten: dict[str, dict[str, list[Any]]] = {}
        stamps = dict(zip(order.ids, order.components, strict=True)) if ids else {}
        for tid in ids:
            self.kept[tid] = [*render(tid), order.reads[stamps[tid]][2]]
            rewritten.setdefault(by_id[tid].path, {})[tid] = self.kept[tid]
        open_ids = set(order.ids) if rewritten else set()
        for plan, rows in rewritten.items():
            before = self.by_plan.get(plan)
            if type(before) is dict:  # its other open tasks' rows, the closed ones' dropped
                for tid in before:
                    task = by_id.get(tid)
                    if task is not None and task.path == plan and tid in open_ids:
                        rows.setdefault(tid, self.kept[tid])
            self.cache.store(plan, plan, rows)
            self.by_plan[plan] = rows


def numbered(ids: list[str], kept: Mapping[str, list[Any]]) -> str:
    """The rows of `ids` in order, numbered from 1; ValueError or TypeError when a row
    does not hold its number once."""
    rows = list(map(kept.__getitem__, ids))
    texts = list(map(itemgetter(0), rows))
    epics = list(map(itemgetter(2), rows))
    for n in compress(range(len(ids)), epics):  # a row in an epic's run: the first says so
        if n == 0 or epics[n - 1] != epics[n]:
            texts[n] = rows[n][1]
    parts = "".join(texts).split(NUMBER)
    if len(parts) != len(ids) + 1:
        raise ValueError("a kept row without its number")
    numbers = map(str, range(1, len(parts)))
    return parts[0] + "".join(chain.from_iterable(zip(numbers, parts[1:], strict=True)))


_NO_ROW = [None, None, None, None]
_STAMP = itemgetter(3)


def _whole(rows: Iterable[Any]) -> bool:
    """Each row kept as [text, text when its epic starts or None, epic, the stamp of what
    it was rendered from]."""
    rows = list(rows)
    return (
        _types(rows) <= {list}
        and all(len(row) == 4 for row in rows)
        and _types(chain.from_iterable(rows)) <= {str, type(None)}
    )


# ---- the cached order: one list per field ---------------------------------------------


def dump(
    key: str, plans: tuple[str, ...], digests: Mapping[str, str], order: Order
) -> dict[str, Any]:
    renumber = {component: n for n, component in enumerate(order.reads)}
    return {
        "key": key,
        "plans": list(plans),
        "digests": [digests[plan] for plan in plans],
        "ids": order.ids,
        "keys": [list(column) for column in zip(*order.keys, strict=True)] if order.ids else [],
        "released": order.released,
        "components": [renumber[component] for component in order.components],
        "plan_sets": [plans_read for plans_read, _, _ in order.reads.values()],
        "missing": [missing for _, missing, _ in order.reads.values()],
        "stamps": [stamp for _, _, stamp in order.reads.values()],
    }


def load(stored: Any, key: str, plans: tuple[str, ...]) -> tuple[dict[str, str], Order] | None:
    """The kept digests and order, when `stored` is whole and for the same key and plans."""
    if type(stored) is not dict or stored.get("key") != key or stored.get("plans") != list(plans):
        return None
    try:
        return _decode(stored, plans)
    except (TypeError, ValueError, KeyError):
        return None


def _decode(stored: dict[str, Any], plans: tuple[str, ...]) -> tuple[dict[str, str], Order]:
    digests, ids, keys = stored["digests"], stored["ids"], stored["keys"]
    released, components = stored["released"], stored["components"]
    plan_sets, missing = stored["plan_sets"], stored["missing"]
    count = len(ids)
    _require(type(digests) is list and len(digests) == len(plans) and type(ids) is list)
    _require(_types(digests) <= {str} and _types(ids) <= {str})
    _require(type(keys) is list and len(keys) == (_KEY_FIELDS if count else 0))
    _require(all(type(k) is list and len(k) == count for k in keys))
    _require(_types(chain.from_iterable(keys)) <= {int} and _types(released) <= {bool})
    _require(type(plan_sets) is list and type(missing) is list)
    _require(len(plan_sets) == len(missing) and _types(chain(plan_sets, missing)) <= {list})
    _require(_types(components) <= {int} and set(components) <= set(range(len(missing))))
    _require(len(released) == len(components) == count)
    _require(_types(chain.from_iterable(missing)) <= {str})
    indexes = list(chain.from_iterable(plan_sets))
    _require(_types(indexes) <= {int} and all(0 <= n < len(plans) for n in indexes))
    stamps = stored["stamps"]
    _require(type(stamps) is list and len(stamps) == len(missing) and _types(stamps) <= {str})
    reads = dict(enumerate(zip(plan_sets, missing, stamps, strict=True)))
    order = Order(ids, list(zip(*keys, strict=True)), released, components, reads)
    return dict(zip(plans, digests, strict=True)), order


def _types(values: Iterable[Any]) -> set[type]:
    return set(map(type, values))


def _require(condition: bool) -> None:
    if not condition:
        raise ValueError("a damaged handoff-order cache")
