"""The rules that compare files, after an edit, from an index kept whole between checks.

The incremental check (checks.incremental) re-reads only the files that
changed; the rules that compare files (`facts.CROSS`) must still see all of
them. Rebuilding stand-in tasks for every plan after one edit cost seconds at
50,000 tasks, so what those rules read is kept in `.charter/cache/check-cross.cache`
as each plan's share, under the plan's summary hash (`FileFacts.summary`):

- the IDs it defines (with repeats): every ID the plans define is the union,
  and which IDs are defined twice follows from the counts;
- its tasks' dependency edges, the IDs it depends on, and CH006's findings in it.

A check updates the shares of the plans whose summary changed and reruns each
rule on what it reads, through the same functions a full check runs:

- CH006 (unknown dependency) in the changed plans, and in the plans that depend
  on an ID that came or went (all of them when the IDs' schemes changed, in
  charter's own documents); the other plans' findings are replayed;
- CH007 (cycles) over the edges of the index, when an edge came or went or the
  last check found a cycle: no task is read, except the first mention of a
  cycle's first ID, to place it;
- CH002 (duplicate IDs) over stand-ins of only the plans holding an ID defined
  twice: a task whose ID is defined once is never a duplicate;
- CH012 (a log naming an unknown task) over the logs' named tasks;
- CH018 (checklist mirrors) over the plans that share an ID with another file.

The findings are those of a full check, rule for rule (tests/checks/test_incremental.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import chain
from typing import Any

from charter import rulecodes
from charter.cache import CACHE_DIR, load_cache, save_cache
from charter.checks.facts import FileFacts, TaskRow
from charter.checks.plan_rules import sessions_naming_unknown_tasks
from charter.checks.task_rules import (
    dependency_cycles,
    id_schemes,
    unknown_dependencies,
)
from charter.config import Config
from charter.fasthash import blake2b
from charter.model import Diagnostic, Plan, SessionLog
from charter.model_codec import Malformed, decode_diagnostic
from charter.repo import RepoModel

CROSS_FILE = "check-cross.cache"

RunRules = Callable[[Sequence[Any], RepoModel], set[Diagnostic]]  # rules, repo -> findings
# The models of files the mirror rule must read: (rels) -> {rel: model}
ReadModels = Callable[[list[str]], dict[str, Plan | SessionLog]]


@dataclass
class Share:
    """One plan's share of the index, as of its summary hash."""

    summary: str
    ids: list[str]  # the IDs it defines, in file order, with repeats
    edges: list[tuple[str, list[str]]]  # (ID, dependencies) of tasks with both
    depends_on: list[str]  # every ID its tasks depend on, once each
    unknown: list[Diagnostic]  # CH006's findings in it (raw: severities applied later)

    def to_data(self) -> list[Any]:
        return [self.summary, self.ids, self.edges, self.depends_on, _rows(self.unknown)]


def share_of(facts: FileFacts, rows: Sequence[TaskRow]) -> Share:
    """A plan's share, from its task rows (CH006's findings still to fill in)."""
    ids = [row[0] for row in rows if row[0] is not None]
    edges = [(row[0], list(row[4])) for row in rows if row[0] is not None and row[4]]
    depends_on = sorted({dep for row in rows for dep in row[4]})
    return Share(facts.summary, ids, edges, depends_on, [])


@dataclass
class Stored:
    """What the last check left in the cross cache."""

    shares: dict[str, Share]
    duplicates: tuple[list[str], list[Diagnostic]] | None  # (plans compared, CH002's findings)
    mirror: Mirror | None
    cycles: list[Diagnostic] | None  # CH007's findings, raw
    schemes: list[str] | None  # the schemes of every ID the shares define (id_schemes)


@dataclass
class Mirror:
    """CH018's last inputs and findings: they hold while the files it read are unchanged."""

    summaries: str  # every file's summary, hashed: which plans it compares follows from them
    wanted: list[str]  # the plans it compared with the mirrors
    digest: str  # the summaries and the bytes of the files it read
    findings: list[Diagnostic]

    def to_data(self) -> list[Any]:
        return [self.summaries, self.wanted, self.digest, _rows(self.findings)]


def cross_findings(
    cross: Sequence[Any],
    run_rules: RunRules,
    plans: list[FileFacts],
    sessions: list[FileFacts],
    mirrors: list[FileFacts],
    config: Config,
    today: date,
    key: str,
    read_models: ReadModels,
) -> tuple[Diagnostic, ...]:
    """The CROSS rules' findings over these files' facts (see the module's docstring)."""
    codes = {rule.code for rule in cross}
    path = config.root / CACHE_DIR / CROSS_FILE
    stored = _load(load_cache(path), key)
    old_shares = stored.shares if stored is not None else {}
    by_rel = {f.rel: f for f in plans}
    decoded: dict[str, Any] = {}

    def rows_of(rel: str) -> Any:  # each plan's task rows read at most once per check
        if rel not in decoded:
            decoded[rel] = by_rel[rel].rows()
        return decoded[rel]

    shares: dict[str, Share] = {}
    changed: set[str] = set()
    for f in plans:
        share = old_shares.get(f.rel)
        if share is None or share.summary != f.summary:
            share = share_of(f, rows_of(f.rel))
            changed.add(f.rel)
        shares[f.rel] = share
    dirty = stored is None or bool(changed) or bool(set(old_shares) - set(shares))
    counts = Counter(chain.from_iterable(s.ids for s in shares.values()))
    came_or_went: set[str] = set(counts)
    if old_shares:
        came_or_went = set(chain.from_iterable(s.ids for s in old_shares.values()))
        came_or_went.symmetric_difference_update(counts)
    schemes = stored.schemes if stored is not None and not came_or_went else None
    if schemes is None and config.require_frontmatter:
        schemes = sorted(id_schemes(counts))
    raw: dict[str, list[Diagnostic]] = {}
    if rulecodes.UNKNOWN_DEPENDENCY in codes:
        before = stored.schemes if stored is not None else None
        _unknown(shares, changed, old_shares, came_or_went, counts, rows_of, (before, schemes))
        raw[rulecodes.UNKNOWN_DEPENDENCY] = [d for s in shares.values() for d in s.unknown]
    cycles = stored.cycles if stored is not None else None
    if rulecodes.DEPENDENCY_CYCLE in codes:
        # The cycles hold while no edge came or went (the IDs and each task's dependencies
        # as they were); where none was found, no place to report one at moved either.
        same = cycles == [] and not came_or_went
        for rel in (*changed, *(set(old_shares) - set(shares))):
            old, new = old_shares.get(rel), shares.get(rel)
            same = same and (old.edges if old else []) == (new.edges if new else [])
        if not same:
            cycles = list(_cycles(plans, shares, counts, rows_of))
            dirty = True
        raw[rulecodes.DEPENDENCY_CYCLE] = cycles or []
    if rulecodes.SESSION_UNKNOWN_TASK in codes:
        named = [(f.rel, *f.session_task) for f in sessions if f.session_task is not None]
        raw[rulecodes.SESSION_UNKNOWN_TASK] = list(sessions_naming_unknown_tasks(named, counts))
    template = RepoModel(config.root, config, (), (), today)
    found: set[Diagnostic] = set()
    for rule in cross:
        if rule.code in raw:  # at the rule's severity as configured, as a full check runs it
            found |= run_rules([replace(rule, check=_replay(raw[rule.code]))], template)
    duplicates = stored.duplicates if stored is not None else None
    duplicate_rule = [r for r in cross if r.code == rulecodes.DUPLICATE_TASK_ID]
    if duplicate_rule:
        repeated = {task_id for task_id, n in counts.items() if n > 1}
        holding = [f.rel for f in plans if repeated and not repeated.isdisjoint(shares[f.rel].ids)]
        if duplicates is None or duplicates[0] != holding or changed.intersection(holding):
            stand_in = tuple(Plan(rel, tasks=by_rel[rel].stand_in_tasks()) for rel in holding)
            sub = RepoModel(config.root, config, stand_in, (), today)
            duplicates = (holding, sorted(run_rules(duplicate_rule, sub)))
            dirty = True
        found.update(duplicates[1])
    mirror = stored.mirror if stored is not None else None
    mirror_rule = [r for r in cross if r.code == rulecodes.CHECKLIST_MIRROR]
    if mirror_rule:
        inputs = (plans, sessions, mirrors, shares, counts, config, today)
        fresh = _mirror(mirror_rule, run_rules, inputs, mirror, read_models)
        dirty = dirty or fresh is not mirror
        mirror = fresh
        found.update(mirror.findings)
    if dirty:
        payload = {
            "key": key,
            "shares": {rel: share.to_data() for rel, share in shares.items()},
            "duplicates": [duplicates[0], _rows(duplicates[1])] if duplicates else None,
            "mirror": mirror.to_data() if mirror is not None else None,
            "cycles": _rows(cycles) if cycles is not None else None,
            "schemes": schemes,
        }
        save_cache(path, payload)
    return tuple(sorted(found))


def _replay(found: list[Diagnostic]) -> Callable[[RepoModel], Iterable[Diagnostic]]:
    return lambda _repo: iter(found)


def _unknown(
    shares: dict[str, Share],
    changed: set[str],
    old_shares: dict[str, Share],
    came_or_went: set[str],
    counts: Counter[str],
    rows_of: Callable[[str], Any],
    schemes: tuple[list[str] | None, list[str] | None],
) -> None:
    """CH006's findings in each share: worked out again where they may have changed.
    `schemes`: the IDs' schemes before and now, in charter's own documents (else None)."""
    redo = set(changed)
    before, now = schemes
    if not old_shares or (came_or_went and now is not None and before != now):
        redo = set(shares)  # every scheme counts in charter's own documents
    elif came_or_went:
        redo.update(rel for rel, s in shares.items() if not came_or_went.isdisjoint(s.depends_on))
    if not redo:
        return
    everywhere = set(now) if now is not None else None
    rows = (
        (rel, row[0], row[4], row[5], row[6])
        for rel in shares
        if rel in redo and shares[rel].depends_on
        for row in rows_of(rel)
        if row[4]
    )
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in unknown_dependencies(rows, counts, everywhere):
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    for rel in redo:
        shares[rel].unknown = by_path.get(rel, [])


def _cycles(
    plans: list[FileFacts],
    shares: dict[str, Share],
    counts: Counter[str],
    rows_of: Callable[[str], Any],
) -> Iterable[Diagnostic]:
    edges = chain.from_iterable(shares[f.rel].edges for f in plans)

    def first_mention(task_id: str) -> tuple[str, int, int]:
        for f in plans:
            if task_id in shares[f.rel].ids:
                for row in rows_of(f.rel):
                    if row[0] == task_id:
                        return f.rel, row[2], row[3]
        raise Malformed(f"{task_id} is in no plan's rows")

    return dependency_cycles(edges, counts, first_mention)


MirrorInputs = tuple[
    list[FileFacts], list[FileFacts], list[FileFacts], dict[str, Share], Counter[str], Config, date
]


def _mirror(
    rule: list[Any],
    run_rules: RunRules,
    inputs: MirrorInputs,
    stored: Mirror | None,
    read_models: ReadModels,
) -> Mirror:
    """CH018's findings: the stored ones while no file it reads changed."""
    plans, sessions, mirrors, shares, counts, config, today = inputs
    h = blake2b(digest_size=20)
    h.update(" ".join(r.code for r in rule).encode())
    for f in (*plans, *sessions, *mirrors):
        h.update(f"\0{f.kind}\0{f.rel}\0{f.summary}".encode("utf-8", "surrogateescape"))
    summaries = h.hexdigest()
    # Which plans CH018 compares follows from the summaries alone: while none changed, the
    # last check's choice holds.
    wanted = None
    if stored is not None and stored.summaries == summaries and set(stored.wanted) <= set(shares):
        wanted = stored.wanted
    if wanted is None:
        wanted = _mirror_inputs(plans, mirrors, shares, counts)
    digests = {f.rel: f.digest for f in (*plans, *mirrors)}
    for rel in (*wanted, *(f.rel for f in mirrors)):  # CH018 reads these files' text
        h.update(f"\1{rel}\0{digests[rel]}".encode("utf-8", "surrogateescape"))
    digest = h.hexdigest()
    if stored is not None and stored.digest == digest and stored.wanted == wanted:
        return stored
    found: set[Diagnostic] = set()
    if wanted or mirrors:
        models = read_models([*wanted, *(f.rel for f in mirrors)])
        sub = RepoModel(
            config.root,
            config,
            tuple(_as_plan(models[rel]) for rel in wanted),
            (),
            today,
            tuple(_as_plan(models[f.rel]) for f in mirrors),
        )
        found = run_rules(rule, sub)
    return Mirror(summaries, list(wanted), digest, sorted(found))


def _mirror_inputs(
    plans: list[FileFacts], mirrors: list[FileFacts], shares: dict[str, Share], counts: Counter[str]
) -> list[str]:
    """The plans CH018 can report on: those that share an ID with another file, and (when
    there are mirrors) those with tasks without IDs. The rule compares only such files
    and the mirrors, so over them its findings are those of a full check."""
    shared = {task_id for f in mirrors for task_id in f.ids()}
    shared.update(task_id for task_id, n in counts.items() if n > 1)
    return [
        f.rel
        for f in plans
        if (mirrors and f.anonymous) or not shared.isdisjoint(shares[f.rel].ids)
    ]


def _as_plan(model: Plan | SessionLog) -> Plan:
    return model if isinstance(model, Plan) else Plan(model.path)


def _rows(found: Iterable[Diagnostic]) -> list[list[Any]]:
    return [[d.path, d.line, d.col, d.code, d.message, d.severity] for d in found]


def _types(values: Iterable[Any]) -> set[type]:
    return set(map(type, values))


def _strings(value: Any) -> list[str]:
    if type(value) is not list or not _types(value) <= {str}:
        raise Malformed("not a list of strings")
    return value


def _diagnostics(value: Any) -> list[Diagnostic]:
    if type(value) is not list:
        raise Malformed("not findings")
    return [decode_diagnostic(row) for row in value]


def _share(data: Any) -> Share:
    if type(data) is not list or len(data) != 5 or type(data[0]) is not str:
        raise Malformed("not a plan's share")
    summary, ids, edges, depends_on, unknown = data
    if type(edges) is not list or not _types(edges) <= {list} or not set(map(len, edges)) <= {2}:
        raise Malformed("not edges")
    pairs = [(task_id, deps) for task_id, deps in edges]
    checked = (
        _types(p[0] for p in pairs) <= {str}
        and _types(p[1] for p in pairs) <= {list}
        and _types(chain.from_iterable(p[1] for p in pairs)) <= {str}
    )
    if not checked:
        raise Malformed("not edges")
    return Share(summary, _strings(ids), pairs, _strings(depends_on), _diagnostics(unknown))


def _string(value: Any) -> str:
    if type(value) is not str:
        raise Malformed("not a string")
    return value


def _load(stored: Any, key: str) -> Stored | None:
    """The cross cache's contents; None when it holds another key or another layout."""
    if not isinstance(stored, dict) or stored.get("key") != key:
        return None
    try:
        shares_data = stored["shares"]
        if type(shares_data) is not dict:
            return None
        shares = {rel: _share(data) for rel, data in shares_data.items()}
        duplicates = None
        if stored["duplicates"] is not None:
            holding, found = stored["duplicates"]
            duplicates = (_strings(holding), _diagnostics(found))
        mirror = None
        if stored["mirror"] is not None:
            summaries, wanted, digest, found = stored["mirror"]
            mirror = Mirror(_string(summaries), _strings(wanted), _string(digest), [])
            mirror.findings = _diagnostics(found)
        cycles = None if stored["cycles"] is None else _diagnostics(stored["cycles"])
        schemes = None if stored["schemes"] is None else _strings(stored["schemes"])
        return Stored(shares, duplicates, mirror, cycles, schemes)
    except (KeyError, TypeError, ValueError):  # another layout (Malformed is a ValueError)
        return None
