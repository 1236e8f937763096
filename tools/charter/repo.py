"""Loading a governed repository: every plan and session log, parsed once.

Parsed models are cached under `.charter/cache/` keyed by each file's content
hash, so a warm `charter check` reads and hashes files but parses only what
changed, and never imports markdown_it or yaml when nothing did.
"""

from __future__ import annotations

import fnmatch
import gc
import os
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

try:  # hashlib's blake2b itself, without hashlib loading OpenSSL (3 ms of every warm check)
    from _blake2 import blake2b
except ImportError:  # an interpreter without the module
    from hashlib import blake2b

from charter import __version__, parse_pool
from charter.config import Config
from charter.model import Diagnostic, Plan, SessionLog, Task
from charter.status import Standings

T = TypeVar("T")

CACHE_DIR = ".charter/cache"
_CACHE_FILE = "models.pickle"


@dataclass(frozen=True)
class RepoModel:
    root: Path
    config: Config
    plans: tuple[Plan, ...]
    sessions: tuple[SessionLog, ...]
    today: date
    mirrors: tuple[Plan, ...] = ()  # checklist copies named by `mirrors` (rule CH018), not plans
    cache: bool = False  # whether checks may remember facts under .charter/cache/ too

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
    def standings(self) -> Standings:
        """Every task's column, worked out once and shared by the rules."""
        return Standings(self._all_tasks, self.config)

    def shared(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` once per loaded repository: rules that share one scan (of git, of
        the evidence files) ask for it by key; it lives and dies with this model."""
        memo = self._shared
        if key not in memo:
            memo[key] = compute()
        return memo[key]  # type: ignore[no-any-return]

    @cached_property
    def _shared(self) -> dict[str, Any]:
        return {}

    def plan_of(self, task: Task) -> Plan | None:
        return next((p for p in self.plans if p.path == task.path), None)

    def find_task(self, task_id: str) -> Task | None:
        return next((t for t in self.tasks() if t.id == task_id), None)


def relpath(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


class _RelPaths:
    """`relpath(root, path)` for many files: the root and each folder are resolved
    once, then only a file's own name is checked for a symlink. Resolving costs a
    system call per path component, which made listing 7,000 files take a second."""

    def __init__(self, root: Path):
        self.root = root
        self.prefix = os.path.join(str(root.resolve()), "")
        self.folders: dict[str, str] = {}

    def __call__(self, path: Path) -> str:
        folder, name = os.path.split(str(path))
        if name in ("", ".", "..") or os.path.islink(path):
            return relpath(self.root, path)
        real = self.folders.get(folder)
        if real is None:
            real = self.folders[folder] = str(Path(folder).resolve())
        full = os.path.join(real, name)
        if os.path.normcase(full).startswith(os.path.normcase(self.prefix)):
            return full[len(self.prefix) :].replace(os.sep, "/")
        return relpath(self.root, path)


def plan_files(config: Config, rel_of: _RelPaths | None = None) -> list[Path]:
    root = config.root
    rel_of = rel_of or _RelPaths(root)
    generated = {config.board, config.handoff}
    found: dict[str, Path] = {}
    for pattern in (*config.plans, *config.handoff_plans):
        for path in root.glob(pattern):
            rel = rel_of(path)
            if not path.is_file() or rel in generated or _excluded(rel, config):
                continue
            if rel.startswith(config.sessions.rstrip("/") + "/"):
                continue
            found[rel] = path
    return [found[k] for k in sorted(found)]


def session_files(config: Config, rel_of: _RelPaths | None = None) -> list[Path]:
    directory = config.root / config.sessions
    if not directory.is_dir():
        return []
    rel_of = rel_of or _RelPaths(config.root)
    files = [
        p
        for p in directory.rglob("*.md")
        if p.is_file() and p.name.lower() != "readme.md" and not _excluded(rel_of(p), config)
    ]
    return sorted(files)


def mirror_files(config: Config, plans: set[str], rel_of: _RelPaths | None = None) -> list[Path]:
    """Files the `mirrors` globs name that are not plans: copies of checklists."""
    rel_of = rel_of or _RelPaths(config.root)
    found: dict[str, Path] = {}
    for pattern in config.mirrors:
        for path in config.root.glob(pattern):
            rel = rel_of(path)
            if path.is_file() and rel not in plans and not _excluded(rel, config):
                found[rel] = path
    return [found[k] for k in sorted(found)]


def _excluded(rel: str, config: Config) -> bool:
    return any(fnmatch.fnmatch(rel, pattern) for pattern in config.exclude)


def load_repo(config: Config, use_cache: bool = True, today: date | None = None) -> RepoModel:
    with collector_paused():
        cache = _Cache(config) if use_cache else None
        rel_of = _RelPaths(config.root)
        plan_paths = [(rel_of(path), path) for path in plan_files(config, rel_of)]
        session_paths = [(rel_of(path), path) for path in session_files(config, rel_of)]
        mirror_paths = [
            (rel_of(path), path)
            for path in mirror_files(config, {rel for rel, _ in plan_paths}, rel_of)
        ]
        loader = _Loader(config, cache)
        plan_slots = [loader.add(rel, path, "plan") for rel, path in plan_paths]
        session_slots = [loader.add(rel, path, "session") for rel, path in session_paths]
        mirror_slots = [loader.add(rel, path, "plan") for rel, path in mirror_paths]
        models = loader.models()
        plans: list[Plan] = [models[i] for i in plan_slots]
        sessions: list[SessionLog] = [models[i] for i in session_slots]
        mirrors: list[Plan] = [models[i] for i in mirror_slots]
        if cache is not None:
            cache.save()
        # The models live as long as the command: frozen, no later collection walks them
        # again. (Reference counting still frees them when they are dropped.)
        gc.freeze()
    return RepoModel(
        config.root,
        config,
        tuple(plans),
        tuple(sessions),
        today or date.today(),
        tuple(mirrors),
        use_cache,
    )


class _Loader:
    """Reads every file and takes what the cache holds; then parses the rest, all at once,
    so that many changed files can be parsed on two cores (`charter.parse_pool`)."""

    def __init__(self, config: Config, cache: _Cache | None):
        self.config = config
        self.cache = cache
        self.found: list[Plan | SessionLog | None] = []
        self.misses: list[tuple[int, str, str, bytes, str]] = []  # (slot, rel, digest, data, kind)

    def add(self, rel: str, path: Path, kind: str) -> int:
        """Read one file; the slot its model will have in `models()`."""
        slot = len(self.found)
        self.found.append(None)
        try:
            data = path.read_bytes()
        except OSError as exc:
            problem = Diagnostic(rel, 1, 1, "CH001", f"cannot read file: {exc.strerror}")
            self.found[slot] = (
                Plan(rel, problems=(problem,))
                if kind == "plan"
                else SessionLog(rel, problems=(problem,))
            )
            return slot
        digest = blake2b(data, digest_size=16).hexdigest()
        if self.cache is not None:
            self.found[slot] = self.cache.get(rel, digest)
        if self.found[slot] is None:
            self.misses.append((slot, rel, digest, data, kind))
        return slot

    def models(self) -> list[Any]:
        if len(self.misses) > parse_pool.MIN_FILES:
            _import_parsers()  # once, before a fork: the child finds them loaded
        config = self.config
        parsed = parse_pool.parse_all(
            self.misses,
            lambda miss: parse_file(miss[1], miss[3], config, miss[4]),
            lambda miss: len(miss[3]),
        )
        for (slot, rel, digest, _, _), model in zip(self.misses, parsed, strict=True):
            self.found[slot] = model
            if self.cache is not None:
                self.cache.put(rel, digest, model)
        return self.found


def _import_parsers() -> None:
    import charter.parse.handoff
    import charter.parse.plans
    import charter.parse.sessions  # noqa: F401


def parse_file(rel: str, data: bytes, config: Config, kind: str) -> Plan | SessionLog:
    if kind == "plan" and any(fnmatch.fnmatch(rel, g) for g in config.handoff_plans):
        from charter.parse.handoff import parse_handoff

        return parse_handoff(rel, data, config)
    if kind == "plan":
        from charter.parse.plans import parse_plan

        return parse_plan(rel, data, config)
    from charter.parse.sessions import parse_session

    return parse_session(rel, data)


class _Cache:
    """One pickle of {path: (content hash, model)}, invalidated by parser or config change."""

    def __init__(self, config: Config):
        self.path = config.root / CACHE_DIR / _CACHE_FILE
        self.key = _fingerprint(config)
        self.entries: dict[str, tuple[str, Any]] = {}
        self.dirty = False
        try:
            with self.path.open("rb") as handle:
                stored = pickle.load(handle)
            if stored.get("key") == self.key:
                self.entries = stored["entries"]
        except Exception:
            self.entries = {}
        self.seen: set[str] = set()

    def get(self, rel: str, digest: str) -> Any:
        self.seen.add(rel)
        entry = self.entries.get(rel)
        if entry is not None and entry[0] == digest:
            return entry[1]
        return None

    def put(self, rel: str, digest: str, model: Any) -> None:
        self.entries[rel] = (digest, model)
        self.dirty = True

    def save(self) -> None:
        stale = set(self.entries) - self.seen
        for rel in stale:
            del self.entries[rel]
        if not (self.dirty or stale):
            return
        save_cache(self.path, {"key": self.key, "entries": self.entries})


def save_cache(path: Path, payload: Any) -> bool:
    """Pickle `payload` to a cache file under `.charter/cache/`, atomically; False when the
    checkout is read-only (charter then works on, just without remembering)."""
    try:
        ensure_state_dir(path.parents[1])
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(payload, handle, protocol=5)
        os.replace(tmp, path)
    except OSError:
        return False
    return True


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


def ensure_state_dir(state_dir: Path) -> None:
    """Create `.charter/` holding a `.gitignore` of `*`: local state never gets committed."""
    state_dir.mkdir(parents=True, exist_ok=True)
    ignore = state_dir / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# charter's local state (cache, active session): never committed\n*\n")


def _fingerprint(config: Config) -> str:
    parse_dir = Path(__file__).parent
    stamps = []
    for name in (
        "parse/plans.py",
        "parse/handoff.py",
        "parse/sessions.py",
        "parse/source.py",
        "parse/tables.py",
        "parse/frontmatter.py",
        "markdown.py",
        "model.py",
    ):
        try:
            stamps.append(str((parse_dir / name).stat().st_mtime_ns))
        except OSError:
            stamps.append("-")
    parts = [__version__, config.id_pattern, str(config.anonymous_tasks), *stamps]
    parts += [str(config.table_tasks), *config.handoff_plans]
    return blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()
