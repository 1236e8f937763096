"""The handoff's content: the template variables, from the plans, the logs and the policy.

Pure: the same plans and logs give the same variables, in the same order. They
are computed from the plans' and logs' facts (charter.handoff.facts), whether
those come from a loaded repository or from the per-plan cache.
`charter.handoff.regenerate` renders them (templates/handoff.md.j2) and writes the file.
"""

from __future__ import annotations

import functools
import operator
import posixpath
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from itertools import compress
from typing import Any, overload

from charter.config import Config
from charter.errors import CharterError
from charter.evidence.manifest import runs_of
from charter.guard.policy import at_most, documented_level, load_policy
from charter.handoff.facts import HandoffFacts, SessionFacts, TaskFacts, from_repo
from charter.handoff.ordering import ordered_rows
from charter.handoff.rows import PlanList, rows_text
from charter.makefile import defines_target, make_variable
from charter.repo import RepoModel
from charter.sandbox.layers import handoff_line, repository_layers
from charter.sorting import natural_key
from charter.tasks.order import order_ids, priority_number, waits_of

RECENT_SESSIONS = 5
MAX_GRAPH_TASKS = 60  # GitHub stops rendering large Mermaid graphs; the rest is counted
_SESSION_NUMBER = re.compile(r"session-(\d+)", re.I)


def handoff_context(repo: RepoModel) -> dict[str, Any]:
    """The template's variables for a loaded repository."""
    return context_of(from_repo(repo), repo.config)


def context_of(
    facts: HandoffFacts,
    config: Config,
    wanted: frozenset[str] | None = None,
    plan_digests: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The template's variables from the plans' and logs' facts (charter.handoff.facts).

    `wanted`: the variables the template reads (charter.templating.template_variables),
    None for all; a long list it only counts (`counts`) or shows as `rows` is never built
    entry by entry. `plan_digests` lets the rows come from their cache (charter.handoff.rows).
    """
    base = posixpath.dirname(config.handoff)
    table = facts.tasks
    plan_rank = {path: index for index, path in enumerate(facts.plan_paths)}
    # Each list's IDs and their plans; a task's other facts are decoded only for what is
    # rendered again (charter.handoff.table). A few columns, 50,000 tasks: each column's
    # state once, the tasks sorted into the lists by C-level passes over the table.
    state_of = {column: _column_state(column, config) for column in set(table.columns)}
    states = list(map(state_of.__getitem__, table.columns))
    is_open = list(map(_OPEN.__contains__, states))
    open_ids = list(compress(table.ids, is_open))
    closed = set(compress(table.ids, map(operator.not_, is_open)))
    closed.discard("")
    members: dict[str, tuple[list[str], list[str]]] = {}
    for state, name in _LIST_OF.items():
        in_list = list(map(state.__eq__, states)) if state in state_of.values() else []
        members[name] = (list(compress(table.ids, in_list)), list(compress(table.paths, in_list)))
    by_id = table.by_id()
    order_text = None
    ordered = None
    if plan_digests is not None and (wanted is None or "rows" in wanted):
        ordered = _ordered(facts, config, open_ids, plan_digests, base)
    if ordered is None:
        order: Sequence[dict[str, Any]] = execution_order(open_ids, by_id, config, plan_rank)
    else:
        order, order_text = ordered
        if wanted is None or "order" in wanted:
            order = list(order)
    logs = sorted(facts.sessions, key=_log_order)
    active = [log for log in logs if log.status_key == "active"]
    working = {log.task: log.id for log in active if log.task}
    lists = {
        "in_progress": PlanList(
            *members["in_progress"],
            by_id,
            lambda t: {**_entry(t, base), "session": working.get(t.id, "")},
            frozenset(working),
        ),
        "blocked": PlanList(*members["blocked"], by_id, lambda t: _entry(t, base)),
        "done": PlanList(*members["done"], by_id, lambda t: _entry(t, base)),
    }
    context: dict[str, Any] = {
        "title": "Session handoff",
        "as_of": _as_of(logs),
        "counts": {"order": len(order), **{name: len(m[0]) for name, m in members.items()}},
        "order": order,
        "continue": _continue(config, order, active),
        "sessions": [_session(log, base) for log in reversed(logs[-RECENT_SESSIONS:])],
        "session_count": len(logs),
        "graph": dependency_graph(by_id, order, config, members["blocked"][0]),
        "unlisted": facts.unlisted,
        "layers": _layers(config),
        **_runs_and_tokens(config, closed, logs),
    }
    if not isinstance(order, list):  # built when asked for: not data, and not read
        del context["order"]
    for name, plan_list in lists.items():
        if wanted is None or name in wanted:
            context[name] = [plan_list.entry(t) for t in plan_list.tasks]
    if wanted is None or "rows" in wanted:
        context["rows"] = rows_text(config, order, lists, plan_digests, order_text)
    return context


_LIST_OF = {"active": "in_progress", "blocked": "blocked", "done": "done"}
_OPEN = frozenset(("open", "active"))


def _layers(config: Config) -> str | None:
    """The enforcement layers the repository configures (docs/guard.md); None without a policy."""
    try:
        policy = load_policy(config.path(config.policy), config.policy)
    except CharterError:
        return None
    return handoff_line(repository_layers(config.root, policy))


def _runs_and_tokens(config: Config, closed: set[str], logs: list[SessionFacts]) -> dict[str, Any]:
    """Run manifests of closed tasks (done, blocked or dropped), and token usage of ended
    sessions (docs/evidence.md).

    Closed and ended only: a run or a transcript during open work must not
    make this generated file stale.
    """
    runs = [
        {**row, "failure_percent": round(row["failure_rate"] * 100)}
        for row in runs_of(config, closed)
    ]
    tokens = [
        {
            "id": log.id,
            "task": log.task,
            "input": log.usage[0],
            "output": log.usage[1],
            "total": log.usage[2],
        }
        for log in logs
        if log.usage is not None and log.status_key != "active"
    ]
    return {"runs": runs, "tokens": tokens}


def _state(task: TaskFacts, config: Config) -> str:
    return _column_state(task.column, config)


def _column_state(column: str, config: Config) -> str:
    if column == config.done_column:
        return "done"
    if column in config.closed_columns:
        return "dropped"
    if column == config.blocked_column:
        return "blocked"
    return "open" if column == config.open_column else "active"


def _entry(task: TaskFacts, base: str) -> dict[str, Any]:
    return {
        "id": task.id,
        "title": task.title,
        "column": task.column,
        "owner": task.owner,
        "plan": task.path,
        "line": task.line,
        "href": f"{_relative(task.path, base)}#L{task.line}",
        "evidence": [{"path": path, "href": _href(path, base)} for path in task.evidence],
        "reason": task.reason,
        "depends": list(task.depends),
    }


@functools.lru_cache(maxsize=8192)
def _href(path: str, base: str) -> str | None:
    return None if set("*?[") & set(path) else _relative(path.lstrip("/"), base)


@functools.lru_cache(maxsize=8192)
def _relative(path: str, base: str) -> str:
    """posixpath.relpath, once per plan and evidence path (it was a third of a render)."""
    return posixpath.relpath(path, base or ".")


def priority_rank(text: str | None) -> int:
    """`charter task next`'s ranking, as an int: no or unknown priority sorts last."""
    return priority_number(text)


def execution_order(
    open_ids: list[str],
    by_id: Mapping[str, TaskFacts],
    config: Config,
    plan_rank: dict[str, int],
) -> list[dict[str, Any]]:
    """Open tasks, each after what it waits on (charter.tasks.order), as template rows."""
    placed = order_ids(open_ids, by_id, plan_rank)
    base = posixpath.dirname(config.handoff)
    return [_order_entry(n, by_id[tid], by_id, base) for n, tid in enumerate(placed, 1)]


def _ordered(
    facts: HandoffFacts,
    config: Config,
    open_ids: list[str],
    plan_digests: Mapping[str, str],
    base: str,
) -> tuple[Sequence[dict[str, Any]], str] | None:
    """The order's entries (built when asked for) and rows, from the order kept per
    component (charter.handoff.ordering); None when the rows cannot be kept apart from
    their numbers."""
    by_id = facts.tasks.by_id()
    ordered = ordered_rows(
        config,
        open_ids,
        by_id,
        facts.tasks.of_plans,
        facts.plan_paths,
        plan_digests,
        lambda tid: _order_entry(0, by_id[tid], by_id, base),
    )
    if ordered is None:
        return None
    entries = _Entries(ordered.ids, lambda n, tid: _order_entry(n, by_id[tid], by_id, base))
    return entries, ordered.text


class _Entries(Sequence[dict[str, Any]]):
    """The order's template entries, each built when first asked for: the handoff's
    template shows the order as rows, and reads only its first entries itself."""

    def __init__(self, ids: list[str], entry: Callable[[int, str], dict[str, Any]]):
        self._ids, self._entry = ids, entry
        self._built: dict[int, dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self[n] for n in range(*index.indices(len(self._ids)))]
        n = range(len(self._ids))[index]  # IndexError past the end, as a list
        built = self._built.get(n)
        if built is None:
            built = self._built[n] = self._entry(n + 1, self._ids[n])
        return built


def _order_entry(
    number: int, task: TaskFacts, by_id: Mapping[str, TaskFacts], base: str
) -> dict[str, Any]:
    waits = open_waits(task, by_id)
    return {
        "number": number,
        "id": task.id,
        "title": task.title,
        "column": task.column,
        "priority": task.priority,
        "level": task.level,
        "ready": not waits,
        "waits_on": waits,
        "plan": task.path,
        "plan_href": _relative(task.path, base),
        "epic": _epic(task, by_id),
    }


def open_waits(task: TaskFacts, by_id: Mapping[str, TaskFacts]) -> list[str]:
    """What `task` still waits on, as `ID (column)` or `ID (in no plan)`."""
    waits = []
    for dep in waits_of(task, by_id):
        target = by_id.get(dep)
        if target is None:
            waits.append(f"{dep} (in no plan)")
        elif not target.done:
            waits.append(f"{dep} ({target.column})")
    return waits


def _epic(task: TaskFacts, by_id: Mapping[str, TaskFacts]) -> str:
    """The epic (parent task) `task` belongs to, as "ID title"; "" for a top-level task."""
    parent = by_id.get(task.parent) if task.parent else None
    if parent is None:
        return ""
    return f"{parent.id} {parent.title}".strip()


def _continue(
    config: Config, order: Sequence[dict[str, Any]], active: list[SessionFacts]
) -> dict[str, Any]:
    next_task = next((o for o in order if o["ready"]), None)
    make = _has_make_target(config, "session-start")
    command = None
    if next_task is not None:
        extra = _level_arguments(config, next_task["level"], make)
        command = (
            f"make session-start {make_variable('TASK', next_task['id'])}{extra}"
            if make
            else f"charter session start {shlex.quote(next_task['id'])}{extra}"
        )
    return {
        "next": next_task,
        "start": command,
        "active": [
            {
                "id": log.id,
                "task": log.task,
                "path": log.path,
                "href": posixpath.relpath(log.path, posixpath.dirname(config.handoff) or "."),
            }
            for log in active
        ],
        "check": "make check" if _has_make_target(config, "check") else "charter check",
    }


def _level_arguments(config: Config, documented: str, make: bool) -> str:
    """`LEVEL=L2 APPROVED_BY=<operator>` when the task documents a level above the default."""
    if not documented:
        return ""
    try:
        policy = load_policy(config.path(config.policy), config.policy)
    except CharterError:
        return ""
    level = documented_level(documented, [level.name for level in policy.levels])
    if level is None or at_most(policy, level, policy.default_level):
        return ""
    if make:
        return f" LEVEL={level} APPROVED_BY=<operator>"
    return f" --level {level} --approved-by <operator>"


def _has_make_target(config: Config, target: str) -> bool:
    makefile = config.root / "Makefile"
    return makefile.is_file() and defines_target(makefile.read_text("utf-8", "replace"), target)


# ---- sessions ------------------------------------------------------------------


def _log_order(log: SessionFacts) -> tuple[int, str]:
    match = _SESSION_NUMBER.search(posixpath.basename(log.path))
    return (int(match.group(1)) if match else 0), log.path


def _as_of(logs: list[SessionFacts]) -> str | None:
    if not logs:
        return None
    last = logs[-1]
    return f"{last.id} ({last.when})" if last.when else last.id


def _session(log: SessionFacts, base: str) -> dict[str, Any]:
    return {
        "id": log.id,
        "path": log.path,
        "href": posixpath.relpath(log.path, base or "."),
        "date": log.date,
        "task": log.task,
        "agent": log.agent,
        "level": log.level,
        "status": log.status,
        "outcome": log.outcome,
        "blocked_reason": log.blocked_reason,
    }


# ---- the dependency graph ----------------------------------------------------------


def dependency_graph(
    by_id: Mapping[str, TaskFacts],
    order: Sequence[dict[str, Any]],
    config: Config,
    blocked: list[str],
) -> dict[str, Any]:
    """Mermaid nodes and edges: open and blocked tasks (the IDs `blocked`), and the tasks
    they depend on."""
    omitted = max(0, len(order) + len(blocked) - MAX_GRAPH_TASKS)
    shown = [o["id"] for o in order[:MAX_GRAPH_TASKS]]
    if len(shown) < MAX_GRAPH_TASKS:  # sorted only when some of them are drawn
        shown += sorted(blocked, key=natural_key)[: MAX_GRAPH_TASKS - len(shown)]
    nodes: dict[str, str] = {}
    for task_id in shown:
        nodes.setdefault(task_id, "")
        for dep in by_id[task_id].depends:
            if dep in by_id:
                nodes.setdefault(dep, "")
    keys = {task_id: f"t{index}" for index, task_id in enumerate(nodes)}
    edges = [
        {"source": keys[dep], "target": keys[task_id]}
        for task_id in shown
        for dep in by_id[task_id].depends
        if dep in keys
    ]
    return {
        "nodes": [
            {
                "key": keys[i],
                "label": mermaid_label(f"{i} {by_id[i].title}"),
                "state": _state(by_id[i], config),
            }
            for i in nodes
        ],
        "edges": edges,
        "omitted": omitted,
    }


def mermaid_label(text: str, limit: int = 48) -> str:
    """Text safe inside a quoted Mermaid label, cut to `limit` characters."""
    text = " ".join(text.replace("`", "").split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, code)
    return text
