"""A check that re-reads only the files that changed since the last one (CH-F-9).

Each file's facts (checks.facts) are kept under `.charter/cache/` in shards,
keyed by charter's code, the configuration and today's date, each entry by
the hash of the file's bytes. A check parses only files whose facts are
missing or stale, runs the one-file rules on each of those alone, and runs
the rules that compare files over the small summaries of all of them.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from charter import __version__, parse_pool
from charter.cache import CACHE_DIR, ModelCache, ShardedCache, code_stamp
from charter.checks import memo
from charter.checks.cross_index import cross_findings
from charter.checks.facts import (
    CROSS,
    FileFacts,
    facts_of,
    one_file_repo,
    plain_facts,
    session_task,
)
from charter.checks.memo import Previous
from charter.config import Config
from charter.fasthash import blake2b
from charter.model import Diagnostic, Plan, SessionLog
from charter.model_codec import Malformed, decode_diagnostic
from charter.repo import FileRead, RepoModel, Snapshot, derived_of
from charter.world import Citation

# A check after one edit reads and rewrites the one shard holding the edited file's facts:
# at 50,000 tasks a sixteenth of them was 0.8 MB, some 30 ms to decode and encode again.
FACT_SHARDS = 64
# Up to this many changed files are parsed directly; more, and the parsed models are
# looked up in the model cache first (opening it costs as much as parsing a few files).
FEW_FILES = 24
# A progress report every this many files parsed, at most.
PROGRESS_STEP = 50

Progress = Callable[[int, int], None]  # (files done, files to do)
RunRules = Callable[[Sequence[Any], RepoModel], set[Diagnostic]]  # rules, repo -> findings


@dataclass(frozen=True)
class Outcome:
    findings: tuple[Diagnostic, ...]
    citations: Callable[[], tuple[Citation, ...]]  # every plan's: read when first asked
    plans: int
    tasks: int
    sessions: int
    parsed: int  # how many files had to be read afresh
    reviews: bool  # whether a plan says `Reviewed:` (World.reviews)
    files: tuple[list[Any], ...]  # every file's facts but its task rows (memo.Previous)
    # The plans whose facts did not come from the last check's memo, with their citations,
    # and those the memo had that are gone (no citations): what changed since (memo.Changed).
    # None when there was no memo to start from.
    changed: memo.Changed | None = None
    plan_paths: frozenset[str] = frozenset()  # the plans read (an import's source is not)


def facts_key(config: Config, today: date) -> str:
    h = blake2b(digest_size=20)
    h.update(f"{__version__}\0{sys.version}\0{today.isoformat()}\0{config!r}\0".encode())
    h.update(code_stamp())
    return h.hexdigest()


class FactsCache(ShardedCache):
    """{path: facts as data}, in shards so that one edit rewrites one shard."""

    def __init__(self, root: Path, key: str, lazy: bool = False):
        super().__init__(root / CACHE_DIR, "check-facts", FACT_SHARDS, key, lazy)

    def rows_of(self, read: FileRead) -> list[Any]:
        """The task rows of a file whose other facts the memo held (`_recalled`)."""
        facts = self.get(read)
        if facts is None or facts.rows_data is None:
            raise Malformed(f"{read.rel}: the facts cache does not hold this version's facts")
        return facts.rows_data

    def get(self, read: FileRead) -> FileFacts | None:
        data = self.entry(read.rel, f"{read.kind}:{read.rel}")
        if data is None:
            return None
        try:
            facts = FileFacts.from_data(read.rel, data)
        except ValueError:  # another layout (Malformed): read afresh
            return None
        return facts if facts.digest == read.digest and facts.kind == read.kind else None

    def put(self, facts: FileFacts) -> None:
        self.store(facts.rel, f"{facts.kind}:{facts.rel}", facts.to_data())


def check_incrementally(
    snapshot: Snapshot,
    rules: Sequence[Any],
    run_rules: RunRules,
    today: date,
    progress: Progress | None = None,
    previous: Previous | None = None,
) -> Outcome:
    """The plan rules' findings over `snapshot`, from remembered facts where a file is
    unchanged; the same findings as running every rule over the whole repository.

    With the `previous` check's memo, an unchanged file's facts come from there and the
    facts cache is read only for the files that changed (and the task rows the rules that
    compare files ask for); Malformed when the two do not agree."""
    config = snapshot.config
    cache = FactsCache(config.root, facts_key(config, today), lazy=previous is not None)
    template = RepoModel(config.root, config, (), (), today, (), True)
    local = [r for r in rules if r.code not in CROSS]
    known: dict[tuple[str, str], FileFacts] = {}  # by kind and path
    misses: list[FileRead] = []
    recalled: set[str] = set()  # plans whose facts came from the memo
    light: dict[tuple[str, str], list[Any]] = {}  # their rows there, for the next memo
    for read in snapshot.files:
        facts = None
        if read.digest is not None and previous is not None:
            row = previous.files.get((read.kind, read.rel))
            if row is not None and row[2] == read.digest:
                facts = _recalled(row, partial(cache.rows_of, read))
                recalled.add(read.rel)
                light[read.kind, read.rel] = row
        if facts is None and read.digest is not None:
            facts = cache.get(read)
        if facts is None:
            misses.append(read)
        else:
            known[read.kind, read.rel] = facts
    fresh: dict[str, Plan | SessionLog] = {}
    saves: list[Callable[[], None]] = []

    def file_facts(read: FileRead, model: Plan | SessionLog) -> FileFacts:
        sub = one_file_repo(template, model, read.kind)
        citations = (c.row() for c in sub.world.citations) if read.kind == "plan" else ()
        return facts_of(
            read.rel, read.kind, read.digest or "", model, run_rules(local, sub), citations
        )

    for read, (model, facts) in _parsed(misses, config, progress, saves, file_facts):
        fresh[read.rel] = model
        known[read.kind, read.rel] = facts
        if read.digest is not None:
            cache.put(facts)
    saves.append(cache.save)
    parsed = len(misses)
    if parsed > parse_pool.MIN_FILES:
        # The models parsed live as long as the check (the rules that compare files read
        # them): frozen, the first collection after the pause does not walk them all (0.9 s
        # at 50,000 tasks and 5,000 logs), as build_repo does. Reference counting still
        # frees them; only what holds a cycle stays to the process's end.
        gc.freeze()
    if parsed <= parse_pool.MIN_FILES:  # little to encode: a fork would cost more
        for save in saves:
            save()
        return _compared(
            snapshot, rules, run_rules, today, known, fresh, recalled, light, previous, parsed
        )
    # Encoding the caches (some 0.5 s at 50,000 tasks) overlaps the rules that compare files.
    saved = parse_pool.aside(lambda: [save() for save in saves])
    try:
        return _compared(
            snapshot, rules, run_rules, today, known, fresh, recalled, light, previous, parsed
        )
    finally:
        saved()


def _compared(
    snapshot: Snapshot,
    rules: Sequence[Any],
    run_rules: RunRules,
    today: date,
    known: dict[tuple[str, str], FileFacts],
    fresh: dict[str, Plan | SessionLog],
    recalled: set[str],
    light: dict[tuple[str, str], list[Any]],
    previous: Previous | None,
    parsed: int,
) -> Outcome:
    """The outcome from every file's facts, with the findings of the rules that compare files."""
    config = snapshot.config
    files = [known[read.kind, read.rel] for read in snapshot.files]
    plans = _without_replaced([f for f in files if f.kind == "plan"])
    sessions = [f for f in files if f.kind == "session"]
    mirrors = [f for f in files if f.kind == "mirror"]
    found: set[Diagnostic] = set()
    for f in (*plans, *sessions):
        found.update(f.findings)
    cross = [r for r in rules if r.code in CROSS]
    if cross:
        reads = {read.rel: read for read in snapshot.files}

        def read_models(rels: list[str]) -> dict[str, Plan | SessionLog]:
            models = {rel: fresh[rel] for rel in rels if rel in fresh}
            needed = [reads[rel] for rel in rels if rel not in fresh]
            models.update((read.rel, model) for read, (model, _) in _parsed(needed, config, None))
            return models

        key = facts_key(config, today)
        found.update(
            cross_findings(
                cross, run_rules, plans, sessions, mirrors, config, today, key, read_models
            )
        )
    fresh_cited = {
        f.rel: tuple(Citation.from_row(row) for row in f.citations)
        for f in plans
        if f.rel not in recalled
    }
    kept = recalled.intersection(f.rel for f in plans)
    changed = None
    if previous is not None:
        gone = {rel: () for kind, rel in previous.files if kind == "plan" and rel not in kept}
        changed = memo.Changed(previous.tokens, {**gone, **fresh_cited})
    every: list[tuple[Citation, ...]] = []  # once worked out

    def citations() -> tuple[Citation, ...]:
        if not every:
            cited = [c for f in plans if f.rel in fresh_cited for c in fresh_cited[f.rel]]
            if previous is not None and kept:
                cited += (c for c in previous.citations() if c.path in kept)
            every.append(tuple(cited))
        return every[0]

    return Outcome(
        tuple(sorted(found)),
        citations,
        len(plans),
        sum(f.tasks for f in plans),
        len(sessions),
        parsed,
        any(f.reviewed for f in plans),
        tuple(light.get((f.kind, f.rel)) or _light_row(f) for f in files),
        changed,
        frozenset(f.rel for f in plans),
    )


def _light_row(f: FileFacts) -> list[Any]:
    """A file's facts but its task rows, as the memo keeps them (memo.Previous)."""
    return [
        f.kind,
        f.rel,
        f.digest,
        f.summary,
        f.tasks,
        f.reviewed,
        f.anonymous,
        list(f.session_task) if f.session_task else None,
        f.source,
        [[d.path, d.line, d.col, d.code, d.message, d.severity] for d in f.findings],
    ]


_new = object.__new__


def _recalled(row: list[Any], rows: Callable[[], list[Any]]) -> FileFacts:
    """The facts `_light_row` wrote, their task rows read by `rows()` when asked for;
    Malformed when the row is anything else. Built as pickle builds a record, without its
    generated __init__ (a frozen record's sets each field through object.__setattr__): a
    check after an edit recalls every unchanged file, 7,000 of them in bench_check's corpus."""
    kind, rel, digest, summary, tasks, reviewed, anonymous, named, source, findings = row
    if not (
        type(rel) is str
        and plain_facts(kind, digest, summary, tasks, source, anonymous, reviewed, findings)
    ):
        raise Malformed("not a file's facts")
    facts = _new(FileFacts)
    facts.__dict__.update(
        rel=rel,
        kind=kind,
        digest=digest,
        findings=tuple(map(decode_diagnostic, findings)) if findings else (),
        citations=(),
        tasks=tasks,
        source=source,
        rows_data=None,
        session_task=session_task(named),
        anonymous=anonymous,
        reviewed=reviewed,
        summary=summary,
        rows_loader=rows,
    )
    return facts


def _parsed(
    misses: list[FileRead],
    config: Config,
    progress: Progress | None,
    saves: list[Callable[[], None]] | None = None,
    derive: Callable[[FileRead, Plan | SessionLog], Any] = lambda read, model: None,
) -> Iterable[tuple[FileRead, tuple[Plan | SessionLog, Any]]]:
    """Each missed file with its model and `derive(read, model)` (worked out along with the
    parse, on two cores when it pays), reporting progress as batches finish. The models'
    cache is saved at the end, or its saving added to `saves` for the caller to run."""
    if not misses:
        return
    cache = ModelCache(config) if len(misses) > FEW_FILES else None
    step = max(PROGRESS_STEP, len(misses) // 20) if progress is not None else len(misses)
    for start in range(0, len(misses), step):
        batch = misses[start : start + step]
        yield from zip(batch, derived_of(tuple(batch), config, cache, derive), strict=True)
        if progress is not None:
            progress(min(start + step, len(misses)), len(misses))
    if cache is not None:
        if saves is None:
            cache.save()
        else:
            saves.append(cache.save)


def _without_replaced(plans: list[FileFacts]) -> list[FileFacts]:
    """As `repo.without_replaced`, from the facts."""
    replaced = {f.source for f in plans if f.source is not None and f.source != f.rel}
    return [f for f in plans if f.rel not in replaced] if replaced else plans
