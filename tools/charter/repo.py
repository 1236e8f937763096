"""Loading a governed repository: every plan and session log, parsed once.

Parsed models are cached under `.charter/cache/` keyed by each file's content
hash, so a warm `charter check` reads and hashes files but parses only what
changed, and never imports markdown_it or yaml when nothing did.
"""

from __future__ import annotations

import fnmatch
import gc
import os
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from charter import model_memo, parse_pool, progress
from charter.cache import ModelCache
from charter.config import Config
from charter.fasthash import blake2b
from charter.files import mirror_listing, plan_listing, session_listing
from charter.io import read_file, stat_signature
from charter.mentions import Resolution, resolve
from charter.model import Diagnostic, Plan, SessionLog, Task
from charter.rulecodes import PARSE_ERROR
from charter.status import Standings
from charter.world import LABEL_CHARS, Citation, World

T = TypeVar("T")
PROGRESS_STEP = 50  # files parsed between progress reports, at least
# RepoModel's cached values that are functions of its plans and configuration alone.
_PURE = ("_all_tasks", "_task_index", "resolution", "standings")


@dataclass(frozen=True)
class RepoModel:
    root: Path
    config: Config
    plans: tuple[Plan, ...]
    sessions: tuple[SessionLog, ...]
    today: date
    mirrors: tuple[Plan, ...] = ()  # checklist copies named by `mirrors` (rule CH018), not plans
    cache: bool = False  # whether checks may remember facts under .charter/cache/ too
    # Each file's model by (kind, path, content hash), as `build_repo` read them: what a
    # second load in this process can take instead of decoding the file again.
    by_file: Mapping[tuple[str, str, str], Plan | SessionLog] = field(
        default_factory=dict, compare=False, repr=False
    )

    def tasks(self) -> Iterator[Task]:
        return iter(self._all_tasks)

    @cached_property
    def _all_tasks(self) -> tuple[Task, ...]:
        # Every rule walks every task; nested generators cost more than the rules' own work.
        return tuple(task for plan in self.plans for task in plan.walk())

    def task_index(self) -> dict[str, list[Task]]:
        """Tasks by ID, in file order; built once and shared, so callers must not change it."""
        return self._task_index

    @cached_property
    def _task_index(self) -> dict[str, list[Task]]:
        index: dict[str, list[Task]] = {}
        for task in self._all_tasks:
            if task.id is not None:
                if task.id in index:
                    index[task.id].append(task)
                else:
                    index[task.id] = [task]
        return index

    @cached_property
    def resolution(self) -> Resolution:
        """One task per ID from its many mentions, and the IDs two tasks share
        (charter.mentions)."""
        return resolve(self.plans, self.standings)

    @cached_property
    def standings(self) -> Standings:
        """Every task's column, worked out once and shared by the rules."""
        return Standings(self._all_tasks, self.config)

    def shared(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` once per loaded repository (see `World.shared`)."""
        return self.world.shared(key, compute)

    @cached_property
    def world(self) -> World:
        """The repository as the rules that read files and git see it."""
        return World(self.root, self.config, self.cache, self._citations)

    def _citations(self) -> list[Citation]:
        is_done = self.standings.is_done
        return [
            Citation(
                task.path,
                task.id,
                task.title[:LABEL_CHARS],
                tuple(t.id for t in task.walk() if t.id),
                is_done(task),
                task.evidence,
            )
            for task in self._all_tasks
            if task.evidence
        ]

    def again(self, today: date) -> RepoModel:
        """This model dated `today`, sharing what depends only on its plans."""
        fresh = replace(self, today=today)
        fresh.share_plan_facts(self)
        return fresh

    def share_plan_facts(self, other: RepoModel) -> None:
        """Take `other`'s tasks, index, resolution and standings, worked out already:
        the caller knows both models hold the same plans and configuration."""
        for name in _PURE:
            if name in other.__dict__:
                self.__dict__[name] = other.__dict__[name]  # a cached_property's own slot

    def plan_of(self, task: Task) -> Plan | None:
        return next((p for p in self.plans if p.path == task.path), None)

    def find_task(self, task_id: str) -> Task | None:
        return next((t for t in self.tasks() if t.id == task_id), None)


# os.stat: mode, device, inode, size, modification and change time (as checks.replay takes it)
Signature = tuple[int, int, int, int, int, int]


@dataclass(frozen=True)
class FileRead:
    """One plan, session log or mirror as read from disk: its bytes and their hash, or
    why it could not be read."""

    rel: str
    kind: str  # "plan", "session" or "mirror"
    data: bytes | None
    digest: str | None
    error: str | None = None
    # Where the bytes are, when they were not read: the file's signature was the one its
    # `digest` was recorded with (`read_snapshot`'s `known`); `filled` reads them.
    unread: str | None = None
    sig: Signature | None = None  # its signature, taken before it was read (if it was)


class ChangedWhileRead(Exception):
    """A file not read with the snapshot (its signature unchanged) now holds other bytes."""


def filled(read: FileRead) -> FileRead:
    """`read` with its bytes, read now when the snapshot left them unread."""
    if read.unread is None:
        return read
    try:
        data = read_file(read.unread)
    except OSError as exc:
        raise ChangedWhileRead(read.rel) from exc
    if blake2b(data, digest_size=16).hexdigest() != read.digest:
        raise ChangedWhileRead(read.rel)
    return FileRead(read.rel, read.kind, data, read.digest)


@dataclass(frozen=True)
class Snapshot:
    """Every file a repository model is built from, read once."""

    config: Config
    files: tuple[FileRead, ...]

    def fingerprint(self) -> bytes:
        """A hash of which files there are and what each holds."""
        h = blake2b(digest_size=16)
        for f in self.files:
            h.update(f"{f.kind}\0{f.rel}\0{f.digest or f.error}\n".encode())
        return h.digest()


def read_snapshot(
    config: Config,
    known: Mapping[str, tuple[Signature, str]] | None = None,
    taken: Mapping[str, Signature | None] | None = None,
) -> Snapshot:
    """Every plan, log and mirror, read and hashed. `known`: files' signatures (as
    checks.replay takes them) with the hash of their bytes then; a file whose signature
    is still that one is not read (`FileRead.unread`, `filled`). `taken`: signatures taken
    a moment ago by full path (checks.replay's look, before anything was read), not
    taken again."""
    with collector_paused():
        plans = plan_listing(config)
        listed = [
            *((rel, full, "plan") for rel, full in plans),
            *((rel, full, "session") for rel, full in session_listing(config)),
            *((rel, full, "mirror") for rel, full in mirror_listing(config, {r for r, _ in plans})),
        ]
        if known:
            now = taken or {}
            files = tuple(_known_read(rel, full, kind, known, now) for rel, full, kind in listed)
        else:
            files = tuple(_read(rel, full, kind) for rel, full, kind in listed)
    return Snapshot(config, files)


def _known_read(
    rel: str,
    full: str,
    kind: str,
    known: Mapping[str, tuple[Signature, str]],
    taken: Mapping[str, Signature | None],
) -> FileRead:
    last = known.get(rel)
    if last is not None and not rel.endswith("/"):
        sig = taken.get(full)
        if sig is None:
            try:
                sig = stat_signature(os.stat(full))
            except OSError:
                return _read(rel, full, kind)
        if sig == last[0]:
            return FileRead(rel, kind, None, last[1], unread=full, sig=sig)
        return replace(_read(rel, full, kind), sig=sig)
    return _read(rel, full, kind)


def _read(rel: str, full: str, kind: str) -> FileRead:
    if rel.endswith("/"):  # a folder charter could not list (charter.files._walk)
        try:
            os.scandir(full).close()
        except OSError as exc:
            return FileRead(rel, kind, None, None, f"cannot list this folder: {exc.strerror}")
        return FileRead(rel, kind, None, None, "cannot list this folder")
    try:
        data = read_file(full)
    except OSError as exc:
        return FileRead(rel, kind, None, None, exc.strerror or str(exc))
    return FileRead(rel, kind, data, blake2b(data, digest_size=16).hexdigest())


def load_repo(config: Config, use_cache: bool = True, today: date | None = None) -> RepoModel:
    return build_repo(read_snapshot(config), use_cache, today)


@dataclass
class _Remembered:
    """The last model `build_repo` built in this process, as long as its caller still holds
    it: a command that loads the repository again meanwhile (an edit's gate, then the board)
    decodes only the files that changed in between, and nothing when none did. Held weakly,
    so that a command that lets its model go before the next load (session start and end
    do, to keep one model alive at a time) frees it.

    Only the models and what is computed from them alone are shared (`RepoModel.again`);
    what reads the rest of the file system (`RepoModel.world`) is computed afresh, since
    the command may have written files in between. `use_cache=False` shares nothing: it
    asks for every file to be parsed."""

    fingerprint: bytes | None = None
    settings: str | None = None  # the configuration the models were parsed with
    model: weakref.ref[RepoModel] | None = None


_remembered = _Remembered()


def forget_loaded() -> None:
    """Drop what `build_repo` remembers, so that the next load reads the model cache (tests of
    the cache itself)."""
    global _remembered
    _remembered = _Remembered()


def build_repo(snapshot: Snapshot, use_cache: bool = True, today: date | None = None) -> RepoModel:
    config = snapshot.config
    today = today or date.today()
    last = _remembered.model() if use_cache and _remembered.model is not None else None
    settings = repr(config)
    fingerprint = snapshot.fingerprint()
    if last is not None and _remembered.settings != settings:
        last = None
    if last is not None and _remembered.fingerprint == fingerprint:
        return last.again(today)
    reuse = last.by_file if last else {}
    with collector_paused():
        # Every file's model at hand (a task edit kept the one it wrote): the model cache,
        # a shard of 12 MB for one plan of 50,000 tasks, is neither read nor written.
        known = use_cache and _all_known(snapshot.files, reuse, settings)
        # Most at hand: read only the shards of the files that are not (a long plan's shard
        # is never read then); entries of deleted files are dropped by the next full read.
        lazy = model_memo.holding()
        cache = ModelCache(config, lazy=lazy) if use_cache and not known else None
        models = _models(snapshot.files, config, cache, reuse, memo=use_cache)
        if cache is not None:
            cache.save()
        # The models live as long as the command: frozen, no later collection walks them
        # again. (Reference counting still frees them when they are dropped.)
        gc.freeze()
    by_kind: dict[str, list[Any]] = {"plan": [], "session": [], "mirror": []}
    for read, model in zip(snapshot.files, models, strict=True):
        by_kind[read.kind].append(model)
        if use_cache and read.digest and read.data and len(read.data) >= model_memo.LONG_FILE:
            model_memo.offer_digest(read.kind, read.rel, read.digest, settings, model)
    repo = RepoModel(
        config.root,
        config,
        tuple(without_replaced(by_kind["plan"])),
        tuple(by_kind["session"]),
        today,
        tuple(by_kind["mirror"]),
        use_cache,
        _by_file(snapshot.files, models) if use_cache else {},
    )
    if not use_cache:
        return repo
    if last is not None and _same_objects(last.plans, repo.plans):
        repo.share_plan_facts(last)  # only session logs or mirrors changed
    _remembered.fingerprint, _remembered.settings = fingerprint, settings
    _remembered.model = weakref.ref(repo)
    return repo


def _all_known(
    files: tuple[FileRead, ...],
    reuse: Mapping[tuple[str, str, str], Plan | SessionLog],
    settings: str,
) -> bool:
    """Whether every file's model is in `reuse` or kept by charter.model_memo."""
    if not model_memo.holding():
        return False
    return all(
        read.digest is not None
        and (
            (read.kind, read.rel, read.digest) in reuse
            or model_memo.known(read.kind, read.rel, read.digest, settings) is not None
        )
        for read in files
    )


def _by_file(
    files: tuple[FileRead, ...], models: list[Plan | SessionLog]
) -> dict[tuple[str, str, str], Plan | SessionLog]:
    return {
        (read.kind, read.rel, read.digest): model
        for read, model in zip(files, models, strict=True)
        if read.digest is not None
    }


def _same_objects(old: tuple[Plan, ...], new: tuple[Plan, ...]) -> bool:
    return len(old) == len(new) and all(a is b for a, b in zip(old, new, strict=True))


def without_replaced(plans: list[Plan]) -> list[Plan]:
    """The plans, less any file an imported plan names as its `source` (`charter import`
    writes it): the import replaced that file, and reading both would count its tasks twice."""
    replaced = {
        source
        for plan in plans
        if isinstance(source := plan.frontmatter.get("source"), str) and source != plan.path
    }
    if not replaced:
        return plans
    return [plan for plan in plans if plan.path not in replaced]


def _models(
    files: tuple[FileRead, ...],
    config: Config,
    cache: ModelCache | None,
    reuse: Mapping[tuple[str, str, str], Plan | SessionLog] | None = None,
    memo: bool = True,
) -> list[Plan | SessionLog]:
    """A model per file: the one built earlier in this process from the same bytes (`reuse`,
    or kept by charter.model_memo unless `memo` is False), else from the cache when it holds
    one, else parsed, all misses at once, so that many changed files can be parsed on two
    cores (`charter.parse_pool`)."""
    return [model for model, _ in _derived(files, config, cache, _nothing, reuse, memo)]


def _nothing(read: FileRead, model: Plan | SessionLog) -> None:
    return None


def _derived(
    files: tuple[FileRead, ...],
    config: Config,
    cache: ModelCache | None,
    derive: Callable[[FileRead, Plan | SessionLog], T],
    reuse: Mapping[tuple[str, str, str], Plan | SessionLog] | None = None,
    memo: bool = True,
) -> list[tuple[Plan | SessionLog, T]]:
    """As `_models`, each model with `derive(read, model)`, worked out where the file was
    parsed (a parsed file's in the parse child, for half of them)."""
    found: list[tuple[Plan | SessionLog, T] | None] = []
    misses: list[tuple[int, FileRead]] = []
    files = tuple(map(filled, files))
    settings = repr(config) if memo and model_memo.holding() else ""
    for read in files:
        model = _known(read, cache, reuse or {}, settings)
        if model is None:
            misses.append((len(found), read))
            found.append(None)
        else:
            found.append((model, derive(read, model)))
    if len(misses) > parse_pool.MIN_FILES:
        _import_parsers(config)  # once, before a fork: the child finds them loaded
    parsed: list[tuple[Plan | SessionLog, T]] = []
    # A command showing progress hears of each batch; otherwise all are parsed at once.
    step = max(PROGRESS_STEP, len(misses) // 20) if progress.listening() else len(misses)

    def parse(read: FileRead) -> tuple[Plan | SessionLog, T]:
        model = parse_file(read.rel, read.data or b"", config, read.kind)
        return model, derive(read, model)

    for start in range(0, len(misses), max(step, 1)):
        parsed += parse_pool.parse_all(
            misses[start : start + step],
            lambda miss: parse(miss[1]),
            lambda miss: _parse_weight(miss[1].data or b""),
        )
        progress.report(len(parsed), len(misses))
    for (slot, read), pair in zip(misses, parsed, strict=True):
        found[slot] = pair
        if cache is not None and read.digest is not None:
            cache.put(read.rel, read.digest, pair[0])
    return [pair for pair in found if pair is not None]


def _known(
    read: FileRead,
    cache: ModelCache | None,
    reuse: Mapping[tuple[str, str, str], Plan | SessionLog],
    settings: str = "",
) -> Plan | SessionLog | None:
    """The file's model without parsing it, when it can be had; None when it must be parsed."""
    if read.data is None or read.digest is None:
        problem = Diagnostic(read.rel, 1, 1, PARSE_ERROR, f"cannot read file: {read.error}")
        if read.kind == "session":
            return SessionLog(read.rel, problems=(problem,))
        return Plan(read.rel, problems=(problem,))
    model = reuse.get((read.kind, read.rel, read.digest))
    if model is None and settings and model_memo.holds(read.kind, read.rel):  # kept here
        model = model_memo.known(read.kind, read.rel, read.digest, settings)
    if model is None and cache is not None:
        model = cache.get(read.rel, read.digest)
    return model


def models_of(
    files: tuple[FileRead, ...], config: Config, cache: ModelCache | None
) -> list[Plan | SessionLog]:
    """A model per file read, from `cache` where it holds one (see `_models`)."""
    return _models(files, config, cache)


def derived_of(
    files: tuple[FileRead, ...],
    config: Config,
    cache: ModelCache | None,
    derive: Callable[[FileRead, Plan | SessionLog], T],
) -> list[tuple[Plan | SessionLog, T]]:
    """`models_of`, each model with `derive(read, model)`: what a command works out from each
    file on its own (a check's facts) is worked out on two cores along with the parse.
    `derive` must return plain data (it may come back from the parse child, pickled)."""
    return _derived(files, config, cache, derive)


def _parse_weight(data: bytes) -> int:
    """About how long markdown-it takes over `data`: mostly a cost per line, some per byte.
    (By bytes alone, one plan of a few long lines took a quarter of the weight and a
    tenth of the time, and the other process waited on the rest.)"""
    return len(data) + 200 * data.count(b"\n")


def _import_parsers(config: Config) -> None:
    if config.handoff_plans:
        import charter.parse.handoff  # lazy: only where handoffs are read as plans
    import charter.parse.plans  # lazy: a warm check parses nothing
    import charter.parse.sessions  # noqa: F401  # lazy: a warm check parses nothing


def parse_file(rel: str, data: bytes, config: Config, kind: str) -> Plan | SessionLog:
    if kind != "session" and any(fnmatch.fnmatch(rel, g) for g in config.handoff_plans):
        from charter.parse.handoff import parse_handoff  # lazy: off a warm check's start-up path

        return parse_handoff(rel, data, config)
    if kind != "session":
        from charter.parse.plans import parse_plan  # lazy: off a warm check's start-up path

        return parse_plan(rel, data, config)
    from charter.parse.sessions import parse_session  # lazy: off a warm check's start-up path

    return parse_session(rel, data)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while models are loaded or checked.

    Both build hundreds of thousands of long-lived objects without reference
    cycles, and free what is short-lived by reference counting. Each collection
    in between walks everything alive: at 50,000 tasks, more time than the
    unpickling itself, and half the rules' time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
