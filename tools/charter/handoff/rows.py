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
from itertools import groupby
from operator import itemgetter
from typing import Any

try:  # hashlib's blake2b itself, without hashlib loading OpenSSL
    from _blake2 import blake2b
except ImportError:  # an interpreter without the module
    from hashlib import blake2b

from charter import __version__
from charter.cache import CACHE_DIR, ShardedCache, code_stamp, file_content
from charter.config import Config
from charter.templating import template_macros, template_path

ROWS_TEMPLATE = "handoff-rows.md.j2"
SHARDS = 16
# Lists in plan order, rendered plan by plan; the order is global, rendered row by row.
PLAN_LISTS = {"in_progress": "in_progress_row", "blocked": "blocked_row", "done": "done_row"}
Render = Callable[..., str]


def rows_text(
    config: Config, context: Mapping[str, Any], plan_digests: Mapping[str, str] | None
) -> dict[str, str]:
    """{list: its rows as text} for the order, in-progress, blocked and done lists of
    `context` (charter.handoff.render.context_of). `plan_digests` ({plan: a hash of its
    facts}) lets a plan's rows come from the cache; None renders every row."""
    render = template_macros(config, ROWS_TEMPLATE)
    cache = None
    if plan_digests is not None:
        cache = ShardedCache(config.root / CACHE_DIR, "handoff-rows", SHARDS, _cache_key(config))
    found = {"order": _order_rows(context["order"], render, cache)}
    for name, macro in PLAN_LISTS.items():
        found[name] = _plan_rows(name, macro, context[name], render, cache, plan_digests or {})
    if cache is not None:
        cache.save()
    return found


def _order_rows(
    order: Iterable[Mapping[str, Any]], render: Render, cache: ShardedCache | None
) -> str:
    parts: list[str] = []
    previous = None
    for item in order:
        epic_starts = bool(item["epic"]) and (previous is None or previous["epic"] != item["epic"])
        previous = item
        if cache is None:
            parts.append(render("order_row", item, epic_starts))
            continue
        key = repr((tuple(item.values()), epic_starts))
        text = cache.entry(item["id"], key)
        if type(text) is not str:
            text = render("order_row", item, epic_starts)
            cache.store(item["id"], key, text)
        parts.append(text)
    return "".join(parts)


def _plan_rows(
    name: str,
    macro: str,
    entries: Iterable[Mapping[str, Any]],
    render: Render,
    cache: ShardedCache | None,
    plan_digests: Mapping[str, str],
) -> str:
    parts: list[str] = []
    for plan, group in groupby(entries, key=itemgetter("plan")):
        rows = list(group)
        digest = plan_digests.get(plan)
        # A row naming the session at work on it depends on more than the plan.
        if cache is None or digest is None or any(row.get("session") for row in rows):
            parts.extend(render(macro, row) for row in rows)
            continue
        key = f"{name}\0{plan}\0{digest}"
        text = cache.entry(plan, key)
        if type(text) is not str:
            text = "".join(render(macro, row) for row in rows)
            cache.store(plan, key, text)
        parts.append(text)
    return "".join(parts)


def _cache_key(config: Config) -> str:
    h = blake2b(digest_size=16)
    h.update(f"{__version__}\0{config!r}\0".encode())
    h.update(code_stamp())
    h.update(file_content(template_path(config, ROWS_TEMPLATE)))
    return h.hexdigest()
