"""The rules that compare files, after an edit, from an index kept between checks.

The incremental check (checks.incremental) re-reads only the files that
changed; the rules that compare files (`facts.CROSS`) must still see all of
them. Rebuilding stand-in tasks for every plan after one edit cost seconds at
50,000 tasks, so what those rules read is kept under `.charter/cache/` (checks.cross_store:
the totals in one file, the shares in shards) as each plan's share, under the plan's
summary hash (`FileFacts.summary`), and the totals are updated by each changed plan's
delta (its old IDs out, its new ones in) without reading the other plans' shares:

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
  twice: a task whose ID is defined once is never a duplicate (which plans hold
  one is kept too, and looked for again only when a changed plan defines or
  defined such an ID, or an ID became or ceased to be one);
- CH012 (a log naming an unknown task) over the logs' named tasks;
- CH018 (checklist mirrors) over the plans that share an ID with another file.

The shares of plans that did not change are read only when a rule above needs
them (an ID came or went, an edge changed, a mirror to compare).

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
from charter.checks import cross_store
from charter.checks.cross_store import (
    Share,
    diagnostics_of,
    finding_rows,
    strings_of,
)
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
from charter.model_codec import Malformed
from charter.repo import RepoModel

CROSS_FILE = cross_store.CROSS_FILE

RunRules = Callable[[Sequence[Any], RepoModel], set[Diagnostic]]  # rules, repo -> findings
# The models of files the mirror rule must read: (rels) -> {rel: model}
ReadModels = Callable[[list[str]], dict[str, Plan | SessionLog]]


def share_of(facts: FileFacts, rows: Sequence[TaskRow]) -> Share:
    """A plan's share, from its task rows (CH006's findings still to fill in)."""
    ids = [row[0] for row in rows if row[0] is not None]
    edges = [(row[0], list(row[4])) for row in rows if row[0] is not None and row[4]]
    depends_on = sorted({dep for row in rows for dep in row[4]})
    return Share(facts.summary, ids, edges, depends_on, [])


@dataclass
class Mirror:
    """CH018's last inputs and findings: they hold while the files it read are unchanged."""

    summaries: str  # every file's summary, hashed: which plans it compares follows from them
    wanted: list[str]  # the plans it compared with the mirrors
    digest: str  # the summaries and the bytes of the files it read
    findings: list[Diagnostic]

    def to_data(self) -> list[Any]:
        return [self.summaries, self.wanted, self.digest, finding_rows(self.findings)]


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
    args = (cross, run_rules, plans, sessions, mirrors, config, today, key, read_models)
    store = cross_store.load(config.root, key)
    if store is not None:
        try:
            return _findings(*args, store)
        except Malformed:  # a shard that is not the totals': the index built again
            pass
    return _findings(*args, None)


def _findings(
    cross: Sequence[Any],
    run_rules: RunRules,
    plans: list[FileFacts],
    sessions: list[FileFacts],
    mirrors: list[FileFacts],
    config: Config,
    today: date,
    key: str,
    read_models: ReadModels,
    store: cross_store.Store | None,
) -> tuple[Diagnostic, ...]:
    codes = {rule.code for rule in cross}
    by_rel = {f.rel: f for f in plans}
    decoded: dict[str, Any] = {}

    def rows_of(rel: str) -> Any:  # each plan's task rows read at most once per check
        if rel not in decoded:
            decoded[rel] = by_rel[rel].rows()
        return decoded[rel]

    stored = store.totals if store is not None else None
    summaries = {f.rel: f.summary for f in plans}
    if stored is None:
        changed, gone = set(summaries), set()
    else:
        changed = {
            rel for rel, summary in summaries.items() if stored.summaries.get(rel) != summary
        }
        gone = set(stored.summaries) - set(summaries)
    fresh = {rel: share_of(by_rel[rel], rows_of(rel)) for rel in changed}
    old = {rel: store.share(rel) for rel in (*changed, *gone)} if store is not None else {}
    everything: list[dict[str, Share]] = []

    def shares() -> dict[str, Share]:
        """Every plan's share, in the plans' order: the stored ones read when first asked."""
        if not everything:
            kept = store.every_share() if store is not None else {}
            everything.append({rel: fresh[rel] if rel in fresh else kept[rel] for rel in by_rel})
        return everything[0]

    # The totals, by each changed plan's delta: its old IDs out, its new ones in.
    counts: Counter[str] = stored.counts if stored is not None else Counter()
    touched = {i for share in old.values() if share is not None for i in share.ids}
    touched.update(i for share in fresh.values() for i in share.ids)
    before = {task_id: counts.get(task_id, 0) for task_id in touched}
    for share in old.values():
        if share is not None:
            counts.subtract(share.ids)
    for share in fresh.values():
        counts.update(share.ids)
    for task_id in touched:
        if counts[task_id] <= 0:
            del counts[task_id]
    if stored is None:
        came_or_went = set(counts)
    else:
        came_or_went = {i for i in touched if (before[i] > 0) != (i in counts)}
    counted = any(before[i] != counts.get(i, 0) for i in touched)
    rest = stored.rest if stored is not None else {}
    schemes = rest.get("schemes") if stored is not None and not came_or_went else None
    if schemes is not None:
        schemes = strings_of(schemes)
    if schemes is None and config.require_frontmatter:
        schemes = sorted(id_schemes(counts))
    unknown = dict(stored.unknown) if stored is not None else {}
    for rel in gone:
        unknown.pop(rel, None)
    raw: dict[str, list[Diagnostic]] = {}
    if rulecodes.UNKNOWN_DEPENDENCY in codes:
        earlier = rest.get("schemes") if stored is not None else None
        if stored is None or (came_or_went and schemes is not None and earlier != schemes):
            redo = set(by_rel)  # every scheme counts in charter's own documents
        elif came_or_went:
            redo = changed | {
                rel for rel, s in shares().items() if not came_or_went.isdisjoint(s.depends_on)
            }
        else:
            redo = set(changed)
        if redo:
            chosen = shares() if len(redo) > len(changed) else fresh
            unknown.update(_unknown(chosen, redo, counts, rows_of, schemes))
        raw[rulecodes.UNKNOWN_DEPENDENCY] = [d for rel in by_rel for d in unknown.get(rel, ())]
    cycles = None
    if stored is not None and rest.get("cycles") is not None:
        cycles = diagnostics_of(rest["cycles"])
    dirty = stored is None or bool(changed) or bool(gone)
    if rulecodes.DEPENDENCY_CYCLE in codes:
        # The cycles hold while no edge came or went (the IDs and each task's dependencies
        # as they were); where none was found, no place to report one at moved either.
        same = cycles == [] and not came_or_went
        for rel in (*changed, *gone):
            was, now = old.get(rel), fresh.get(rel)
            same = same and (was.edges if was else []) == (now.edges if now else [])
        if not same:
            cycles = list(_cycles(plans, shares(), counts, rows_of))
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
    repeated = {task_id for task_id, n in counts.items() if n > 1}
    holding_now: list[list[str]] = []

    def holding() -> list[str]:
        """The plans defining an ID defined twice, in order: the stored list while no
        changed plan defines (or defined) such an ID and no ID became or ceased to be one."""
        if not holding_now:
            was = (repeated - touched) | {i for i in touched if before[i] > 1}
            moved = was != repeated or any(
                share is not None and not repeated.isdisjoint(share.ids)
                for share in (*old.values(), *fresh.values())
            )
            kept = stored.holding if stored is not None else None
            if kept is None or moved:
                kept = [
                    rel
                    for rel, s in shares().items()
                    if repeated and not repeated.isdisjoint(s.ids)
                ]
            holding_now.append(kept)
        return holding_now[0]

    duplicates = None
    if stored is not None and rest.get("duplicates") is not None:
        wanted, found_then = rest["duplicates"]
        duplicates = (strings_of(wanted), diagnostics_of(found_then))
    duplicate_rule = [r for r in cross if r.code == rulecodes.DUPLICATE_TASK_ID]
    if duplicate_rule:
        held = holding()
        if duplicates is None or duplicates[0] != held or changed.intersection(held):
            stand_in = tuple(Plan(rel, tasks=by_rel[rel].stand_in_tasks()) for rel in held)
            sub = RepoModel(config.root, config, stand_in, (), today)
            duplicates = (held, sorted(run_rules(duplicate_rule, sub)))
            dirty = True
        found.update(duplicates[1])
    mirror = _stored_mirror(rest.get("mirror")) if stored is not None else None
    mirror_rule = [r for r in cross if r.code == rulecodes.CHECKLIST_MIRROR]
    if mirror_rule:

        def choose() -> list[str]:
            # Without mirrors, CH018 compares the plans defining an ID defined twice.
            return _mirror_inputs(plans, mirrors, shares(), counts) if mirrors else holding()

        inputs = (plans, sessions, mirrors, choose, config, today)
        fresh_mirror = _mirror(mirror_rule, run_rules, inputs, mirror, read_models)
        dirty = dirty or fresh_mirror is not mirror
        mirror = fresh_mirror
        found.update(mirror.findings)
    if dirty:
        totals = cross_store.Totals(
            summaries,
            counts,
            unknown,
            holding() if store is None or changed or gone else stored.holding if stored else None,
            {
                "duplicates": [duplicates[0], finding_rows(duplicates[1])] if duplicates else None,
                "mirror": mirror.to_data() if mirror is not None else None,
                "cycles": finding_rows(cycles) if cycles is not None else None,
                "schemes": schemes,
            },
            [],
        )
        every = shares() if store is None else fresh
        cross_store.save(config.root, key, totals, every, store, (*changed, *gone), counted)
    return tuple(sorted(found))


def _replay(found: list[Diagnostic]) -> Callable[[RepoModel], Iterable[Diagnostic]]:
    return lambda _repo: iter(found)


def _unknown(
    shares: dict[str, Share],
    redo: set[str],
    counts: Counter[str],
    rows_of: Callable[[str], Any],
    schemes: list[str] | None,
) -> dict[str, list[Diagnostic]]:
    """CH006's findings in the plans of `redo` (each with its share in `shares`), worked
    out again. `schemes`: the IDs' schemes, in charter's own documents (else None)."""
    everywhere = set(schemes) if schemes is not None else None
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
    return {rel: by_path.get(rel, []) for rel in redo}


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


# plans, logs, mirrors, which plans CH018 compares (worked out when asked), config, today
MirrorInputs = tuple[
    list[FileFacts], list[FileFacts], list[FileFacts], Callable[[], list[str]], Config, date
]


def _mirror(
    rule: list[Any],
    run_rules: RunRules,
    inputs: MirrorInputs,
    stored: Mirror | None,
    read_models: ReadModels,
) -> Mirror:
    """CH018's findings: the stored ones while no file it reads changed."""
    plans, sessions, mirrors, choose, config, today = inputs
    h = blake2b(digest_size=20)
    h.update(" ".join(r.code for r in rule).encode())
    for f in (*plans, *sessions, *mirrors):
        h.update(f"\0{f.kind}\0{f.rel}\0{f.summary}".encode("utf-8", "surrogateescape"))
    summaries = h.hexdigest()
    # Which plans CH018 compares follows from the summaries alone: while none changed, the
    # last check's choice holds.
    wanted = None
    current = {f.rel for f in plans}
    if stored is not None and stored.summaries == summaries and set(stored.wanted) <= current:
        wanted = stored.wanted
    if wanted is None:
        wanted = choose()
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


def _string(value: Any) -> str:
    if type(value) is not str:
        raise Malformed("not a string")
    return value


def _stored_mirror(data: Any) -> Mirror | None:
    """CH018's last inputs and findings as stored; None when none were."""
    if data is None:
        return None
    if type(data) is not list or len(data) != 4:
        raise Malformed(f"not {rulecodes.CHECKLIST_MIRROR}'s last run")
    summaries, wanted, digest, found = data
    return Mirror(_string(summaries), strings_of(wanted), _string(digest), diagnostics_of(found))
