"""The handoff's long lists as text: each row rendered by its macro, and kept.

At 50,000 tasks the handoff is 60,000 rows, and rendering them all through
Jinja2 took longer than everything else an edit costs. So each list's row
has a macro of its own in `handoff-rows.md.j2`, which sees its arguments and
nothing else (charter.templating.template_macros): the same fields give the
same text. charter keeps the text under `.charter/cache/handoff-rows-NN.cache`
(sharded and sealed), by plan for the lists in plan order (a plan's rows of
the in-progress, blocked and done lists are a function of its facts) and by
the row's own fields for the execution order, and renders only what changed.
The cache is dropped whole when the row template, the configuration or
charter's code changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from jinja2 import nodes

from charter import __version__
from charter.cache import CACHE_DIR, ShardedCache, code_stamp, file_content
from charter.config import Config
from charter.fasthash import blake2b
from charter.handoff.facts import TaskFacts
from charter.templating import template_macros, template_path, template_tree

ROWS_TEMPLATE = "handoff-rows.md.j2"
SHARDS = 16
# Lists in plan order, rendered plan by plan; the order is global, rendered row by row.
PLAN_LISTS = ("in_progress", "blocked", "done")
Render = Callable[..., str]
Entry = Callable[[TaskFacts], dict[str, Any]]


@dataclass(frozen=True)
class PlanList:
    """A list in plan order: its tasks' IDs and plans, their facts, and each one's
    template entry."""

    ids: list[str]
    paths: list[str]  # the plan of each
    by_id: Mapping[str, TaskFacts]  # decodes a plan's facts when first asked for
    entry: Entry
    # Tasks whose row depends on more than their plan (the session at work on them).
    volatile: frozenset[str] = frozenset()

    @property
    def tasks(self) -> list[TaskFacts]:
        return [self.by_id[tid] for tid in self.ids]


def rows_text(
    config: Config,
    order: Iterable[Mapping[str, Any]],
    lists: Mapping[str, PlanList],
    plan_digests: Mapping[str, str] | None,
    order_text: str | None = None,
) -> dict[str, str]:
    """{list: its rows as text} for the execution order and the in-progress, blocked and
    done lists. `plan_digests` ({plan: a hash of its facts}) lets a plan's rows come
    from the cache; None renders every row. `order_text`: the order's rows, when the
    caller has them (charter.handoff.ordering)."""
    render = template_macros(config, ROWS_TEMPLATE)
    cache = None
    if plan_digests is not None:
        cache = ShardedCache(config.root / CACHE_DIR, "handoff-rows", SHARDS, cache_key(config))
    if order_text is None:
        apart = cache is not None and numbers_apart(template_tree(config, ROWS_TEMPLATE))
        order_text = _order_rows(order, render, cache, apart)
    found = {"order": order_text}
    for name in PLAN_LISTS:
        found[name] = _plan_rows(name, lists[name], render, cache, plan_digests or {})
    if cache is not None:
        cache.save()
    return found


def _order_rows(
    order: Iterable[Mapping[str, Any]],
    render: Render,
    cache: ShardedCache | None,
    numbered_apart: bool,
) -> str:
    """The execution order's rows. With `numbered_apart` (see `numbers_apart`), a row is
    kept without its number, so that the rows after a task that came or went, whose
    numbers all moved by one, are not rendered again."""
    parts: list[str] = []
    previous = None
    kept = cache.entry(_ORDER, _ORDER) if cache is not None else None
    kept = kept if type(kept) is dict else {}
    fresh: dict[str, list[str]] = {}  # {task ID: [a hash of its row's fields, its text]}
    for item in order:
        epic_starts = bool(item["epic"]) and (previous is None or previous["epic"] != item["epic"])
        previous = item
        if cache is None:
            parts.append(render("order_row", item, epic_starts))
            continue
        number = item["number"]
        apart = numbered_apart
        said = repr(
            (tuple({**item, "number": 0}.values() if apart else item.values()), epic_starts)
        )
        apart = apart and "\\x00" not in said  # no field can pass for the stand-in
        digest = blake2b(said.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        digest += "-" if apart else "#"
        entry = kept.get(item["id"])
        if type(entry) is list and len(entry) == 2 and entry[0] == digest and type(entry[1]) is str:
            text = entry[1]
        else:
            text = render("order_row", {**item, "number": NUMBER} if apart else item, epic_starts)
        fresh[item["id"]] = [digest, text]
        parts.append(text.replace(NUMBER, str(number)) if apart else text)
    if cache is not None and fresh != kept:
        cache.store(_ORDER, _ORDER, fresh)
    return "".join(parts)


_ORDER = "order"  # the execution order's rows: one entry, read and written whole
NUMBER = "\x00number\x00"  # stands in for a row's number in the text kept of it


def numbers_apart(tree: Any) -> bool:
    """True when the order_row macro of the row template `tree` uses its item only by
    its fields and prints `item.number` only as it is (`{{ item.number }}`): then a row's
    text is the same for every number but where the number is printed."""
    macro = next((m for m in tree.find_all(nodes.Macro) if m.name == "order_row"), None)
    if macro is None or not macro.args:
        return False
    item = macro.args[0].name

    def plain(node: Any, parent: Any) -> bool:
        if (
            isinstance(node, nodes.Name)
            and node.name == item
            and not (isinstance(parent, nodes.Getattr) and parent.node is node)
        ):
            return False
        if (
            isinstance(node, nodes.Getattr)
            and isinstance(node.node, nodes.Name)
            and node.node.name == item
            and node.attr == "number"
            and not isinstance(parent, nodes.Output)
        ):
            return False
        return all(plain(child, node) for child in node.iter_child_nodes())

    return all(plain(node, macro) for node in macro.body)


def _plan_rows(
    name: str,
    plan_list: PlanList,
    render: Render,
    cache: ShardedCache | None,
    plan_digests: Mapping[str, str],
) -> str:
    macro = f"{name}_row"
    parts: list[str] = []
    by_id, entry = plan_list.by_id, plan_list.entry
    end = 0
    for plan, group in groupby(plan_list.paths):
        start, end = end, end + sum(1 for _ in group)
        ids = plan_list.ids[start:end]
        digest = plan_digests.get(plan)
        volatile = plan_list.volatile and not plan_list.volatile.isdisjoint(ids)
        if cache is None or digest is None or volatile:
            parts.extend(render(macro, entry(by_id[tid])) for tid in ids)
            continue
        key = f"{name}\0{plan}\0{digest}"
        text = cache.entry(plan, key)
        if type(text) is not str:
            text = "".join(render(macro, entry(by_id[tid])) for tid in ids)
            cache.store(plan, key, text)
        parts.append(text)
    return "".join(parts)


def cache_key(config: Config) -> str:
    h = blake2b(digest_size=16)
    h.update(f"{__version__}\0{config!r}\0".encode())
    h.update(code_stamp())
    h.update(file_content(template_path(config, ROWS_TEMPLATE)))
    return h.hexdigest()
