"""What `charter stats` needs of each plan and session log, cached per file.

Statistics read little of a plan: each task's ID, its column and, for a done
task, its evidence paths; of a session log, its task, date, command count and
token usage. Building the full repository model of 50,000 tasks to get them
cost seconds on every run, so these facts are kept per file in
`.charter/cache/stats-facts.cache` (sealed JSON, charter.sealed), keyed by
each file's content hash, the configuration and charter's code. A file whose
hash changed, or that is new, is parsed again; nothing else is.

`facts_of_repo` gives the same facts from a repository already loaded (the
board page has one), so both paths feed one computation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from charter import parse_pool
from charter.cache import CACHE_DIR, code_stamp, load_cache, save_cache
from charter.config import Config
from charter.fasthash import blake2b
from charter.ingest.fold import session_usage
from charter.model import Plan, SessionLog, Task
from charter.repo import FileRead, RepoModel, collector_paused, parse_file, read_snapshot
from charter.stats.history import State
from charter.status import column_of

CACHE = f"{CACHE_DIR}/stats-facts.cache"
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+\S")


@dataclass(frozen=True)
class SessionFacts:
    name: str  # the log's file name without its suffix
    task: str | None
    day: date | None
    commands: int
    usage: tuple[int, int, int] | None  # input, output, total tokens


@dataclass
class PlanFacts:
    source: str | None  # the frontmatter's `source` (an import names the file it replaced)
    ids: list[str]  # every task with an ID, in walk order
    columns: list[str]
    evidence: list[list[str] | None]  # a done task's evidence paths; None when not done


@dataclass
class Facts:
    """The current plans and session logs, as statistics see them."""

    columns: State = field(default_factory=dict)  # task id -> column; a later mention wins
    done: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # each done mention
    sessions: list[SessionFacts] = field(default_factory=list)
    # A plan version's columns when it is the version on disk now, else None. Asked only
    # for commits the history cache has not read: worked out then, not held for every plan.
    lookup: Callable[[str, str], State | None] = lambda name, digest: None

    def known(self, name: str, digest: str) -> State | None:
        return self.lookup(name, digest)


def plan_facts(
    plan: Plan, config: Config, column_of: Callable[[Task, Config], str] = column_of
) -> PlanFacts:
    """`column_of`: where a task stands (a loaded repository has worked it out already)."""
    facts = PlanFacts(_source(plan), [], [], [])
    for task in plan.walk():
        if task.id is None:
            continue
        column = column_of(task, config)
        facts.ids.append(task.id)
        facts.columns.append(column)
        done = column == config.done_column
        facts.evidence.append([e.path for e in task.evidence] if done else None)
    return facts


def session_facts(log: SessionLog) -> SessionFacts:
    usage = session_usage(log.text)
    return SessionFacts(
        Path(log.path).stem,
        log.task,
        session_date(log),
        count_commands(log),
        None if usage is None else (usage.input, usage.output, usage.total),
    )


def facts_of_repo(repo: RepoModel) -> Facts:
    """The facts of a loaded repository; a plan version is known by the hash of its file."""
    config = repo.config
    facts = Facts(sessions=[session_facts(log) for log in repo.sessions])
    by_path = {plan.path: plan for plan in repo.plans}
    standings = repo.standings
    for plan in repo.plans:
        _merge(facts, plan_facts(plan, config, lambda task, _: standings.column(task)))

    def lookup(name: str, digest: str) -> State | None:
        plan = by_path.get(name)
        if plan is None or _disk_digest(config, name) != digest:
            return None
        return _state(plan_facts(plan, config))

    facts.lookup = lookup
    return facts


def cached_facts(config: Config, *, use_cache: bool = True) -> Facts:
    """The facts of the repository on disk, parsing only files the cache does not hold."""
    snapshot = read_snapshot(config)
    key = _key(config)
    stored = _load(config, key) if use_cache else None
    old_plans: dict[str, Any] = stored["plans"] if stored else {}
    old_sessions: dict[str, Any] = stored["sessions"] if stored else {}
    plans: dict[str, tuple[str | None, PlanFacts]] = {}
    sessions: dict[str, tuple[str | None, SessionFacts]] = {}
    misses: list[FileRead] = []
    for read in snapshot.files:
        if read.kind == "plan":
            entry = old_plans.get(read.rel)
            hit = _plan_entry(entry) if _matches(entry, read.digest) else None
            if hit is not None:
                plans[read.rel] = (read.digest, hit)
                continue
        elif read.kind == "session":
            entry = old_sessions.get(read.rel)
            found = _session_entry(entry) if _matches(entry, read.digest) else None
            if found is not None:
                sessions[read.rel] = (read.digest, found)
                continue
        else:
            continue
        misses.append(read)
    # Each file's facts come back from the parse, not its model: the second process then
    # sends a few lists per plan instead of pickled models (a second of unpickling at
    # 50,000 tasks, in the parent, after both had finished), and no model is kept.
    with collector_paused():  # as when the models are built: parsing makes no cycles
        parsed = parse_pool.parse_all(
            misses,
            lambda read: file_facts(
                parse_file(read.rel, read.data or b"", config, read.kind), config
            ),
            lambda read: len(read.data or b""),
        )
    for read, new in zip(misses, parsed, strict=True):
        if isinstance(new, PlanFacts):
            plans[read.rel] = (read.digest, new)
        else:
            sessions[read.rel] = (read.digest, new)
    facts = Facts()
    order = [r.rel for r in snapshot.files if r.kind == "plan" and r.rel in plans]
    replaced = {
        source for rel in order if (source := plans[rel][1].source) is not None and source != rel
    }
    for rel in order:
        if rel not in replaced:
            _merge(facts, plans[rel][1])

    def lookup(name: str, digest: str) -> State | None:
        entry = plans.get(name)
        if entry is None or name in replaced or entry[0] != digest:
            return None
        return _state(entry[1])

    facts.lookup = lookup
    facts.sessions = [
        sessions[r.rel][1] for r in snapshot.files if r.kind == "session" and r.rel in sessions
    ]
    if use_cache and (misses or stored is None or len(old_plans) != len(plans)):
        _save(config, key, plans, sessions)
    return facts


def file_facts(model: Plan | SessionLog, config: Config) -> PlanFacts | SessionFacts:
    return plan_facts(model, config) if isinstance(model, Plan) else session_facts(model)


def _merge(facts: Facts, one: PlanFacts) -> None:
    for task, column, evidence in zip(one.ids, one.columns, one.evidence, strict=True):
        facts.columns[task] = column
        if evidence is not None:
            facts.done.append((task, tuple(evidence)))


def _state(one: PlanFacts) -> State:
    return dict(zip(one.ids, one.columns, strict=True))


def _source(plan: Plan) -> str | None:
    source = plan.frontmatter.get("source")
    return source if isinstance(source, str) else None


def _disk_digest(config: Config, rel: str) -> str | None:
    try:
        return blake2b(config.path(rel).read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return None


# ---- session logs ----------------------------------------------------------------


def session_date(log: SessionLog) -> date | None:
    for key in ("started", "date", "start"):
        value = log.frontmatter.get(key)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str) and _DATE_IN_NAME.match(value):
            return date.fromisoformat(value[:10])
    found = _DATE_IN_NAME.search(Path(log.path).name)
    return date.fromisoformat(found.group(1)) if found else None


def count_commands(log: SessionLog) -> int:
    """List items and table body rows under every heading that mentions commands."""
    total = 0
    for section in log.sections:
        if "command" not in section.title.lower():
            continue
        table_rows = 0
        for line in section.body.splitlines():
            if _LIST_ITEM.match(line):
                total += 1
            elif line.lstrip().startswith("|"):
                table_rows += 1
        total += max(0, table_rows - 2)  # header and separator rows
    return total


# ---- the cache file --------------------------------------------------------------


def _key(config: Config) -> str:
    h = blake2b(digest_size=20)
    h.update(f"{config!r}\0".encode())
    h.update(code_stamp())
    return h.hexdigest()


def _save(
    config: Config,
    key: str,
    plans: dict[str, tuple[str | None, PlanFacts]],
    sessions: dict[str, tuple[str | None, SessionFacts]],
) -> None:
    payload = {
        "key": key,
        "plans": {
            rel: [digest, f.source, f.ids, f.columns, f.evidence]
            for rel, (digest, f) in plans.items()
            if digest is not None
        },
        "sessions": {
            rel: [
                digest,
                s.name,
                s.task,
                s.day.isoformat() if s.day else None,
                s.commands,
                list(s.usage) if s.usage else None,
            ]
            for rel, (digest, s) in sessions.items()
            if digest is not None
        },
    }
    save_cache(config.path(CACHE), payload)


def _load(config: Config, key: str) -> dict[str, Any] | None:
    data = load_cache(config.path(CACHE))
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    if not isinstance(data.get("plans"), dict) or not isinstance(data.get("sessions"), dict):
        return None
    return data


def _matches(entry: Any, digest: str | None) -> bool:
    """Whether a cached entry is a list that starts with this content hash."""
    return digest is not None and isinstance(entry, list) and bool(entry) and entry[0] == digest


def _plan_entry(entry: Any) -> PlanFacts | None:
    """A cached plan entry, or None when its shape is wrong (then the plan is parsed)."""
    if not isinstance(entry, list) or len(entry) != 5:
        return None
    _, source, ids, columns, evidence = entry
    if not (isinstance(ids, list) and isinstance(columns, list) and isinstance(evidence, list)):
        return None
    if not len(ids) == len(columns) == len(evidence):
        return None
    if not all(isinstance(x, str) for x in _chain(ids, columns)):
        return None
    if not all(e is None or (isinstance(e, list) and _all_str(e)) for e in evidence):
        return None
    return PlanFacts(source if isinstance(source, str) else None, ids, columns, evidence)


def _session_entry(entry: Any) -> SessionFacts | None:
    if not isinstance(entry, list) or len(entry) != 6:
        return None
    _, name, task, day, commands, usage = entry
    try:
        return SessionFacts(
            str(name),
            task if isinstance(task, str) else None,
            date.fromisoformat(day) if isinstance(day, str) else None,
            int(commands),
            (int(usage[0]), int(usage[1]), int(usage[2])) if isinstance(usage, list) else None,
        )
    except (TypeError, ValueError, IndexError):
        return None


def _chain(*lists: list[Any]) -> Iterable[Any]:
    for items in lists:
        yield from items


def _all_str(items: list[Any]) -> bool:
    return all(isinstance(x, str) for x in items)
