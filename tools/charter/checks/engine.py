"""Running the rules: selection, severity overrides, path filtering, ordering."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from charter import parse_pool
from charter.checks import memo
from charter.checks.registry import RULES, Rule
from charter.checks.replay import Witness, WorldPart, selected
from charter.checks.world_replay import CITING, Partial
from charter.config import Config
from charter.errors import CharterError
from charter.model import Diagnostic, Severity
from charter.model_codec import Malformed
from charter.repo import (
    ChangedWhileRead,
    RepoModel,
    build_repo,
    collector_paused,
    read_snapshot,
)
from charter.world import Citation, World

TYPE_CHECKING = False
if TYPE_CHECKING:
    from charter.checks.incremental import Progress


def enabled_rules(config: Config) -> list[Rule]:
    by_name = {rule.name: rule.code for rule in RULES.values()}
    disabled: set[str] = set()
    for entry in config.disable:
        code = entry if entry in RULES else by_name.get(entry)
        if code is None:
            raise CharterError(f"[tool.charter] disable: unknown rule {entry!r}", config.source)
        disabled.add(code)
    for entry, level in config.severity.items():
        code = entry if entry in RULES else by_name.get(entry)
        if code is None:
            raise CharterError(f"[tool.charter] severity: unknown rule {entry!r}", config.source)
        if level == "off":
            disabled.add(code)
    return [rule for code, rule in RULES.items() if code not in disabled]


@dataclass(frozen=True)
class CheckReport:
    diagnostics: list[Diagnostic]
    plans: int
    tasks: int
    sessions: int


def check_repo(
    config: Config,
    use_cache: bool = True,
    paths: Sequence[Path] = (),
    today: date | None = None,
    progress: Progress | None = None,
    partial: Partial | None = None,
) -> CheckReport:
    """`charter check` (`_check_repo`); once more, reading every file, when a file left
    unread by its unchanged signature changed while the check ran. The collector is paused
    throughout: a check builds tens of thousands of rows and records, none in a cycle.
    Caches written aside (parse_pool) are waited for at the end."""
    with parse_pool.deferred(), collector_paused():
        try:
            return _check_repo(config, use_cache, paths, today, progress, partial)
        except ChangedWhileRead:
            return _check_repo(config, use_cache, paths, today, progress, None)


def _check_repo(
    config: Config,
    use_cache: bool,
    paths: Sequence[Path],
    today: date | None,
    progress: Progress | None,
    partial: Partial | None,
) -> CheckReport:
    """`charter check`: every rule over the repository, replaying the plan rules' findings
    from the last check when none of their inputs changed (checks.memo), and otherwise
    re-reading only the files that changed (checks.incremental). `progress(done, total)`
    hears how parsing goes when many files must be read. With `partial` (the last replay
    record's world, unchanged: checks.world_replay), the rules that read the world run only
    over the citations of the plans that changed."""
    rules = enabled_rules(config)
    today = today or date.today()
    # What the check reads, for a later one to replay it by (checks.replay): taken from here.
    witness = Witness(config, today.isoformat()) if use_cache else None
    # After an edit, only the files whose signature changed since the record are read.
    snapshot = (
        read_snapshot(config, partial.known(), partial.taken)
        if partial is not None
        else read_snapshot(config)
    )
    key = memo.memo_key(snapshot, today) if use_cache else None
    with collector_paused():  # tens of thousands of rows, none of them in a cycle
        stored = memo.load(config.root) if key is not None else None
        remembered = memo.recall(config.root, stored, key) if key is not None else None
    outcome = None
    base = ""
    if remembered is None and key is not None:
        from charter.checks import incremental  # lazy: a warm check replays the memo

        base = incremental.facts_key(config, today)
        plan_rules = [r for r in rules if r.world_check is None]
        with collector_paused():
            # From the last check's memo when it has what this one needs; else every file's
            # facts; else, when remembered facts are not what charter wrote, read all.
            last = memo.previous(config.root, stored, base)
            for previous in (last, None) if last is not None else (None,):
                try:
                    outcome = incremental.check_incrementally(
                        snapshot,
                        plan_rules,
                        lambda chosen, repo: _findings(
                            chosen, lambda rule: rule.check(repo), config
                        ),
                        today,
                        progress,
                        previous,
                    )
                    break
                except Malformed:
                    outcome = None
    world_rules = [r for r in rules if r.world_check is not None]
    digests = {read.rel: read.digest for read in snapshot.files}
    replayed: tuple[set[Diagnostic], list[Citation], frozenset[str]] | None = None
    world: World | None = None
    plans: frozenset[str] | None = None  # the plans whose citations the world rules read
    if outcome is not None and key is not None:
        plans = outcome.plan_paths
        remembered = memo.Remembered(
            outcome.findings,
            (),
            outcome.plans,
            outcome.tasks,
            outcome.sessions,
            reviews=outcome.reviews,
            base=base,
            files=outcome.files,
            changed=outcome.changed,
            plan_paths=outcome.plan_paths,
        )
        try:
            if partial is not None and outcome.changed is not None and outcome.reviews is False:
                fresh = outcome.changed.plans
                replayed = _world_replayed(
                    partial, digests, outcome.plan_paths, fresh.get, world_rules, config, use_cache
                )
            if replayed is None:  # every citation, read before the memo's shards change
                citations = outcome.citations()
                world = World(config.root, config, use_cache, lambda: citations, outcome.reviews)
                if outcome.changed is None:
                    remembered = replace(remembered, cited=citations)
            memo.remember(config.root, key, remembered)
        except Malformed:  # the last memo's citations are not there after all: read all
            outcome = remembered = replayed = None
    if remembered is None:
        from charter.checks import facts  # lazy: a warm check replays the memo

        repo = build_repo(snapshot, use_cache, today)
        with collector_paused():
            plan_rules = [r for r in rules if r.world_check is None]
            plan_found = _findings(plan_rules, lambda rule: rule.check(repo), config)
            remembered = memo.Remembered(
                tuple(sorted(plan_found)),
                repo.world.citations,
                len(repo.plans),
                sum(1 for _ in repo.tasks()),
                len(repo.sessions),
                reviews=facts.says_reviewed(repo),
                plan_paths=frozenset(plan.path for plan in repo.plans),
            )
        if key is not None:
            memo.remember(config.root, key, remembered)
        world = repo.world
        plans = frozenset(plan.path for plan in repo.plans)
    elif world is None and replayed is None:
        plans = remembered.plan_paths
        if partial is not None and plans is not None and remembered.reviews is False:
            by_plan: dict[str, list[Citation]] = {}
            for citation in remembered.cited:
                by_plan.setdefault(citation.path, []).append(citation)
            replayed = _world_replayed(
                partial,
                digests,
                plans,
                lambda rel: by_plan.get(rel, ()),
                world_rules,
                config,
                use_cache,
            )
        if replayed is None:
            world = World(config.root, config, use_cache, remembered.citations, remembered.reviews)
    if replayed is not None:
        found, citing, plans = replayed
    else:
        assert world is not None
        with collector_paused():
            found = _findings(
                world_rules,
                lambda rule: rule.world_check(world) if rule.world_check else (),
                config,
            )
        citing = list(world.citations)
    world_found = sorted(found)
    found.update(remembered.findings)
    everything = sorted(found)
    counts = (remembered.plans, remembered.tasks, remembered.sessions)
    if witness is not None:
        cited = {
            (e.path, e.sha256 is not None or e.path.lower().endswith(".json"))
            for citation in citing
            for e in citation.evidence
        }
        part = None
        if plans is not None:
            carried = partial.world if replayed is not None and partial is not None else None
            part = WorldPart(world_found, digests, plans, carried)
        files = (f.rel for f in snapshot.files)
        sigs = {f.rel: f.sig for f in snapshot.files if f.sig is not None}
        witness.record(files, sorted(cited), remembered.reviews, everything, counts, part, sigs)
    return CheckReport(selected(config.root, everything, paths), *counts)


def _world_replayed(
    partial: Partial,
    digests: dict[str, str | None],
    plans: frozenset[str],
    cited: Callable[[str], Sequence[Citation] | None],
    world_rules: Sequence[Rule],
    config: Config,
    use_cache: bool,
) -> tuple[set[Diagnostic], list[Citation], frozenset[str]] | None:
    """What the rules that read the world find, from the last record's findings and the
    evidence rules over the citations of the plans that changed since (`cited(rel)`: a
    plan's citations, None when not at hand); with those citations and the plans read
    (checks.world_replay). None when a changed plan's citations are not at hand."""
    stale = partial.stale(digests, plans)
    citing: list[Citation] = []
    for rel in sorted(stale.intersection(plans)):
        found_here = cited(rel)
        if found_here is None:
            return None
        citing += found_here
    world = World(config.root, config, use_cache, lambda: citing, False, some=True)
    rules = [r for r in world_rules if r.code in CITING]
    with collector_paused():
        found = _findings(
            rules, lambda rule: rule.world_check(world) if rule.world_check else (), config
        )
    found.update(
        Diagnostic(r.path, r.line, r.col, r.code, r.message, _severity(r.severity))
        for r in partial.kept(stale)
    )
    return found, citing, plans


def repo_findings(rules: Iterable[Rule], repo: RepoModel) -> set[Diagnostic]:
    """What `rules` find in an already loaded repository, at the configured severities."""
    return _findings(rules, lambda rule: rule.check(repo), repo.config)


def _findings(
    rules: Iterable[Rule], run: Callable[[Rule], Iterable[Diagnostic]], config: Config
) -> set[Diagnostic]:
    """What `run(rule)` finds for each rule, at the severity the configuration gives it."""
    found: set[Diagnostic] = set()
    for rule in rules:
        found.update(_overridden(rule, run(rule), config))
    return found


def _overridden(
    rule: Rule, diagnostics: Iterable[Diagnostic], config: Config
) -> Iterator[Diagnostic]:
    """The rule's findings at the severity the configuration gives the rule."""
    severity = _severity_override(rule, config)
    if severity is None and rule.severity == "warning":
        severity = "warning"
    for diagnostic in diagnostics:
        if severity is not None and severity != diagnostic.severity:
            diagnostic = replace(diagnostic, severity=severity)  # type: ignore[arg-type]
        yield diagnostic


def _severity(text: str) -> Severity:
    if text not in ("error", "warning"):
        raise Malformed(f"not a severity: {text!r}")
    return "error" if text == "error" else "warning"


def _severity_override(rule: Rule, config: Config) -> str | None:
    found = None
    for entry, level in config.severity.items():  # as in a dict: the last entry wins
        if entry in (rule.code, rule.name) and level != "off":
            found = level
    return found
