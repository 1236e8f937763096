"""The handoff's content: the template variables, from the plans, the logs and the policy.

Pure: the same plans and logs give the same variables, in the same order.
`charter.handoff.regenerate` renders them (templates/handoff.md.j2) and writes the file.
"""

from __future__ import annotations

import functools
import posixpath
import re
import shlex
from typing import Any

from charter.config import Config
from charter.errors import CharterError
from charter.evidence.manifest import runs_of
from charter.guard.policy import at_most, documented_level, load_policy
from charter.ingest.fold import session_usage
from charter.makefile import defines_target, make_variable
from charter.model import SessionLog, Task
from charter.repo import RepoModel
from charter.sandbox.layers import handoff_line, repository_layers
from charter.sorting import natural_key
from charter.status import column_of
from charter.tasks.order import execution_order as task_order
from charter.tasks.order import open_waits, priority_number

RECENT_SESSIONS = 5
MAX_GRAPH_TASKS = 60  # GitHub stops rendering large Mermaid graphs; the rest is counted
OUTCOME_CHARS = 240
_SESSION_NUMBER = re.compile(r"session-(\d+)", re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def handoff_context(repo: RepoModel) -> dict[str, Any]:
    config = repo.config
    base = posixpath.dirname(config.handoff)
    tasks = _tasks(repo)
    plan_rank = {plan.path: index for index, plan in enumerate(repo.plans)}
    states = [_state(t, config) for t in tasks]  # once per task: 50,000 tasks, 4 lists
    open_tasks = [t for t, state in zip(tasks, states, strict=True) if state in ("open", "active")]
    order = execution_order(open_tasks, tasks, config, plan_rank)
    logs = sorted(repo.sessions, key=_log_order)
    active = [log for log in logs if str(log.frontmatter.get("status", "")).lower() == "active"]
    working = {log.task: _session_id(log) for log in active if log.task}
    return {
        "title": "Session handoff",
        "as_of": _as_of(logs),
        "done": [
            _entry(t, config, base)
            for t, state in zip(tasks, states, strict=True)
            if state == "done"
        ],
        "in_progress": [
            {**_entry(t, config, base), "session": working.get(t.id or "", "")}
            for t, state in zip(tasks, states, strict=True)
            if state == "active"
        ],
        "blocked": [
            _entry(t, config, base)
            for t, state in zip(tasks, states, strict=True)
            if state == "blocked"
        ],
        "order": order,
        "continue": _continue(repo, order, active),
        "sessions": [_session(log, base, config) for log in reversed(logs[-RECENT_SESSIONS:])],
        "session_count": len(logs),
        "graph": dependency_graph(tasks, order, config),
        "unlisted": sum(1 for t in repo.tasks() if t.id is None),
        "layers": _layers(config),
        **_runs_and_tokens(repo, tasks, logs),
    }


def _layers(config: Config) -> str | None:
    """The enforcement layers the repository configures (docs/guard.md); None without a policy."""
    try:
        policy = load_policy(config.path(config.policy), config.policy)
    except CharterError:
        return None
    return handoff_line(repository_layers(config.root, policy))


def _runs_and_tokens(repo: RepoModel, tasks: list[Task], logs: list[SessionLog]) -> dict[str, Any]:
    """Run manifests of closed tasks, and token usage of ended sessions (docs/evidence.md).

    Closed and ended only: a run or a transcript during open work must not
    make this generated file stale.
    """
    closed = {
        t.id for t in tasks if t.id and _state(t, repo.config) in ("done", "blocked", "dropped")
    }
    runs = [
        {**row, "failure_percent": round(row["failure_rate"] * 100)}
        for row in runs_of(repo.config, closed)
    ]
    tokens = []
    for log in logs:
        usage = session_usage(log.text)
        if usage is not None and str(log.frontmatter.get("status", "")).lower() != "active":
            tokens.append(
                {
                    "id": _session_id(log),
                    "task": log.task or "",
                    "input": usage.input,
                    "output": usage.output,
                    "total": usage.total,
                }
            )
    return {"runs": runs, "tokens": tokens}


def _tasks(repo: RepoModel) -> list[Task]:
    """Every task with an ID once (its speaking mention, charter.mentions), in plan order."""
    return [task for task in repo.resolution.tasks if task.id is not None]


def _state(task: Task, config: Config) -> str:
    column = column_of(task, config)
    if column == config.done_column:
        return "done"
    if column in config.closed_columns:
        return "dropped"
    if column == config.blocked_column:
        return "blocked"
    return "open" if column == config.open_column else "active"


def _entry(task: Task, config: Config, base: str) -> dict[str, Any]:
    return {
        "id": task.id,
        "title": " ".join(task.title.split()),
        "column": column_of(task, config),
        "owner": task.owner or "",
        "plan": task.path,
        "line": task.line,
        "href": f"{_relative(task.path, base)}#L{task.line}",
        "evidence": [
            {"path": path, "href": _href(path, base)}
            for path in dict.fromkeys(e.path for e in task.evidence)
        ],
        "reason": task.value("blocked_reason") or task.value("notes") or "",
        "depends": list(task.depends),
    }


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
    open_tasks: list[Task], tasks: list[Task], config: Config, plan_rank: dict[str, int]
) -> list[dict[str, Any]]:
    """Open tasks, each after what it waits on (charter.tasks.order), as template rows."""
    by_id = {t.id or "": t for t in tasks}
    placed = task_order(open_tasks, tasks, config, plan_rank)
    return [_order_entry(n, t, by_id, config) for n, t in enumerate(placed, 1)]


def _order_entry(number: int, task: Task, by_id: dict[str, Task], config: Config) -> dict[str, Any]:
    waits = open_waits(task, by_id, config)
    base = posixpath.dirname(config.handoff)
    return {
        "number": number,
        "id": task.id,
        "title": " ".join(task.title.split()),
        "column": column_of(task, config),
        "priority": task.value("priority") or "",
        "level": task.level or "",
        "ready": not waits,
        "waits_on": waits,
        "plan": task.path,
        "plan_href": _relative(task.path, base),
        "epic": _epic(task, by_id),
    }


def _epic(task: Task, by_id: dict[str, Task]) -> str:
    """The epic (parent task) `task` belongs to, as "ID title"; "" for a top-level task."""
    parent = by_id.get(task.parent) if task.parent else None
    if parent is None:
        return ""
    return f"{parent.id} {' '.join(parent.title.split())}".strip()


def _continue(
    repo: RepoModel, order: list[dict[str, Any]], active: list[SessionLog]
) -> dict[str, Any]:
    config = repo.config
    next_task = next((o for o in order if o["ready"]), None)
    make = _has_make_target(repo, "session-start")
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
                "id": _session_id(log),
                "task": log.task or "",
                "path": log.path,
                "href": posixpath.relpath(log.path, posixpath.dirname(config.handoff) or "."),
            }
            for log in active
        ],
        "check": "make check" if _has_make_target(repo, "check") else "charter check",
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


def _has_make_target(repo: RepoModel, target: str) -> bool:
    makefile = repo.root / "Makefile"
    return makefile.is_file() and defines_target(makefile.read_text("utf-8", "replace"), target)


# ---- sessions ------------------------------------------------------------------


def _log_order(log: SessionLog) -> tuple[int, str]:
    match = _SESSION_NUMBER.search(posixpath.basename(log.path))
    return (int(match.group(1)) if match else 0), log.path


def _session_id(log: SessionLog) -> str:
    return _text(log.frontmatter.get("id")) or posixpath.basename(log.path).removesuffix(".md")


def _as_of(logs: list[SessionLog]) -> str | None:
    if not logs:
        return None
    last = logs[-1]
    sid = _session_id(last)
    when = _text(last.frontmatter.get("ended")) or _text(last.frontmatter.get("date"))
    return f"{sid} ({when})" if when else sid


def _session(log: SessionLog, base: str, config: Config) -> dict[str, Any]:
    fm = log.frontmatter
    return {
        "id": _session_id(log),
        "path": log.path,
        "href": posixpath.relpath(log.path, base or "."),
        "date": _text(fm.get("date")) or "",
        "task": log.task or "",
        "agent": _text(fm.get("agent")) or "",
        "level": _text(fm.get("level")) or "",
        "status": _text(fm.get("status")) or "",
        "outcome": _outcome(log, config),
        "blocked_reason": _text(fm.get("blocked_reason")) or "",
    }


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


# ---- the dependency graph ----------------------------------------------------------


def dependency_graph(
    tasks: list[Task], order: list[dict[str, Any]], config: Config
) -> dict[str, Any]:
    """Mermaid nodes and edges: open and blocked tasks, and the tasks they depend on."""
    by_id = {t.id: t for t in tasks}
    blocked = sorted(
        (t for t in tasks if _state(t, config) == "blocked"), key=lambda t: natural_key(t.id)
    )
    wanted = [o["id"] for o in order] + [t.id for t in blocked]
    shown, omitted = wanted[:MAX_GRAPH_TASKS], max(0, len(wanted) - MAX_GRAPH_TASKS)
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
