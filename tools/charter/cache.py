"""charter's local caches under `.charter/cache/`: how they are written, keyed and sharded.

Every cache is a disposable copy of work charter can redo: a file that is
missing, damaged, written by another version or by another user is ignored
and rebuilt, and a read-only checkout just works without remembering. Caches
are data only, sealed with their own checksum (`charter.sealed`).
"""

from __future__ import annotations

import os
import time
import zlib
from pathlib import Path
from typing import Any

from charter import __version__
from charter.fasthash import blake2b
from charter.io import ensure_state_dir
from charter.sealed import read_sealed, write_sealed

TYPE_CHECKING = False
if TYPE_CHECKING:  # a warm check replays before charter.config is imported (checks.replay)
    from charter.config import Config

CACHE_DIR = ".charter/cache"
CODE = Path(__file__).resolve().parent  # charter's own modules
# The parsed models are spread over this many files by path, so that an edit to one
# plan rewrites a thirty-second of them: at 50,000 tasks the whole cache is 23 MB, and
# writing all of it took longer than checking.
MODEL_SHARDS = 32
# What a parsed model depends on besides the plan's bytes: every module of `parse/` (read
# from the folder, so a new one is never forgotten) and these. tests/test_cache.py checks
# that every charter module the parsers import is covered.
_PARSER_MODULES = (
    "markdown.py",
    "markdown_scan.py",
    "markdown_lines.py",
    "markdown_outline.py",
    "model.py",
    "model_codec.py",
    "config.py",  # normalize_status, the field aliases' defaults
    "presets.py",  # the status maps a preset brings
)


class ShardedCache:
    """Entries {key: plain data} spread over `shards` sealed files named `name-NN.cache`,
    all dropped when `key` (what they were computed with) changes. An edit rewrites only
    the shards it touched; entries not looked at since loading are dropped on save.
    A `lazy` cache reads a shard when an entry in it is first asked for, and drops
    nothing on save (it cannot know which entries the files still need)."""

    def __init__(self, folder: Path, name: str, shards: int, key: str, lazy: bool = False):
        self.folder, self.name, self.count, self.key = folder, name, shards, key
        self.lazy = lazy
        self.loaded: list[dict[str, Any] | None] = [None] * shards
        if not lazy:
            for n in range(shards):
                self._shard(n)
        self.dirty: set[int] = set()
        self.seen: set[str] = set()

    def _shard(self, n: int) -> dict[str, Any]:
        entries = self.loaded[n]
        if entries is None:
            stored = load_cache(self._shard_path(n))
            fits = (
                isinstance(stored, dict)
                and stored.get("key") == self.key
                and isinstance(stored.get("entries"), dict)
            )
            entries = self.loaded[n] = stored["entries"] if fits else {}
        return entries

    def entry(self, rel: str, entry_key: str) -> Any:
        """What is stored under `entry_key` (in `rel`'s shard), None when nothing is."""
        self.seen.add(entry_key)
        return self._shard(self._shard_of(rel)).get(entry_key)

    def store(self, rel: str, entry_key: str, data: Any | None) -> None:
        """Store `data` under `entry_key`; None forgets the entry."""
        shard = self._shard(self._shard_of(rel))
        if data is None:
            shard.pop(entry_key, None)
        else:
            shard[entry_key] = data
        self.dirty.add(self._shard_of(rel))

    def save(self) -> None:
        """Write the shards that changed, dropping entries of files that are gone."""
        for n, entries in enumerate(self.loaded):
            if entries is None:
                continue
            stale = [] if self.lazy else [key for key in entries if key not in self.seen]
            for key in stale:
                del entries[key]
            if stale or n in self.dirty:
                save_cache(self._shard_path(n), {"key": self.key, "entries": entries})

    def _shard_path(self, n: int) -> Path:
        return self.folder / f"{self.name}-{n:02d}.cache"

    def _shard_of(self, rel: str) -> int:
        return zlib.crc32(rel.encode("utf-8", "surrogateescape")) % self.count


class ModelCache(ShardedCache):
    """{path: (content hash, model as data)}, invalidated by a parser or configuration change.

    Entries stay in their JSON form until asked for: a check that needs a few models
    builds only those, and an entry that does not decode is a miss, parsed again.
    """

    def __init__(self, config: Config, lazy: bool = False):
        super().__init__(
            config.root / CACHE_DIR, "models", MODEL_SHARDS, _parser_fingerprint(config), lazy
        )
        # Models put since the last save, encoded when saved: a cold check saves in a
        # forked child (parse_pool.aside) while it goes on, so it never waits on encoding.
        self.pending: dict[str, tuple[str, Any]] = {}

    def get(self, rel: str, digest: str) -> Any:
        if rel in self.pending:
            self.seen.add(rel)
            put_digest, model = self.pending[rel]
            return model if put_digest == digest else None
        entry = self.entry(rel, rel)
        if type(entry) is not list or len(entry) != 2 or entry[0] != digest:
            return None
        from charter import model_codec  # lazy: a replayed check loads no model

        try:
            model = model_codec.decode(entry[1])
        except model_codec.Malformed:
            return None
        if model.path != rel:
            return None
        # every task of a plan lives in it: a task placed elsewhere is damage, not a model
        walk = getattr(model, "walk", None)
        if walk is not None and any(task.path != rel for task in walk()):
            return None
        return model

    def put(self, rel: str, digest: str, model: Any) -> None:
        self.pending[rel] = (digest, model)

    def save(self) -> None:
        from charter import model_codec  # lazy: a replayed check loads no model

        for rel, (digest, model) in self.pending.items():
            try:
                self.store(rel, rel, [digest, model_codec.encode(model)])
            except model_codec.Unencodable:  # parsed again next time, never given back changed
                self.store(rel, rel, None)
        self.pending.clear()
        super().save()


def load_cache(path: Path) -> Any:
    """What a cache file holds; None when it is missing or not to be believed (see
    `charter.sealed`). Its shape is still the caller's to check."""
    return read_sealed(str(path), path.name)


def save_cache(path: Path, payload: Any) -> bool:
    """Write plain data to a cache file under `.charter/cache/`, sealed and atomically;
    False when the checkout is read-only (charter then works on, just without remembering)."""
    try:
        ensure_state_dir(path.parents[1])
    except OSError:
        return False
    return write_sealed(str(path), path.name, payload)


def file_content(path: Path) -> bytes:
    """A file's bytes for a fingerprint; a missing or unreadable file hashes as such, never
    as an empty one."""
    try:
        return path.read_bytes()
    except OSError:
        return b"\0missing"


# charter's own stamp, as last taken: (time.monotonic(), stamp). One check keys half a dozen
# caches on it within a second (400 modules stat'ed each time); a long-running process
# (watch, mcp) takes it again after a second.
_LAST_STAMP: list[tuple[float, bytes]] = []
_STAMP_KEPT_S = 1.0


def code_stamp(folders: tuple[Path, ...] = (CODE,)) -> bytes:
    """Each module of charter under `folders` (and their subfolders) with its modification
    time: a cache keyed on this is invalidated by any change to charter's code."""
    if folders != (CODE,):
        return _code_stamp(folders)
    now = time.monotonic()
    if _LAST_STAMP and now - _LAST_STAMP[0][0] < _STAMP_KEPT_S:
        return _LAST_STAMP[0][1]
    stamp = _code_stamp(folders)
    _LAST_STAMP[:] = [(now, stamp)]
    return stamp


def _code_stamp(folders: tuple[Path, ...]) -> bytes:
    stamps: list[str] = []
    prefix = os.path.join(CODE, "")
    for top in folders:
        for folder, dirs, names in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(names):
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    # os.path.relpath's answer, by slicing where it is a plain prefix: a
                    # warm check stamps some 400 modules twice
                    rel = path[len(prefix) :] if path.startswith(prefix) else None
                    if rel is None or "/." in f"/{rel}":
                        rel = os.path.relpath(path, CODE)
                    stamps.append(f"{rel}:{os.stat(path).st_mtime_ns}")
    return "\0".join(stamps).encode()


def parser_modules() -> list[str]:
    """The modules, relative to charter's folder, whose code a cached model depends on."""
    parse = sorted(f"parse/{p.name}" for p in (CODE / "parse").glob("*.py"))
    return [*parse, *_PARSER_MODULES]


def _parser_fingerprint(config: Config) -> str:
    stamps = []
    for name in parser_modules():
        try:
            stamps.append(str((CODE / name).stat().st_mtime_ns))
        except OSError:
            stamps.append("-")
    parts = [__version__, config.id_pattern, str(config.anonymous_tasks), *stamps]
    parts += [str(config.table_tasks), *config.handoff_plans]
    return blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()
