"""The handoff's facts from a snapshot, each plan's and log's kept by its content hash.

`charter handoff` after an edit to one plan re-reads that plan and takes the
facts of every other from `.charter/cache/handoff-facts-NN.cache` (sharded and
sealed like the model cache): no resolution of every mention, and of the other
plans' tasks only their IDs and columns are decoded at once; the rest of a
plan's task facts is kept as JSON text and decoded when the render first looks
one of its tasks up (charter.handoff.table). The cache is dropped whole when charter's code or the
configuration changes. One case goes the long way, through the loaded
repository: an ID mentioned in two plans, whose speaking mention depends on
both (charter.mentions).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from typing import Any

from charter import __version__, piece_memo
from charter.cache import CACHE_DIR, ModelCache, ShardedCache, code_stamp
from charter.config import Config
from charter.fasthash import blake2b
from charter.handoff.facts import (
    HandoffFacts,
    PlanFacts,
    PlanTasks,
    SessionFacts,
    TaskFacts,
    assemble,
    from_repo,
    plan_facts,
    session_facts,
)
from charter.handoff.piece_facts import spliced_facts
from charter.model import Diagnostic, Plan, SessionLog
from charter.repo import FileRead, Snapshot, build_repo, models_of

SHARDS = 16
_FIELDS = len(TaskFacts._fields)
_EVIDENCE = TaskFacts._fields.index("evidence")
_PATH = TaskFacts._fields.index("path")
_OPTIONAL_TEXT = {str, type(None)}
# More changed files than this are decoded from the model cache (loading all of it
# costs about what parsing this many plans does); fewer are parsed.
MODEL_CACHE_FROM = 64


@dataclass
class Work:
    """What one assembly did, for tests that count work rather than time it."""

    from_cache: int = 0
    read: list[str] = field(default_factory=list)  # files whose facts were worked out again
    full_load: bool = False  # the whole repository was loaded (an ID in two plans)


@dataclass
class _Found:
    read: FileRead
    data: Any  # the facts in their cached form
    digest: str  # a hash of `data`: equal facts, equal digest
    facts: PlanFacts | SessionFacts | None = None  # decoded, when it has been


@dataclass
class Gathered:
    """Every plan's and log's facts, still in their cached form until asked for."""

    snapshot: Snapshot
    found: list[_Found]
    work: Work

    def fingerprint(self) -> bytes:
        """A hash of every file's facts: an edit that changes no fact keeps it."""
        h = blake2b(digest_size=16)
        for f in self.found:
            h.update(f"{f.read.kind}\0{f.read.rel}\0{f.digest}\n".encode())
        return h.digest()

    def facts(self) -> HandoffFacts:
        """The handoff's facts: assembled from the files', or, when an ID is mentioned in
        two plans, the loaded repository's."""
        decoded: list[PlanFacts | SessionFacts] | None
        try:
            decoded = [
                f.facts if f.facts is not None else _decode(f.read.kind, f.data) for f in self.found
            ]
        except (TypeError, ValueError, IndexError):  # a damaged entry: read everything
            decoded = None
        else:
            # The cached form is not read again once decoded: freed before the render
            # loads its row caches, 50,000 tasks' worth of lists and strings less at the peak.
            for f, fact in zip(self.found, decoded, strict=True):
                f.facts, f.data = fact, None
        assembled = None
        if decoded is not None:
            plans = [f for f in decoded if isinstance(f, PlanFacts)]
            sessions = [f for f in decoded if isinstance(f, SessionFacts)]
            assembled = assemble(plans, sessions, self.snapshot.config)
        if assembled is not None:
            return assembled
        return self.full_facts()

    def full_facts(self) -> HandoffFacts:
        """The loaded repository's facts, for when a plan's cached facts did not decode
        after all (charter.handoff.table.Damaged)."""
        self.work.full_load = True
        return from_repo(build_repo(self.snapshot))

    def forget(self, rel: str) -> None:
        """Drop the cached facts of `rel`: they did not decode, and are worked out again."""
        config = self.snapshot.config
        key = _cache_key(config)
        cache = ShardedCache(config.root / CACHE_DIR, "handoff-facts", SHARDS, key, lazy=True)
        for kind in ("plan", "session"):
            cache.store(rel, f"{kind}\0{rel}", None)
        cache.save()

    def plan_digests(self) -> dict[str, str] | None:
        """{plan: a hash of its facts}, for the row cache (charter.handoff.rows); None when
        the facts came from the loaded repository (asked after `facts`)."""
        if self.work.full_load:
            return None
        return {f.read.rel: f.digest for f in self.found if f.read.kind == "plan"}


def snapshot_facts(snapshot: Snapshot, work: Work | None = None) -> HandoffFacts:
    """The handoff's facts of `snapshot`: cached per file, or the loaded repository's."""
    return gather(snapshot, work).facts()


def gather(snapshot: Snapshot, work: Work | None = None) -> Gathered:
    """Each plan's and log's facts from the cache, worked out again for files that changed."""
    work = work if work is not None else Work()
    config = snapshot.config
    cache = ShardedCache(config.root / CACHE_DIR, "handoff-facts", SHARDS, _cache_key(config))
    found: list[_Found | None] = []
    misses: list[tuple[int, FileRead]] = []
    for read in snapshot.files:
        if read.kind == "mirror":
            continue
        hit = _cached(cache, read)
        if hit is None:
            misses.append((len(found), read))
        found.append(hit)
    work.from_cache = len(found) - len(misses)
    if misses:
        model_cache = ModelCache(config) if len(misses) > MODEL_CACHE_FROM else None
        models = models_of(tuple(read for _, read in misses), config, model_cache)
        if model_cache is not None:
            model_cache.save()
        for (slot, read), model in zip(misses, models, strict=True):
            facts = _spliced(cache, read, model, config) or _facts_of(model, config)
            data = _encode(facts)
            digest = _digest(data)
            found[slot] = _Found(read, data, digest, facts)
            work.read.append(read.rel)
            if read.digest is not None:
                cache.store(read.rel, _entry_key(read), [read.digest, digest, data])
    cache.save()
    return Gathered(snapshot, [f for f in found if f is not None], work)


def _spliced(
    cache: ShardedCache, read: FileRead, model: Plan | SessionLog, config: Config
) -> PlanFacts | None:
    """The facts of a plan a task edit of this command changed in one piece, from the cached
    facts of the bytes before it (charter.handoff.piece_facts); None when there are none."""
    if read.kind != "plan" or not isinstance(model, Plan):
        return None
    entry = cache.entry(read.rel, _entry_key(read))
    if type(entry) is not list or len(entry) != 3 or type(entry[0]) is not str:
        return None
    piece = piece_memo.known(read.rel, entry[0], model)
    if piece is None:
        return None
    try:
        old = _decode("plan", entry[2])
        return spliced_facts(old, piece, config) if isinstance(old, PlanFacts) else None
    except (TypeError, ValueError, IndexError):  # a damaged entry: worked out in full
        return None


def _digest(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _facts_of(model: Plan | SessionLog, config: Config) -> PlanFacts | SessionFacts:
    if isinstance(model, SessionLog):
        return session_facts(model, config)
    return plan_facts(model, config)


def _cache_key(config: Config) -> str:
    h = blake2b(digest_size=16)
    h.update(f"{__version__}\0{config!r}\0".encode())
    h.update(code_stamp())
    return h.hexdigest()


def _entry_key(read: FileRead) -> str:
    return f"{read.kind}\0{read.rel}"


def _cached(cache: ShardedCache, read: FileRead) -> _Found | None:
    entry = cache.entry(read.rel, _entry_key(read))
    if read.digest is None or type(entry) is not list or len(entry) != 3:
        return None
    if entry[0] != read.digest or type(entry[1]) is not str:
        return None
    data = entry[2]
    if type(data) is not list or not data or data[0] != read.rel:
        return None
    return _Found(read, data, entry[1])


# ---- the cached form: lists of plain values ---------------------------------------


def _encode(facts: PlanFacts | SessionFacts) -> list[Any]:
    if isinstance(facts, SessionFacts):
        return [
            facts.path, facts.id, facts.status_key, facts.task, facts.when, facts.date,
            facts.agent, facts.level, facts.status, facts.outcome, facts.blocked_reason,
            None if facts.usage is None else list(facts.usage),
        ]  # fmt: skip
    # Every run reads each plan's IDs and columns; the rest of its tasks' facts are kept
    # as JSON text, which the cache's own decode passes over as one string, and decoded
    # only for the plans a render looks into (charter.handoff.table).
    tasks = json.dumps(_columns(facts.tasks.tasks()), ensure_ascii=False, separators=(",", ":"))
    return [
        facts.path,
        list(facts.tasks.ids),
        list(facts.tasks.columns),
        facts.unlisted,
        [[d.path, d.line, d.col, d.code, d.message, d.severity] for d in facts.problems],
        facts.source,
        list(facts.anonymous),
        tasks,
    ]


def _columns(tasks: tuple[TaskFacts, ...]) -> list[list[Any]]:
    """The tasks column by column: 50,000 tasks decode and check in a few passes over lists."""
    if not tasks:
        return [[] for _ in range(_FIELDS)]
    columns = [list(column) for column in zip(*tasks, strict=True)]
    columns[_PATH] = []  # the plan's own path, every time: the entry says it once
    return columns


def _decode(kind: str, data: Any) -> PlanFacts | SessionFacts:
    if kind == "session":
        (path, sid, key, task, when, day, agent, level, status, outcome, reason, usage) = data
        strings = (path, sid, key, task, when, day, agent, level, status, outcome, reason)
        _require(all(type(s) is str for s in strings))
        if usage is not None:
            _require(type(usage) is list and len(usage) == 3)
            _require(all(type(n) is int for n in usage))
            usage = (usage[0], usage[1], usage[2])
        return SessionFacts(
            path, sid, key, task, when, day, agent, level, status, outcome, reason, usage
        )
    path, ids, board_columns, unlisted, problems, source, anonymous, tasks = data
    _require(type(path) is str and type(unlisted) is int and type(tasks) is str)
    _require(source is None or type(source) is str)
    _require(type(ids) is list and type(board_columns) is list)
    _require(len(ids) == len(board_columns) and _types(chain(ids, board_columns)) <= {str})
    return PlanFacts(
        path,
        PlanTasks(path, ids, board_columns, partial(_decode_tasks, path, tasks)),
        unlisted,
        tuple(_decode_problem(row) for row in problems),
        source,
        tuple(_strings(anonymous)),
    )


def _decode_tasks(path: str, text: str) -> tuple[TaskFacts, ...]:
    """A plan's tasks from their JSON text, when first asked for (charter.handoff.table,
    which checks that their IDs and columns are the ones read at once)."""
    columns = json.loads(text)
    _require(type(columns) is list and len(columns) == _FIELDS)
    _require(all(type(column) is list for column in columns))
    count = len(columns[0])
    _require(columns[_PATH] == [])
    _require(all(len(column) == count for n, column in enumerate(columns) if n != _PATH))
    tid, parent, depends, subtasks, rank, done, _, line = columns[:8]
    paths = [path] * count
    # A few passes over all the values, not one per column: 2,000 plans, 15 columns.
    texts = [column for n, column in enumerate(columns[8:], 8) if n != _EVIDENCE]
    lists = [depends, subtasks, columns[_EVIDENCE]]
    _require(_types(parent) <= _OPTIONAL_TEXT and _types(chain(rank, line)) <= {int})
    _require(_types(done) <= {bool} and _types(chain(tid, *texts)) <= {str})
    _require(_types(chain(*lists)) <= {list})
    _require(_types(chain.from_iterable(chain(*lists))) <= {str})
    depends, subtasks, evidence = (list(map(tuple, column)) for column in lists)
    rest = columns[8:]
    rest[_EVIDENCE - 8] = evidence
    rows = zip(tid, parent, depends, subtasks, rank, done, paths, line, *rest, strict=True)
    return tuple(map(_make_task, rows))


# TaskFacts._make without its Python-level call per task: 50,000 a run.
_make_task = partial(tuple.__new__, TaskFacts)


def _types(values: Iterable[Any]) -> set[type]:
    return set(map(type, values))


def _decode_problem(row: Any) -> Diagnostic:
    path, line, col, code, message, severity = row
    _require(type(line) is int and type(col) is int)
    _require(all(type(s) is str for s in (path, code, message)))
    _require(severity in ("error", "warning"))
    return Diagnostic(path, line, col, code, message, severity)


def _strings(value: Any) -> tuple[str, ...]:
    _require(type(value) is list and all(type(s) is str for s in value))
    return tuple(value)


def _require(condition: bool) -> None:
    if not condition:
        raise ValueError("a damaged handoff-facts entry")
