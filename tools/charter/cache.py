"""charter's local caches under `.charter/cache/`: how they are written, keyed and sharded.

Every cache is a disposable copy of work charter can redo: a file that is
missing, damaged or written by another version is ignored, and a read-only
checkout just works without remembering.
"""

from __future__ import annotations

import os
import pickle
import zlib
from pathlib import Path
from typing import Any

try:  # hashlib's blake2b itself, without hashlib loading OpenSSL (3 ms of every warm check)
    from _blake2 import blake2b
except ImportError:  # an interpreter without the module
    from hashlib import blake2b

from charter import __version__
from charter.config import Config

CACHE_DIR = ".charter/cache"
CODE = Path(__file__).resolve().parent  # charter's own modules
# The parsed models are spread over this many files by path, so that an edit to one
# plan rewrites a thirty-second of them: at 50,000 tasks the whole cache is 23 MB, and
# pickling all of it took longer than checking.
MODEL_SHARDS = 32
_PARSER_MODULES = (
    "parse/plans.py",
    "parse/handoff.py",
    "parse/sessions.py",
    "parse/source.py",
    "parse/tables.py",
    "parse/shapes.py",
    "parse/table_tasks.py",
    "parse/frontmatter.py",
    "markdown.py",
    "model.py",
)


class ModelCache:
    """{path: (content hash, parsed model)}, invalidated by a parser or configuration change."""

    def __init__(self, config: Config):
        self.folder = config.root / CACHE_DIR
        self.key = _parser_fingerprint(config)
        self.shards: list[dict[str, tuple[str, Any]]] = []
        for n in range(MODEL_SHARDS):
            stored = load_cache(self._shard_path(n))
            fits = isinstance(stored, dict) and stored.get("key") == self.key
            self.shards.append(stored["entries"] if fits else {})
        self.dirty: set[int] = set()
        self.seen: set[str] = set()

    def get(self, rel: str, digest: str) -> Any:
        self.seen.add(rel)
        entry = self.shards[_shard_of(rel)].get(rel)
        if entry is not None and entry[0] == digest:
            return entry[1]
        return None

    def put(self, rel: str, digest: str, model: Any) -> None:
        shard = _shard_of(rel)
        self.shards[shard][rel] = (digest, model)
        self.dirty.add(shard)

    def save(self) -> None:
        """Write the shards that changed, dropping files that are gone."""
        for n, entries in enumerate(self.shards):
            stale = [rel for rel in entries if rel not in self.seen]
            for rel in stale:
                del entries[rel]
            if stale or n in self.dirty:
                save_cache(self._shard_path(n), {"key": self.key, "entries": entries})

    def _shard_path(self, n: int) -> Path:
        return self.folder / f"models-{n:02d}.pickle"


def _shard_of(rel: str) -> int:
    return zlib.crc32(rel.encode("utf-8", "surrogateescape")) % MODEL_SHARDS


def load_cache(path: Path) -> Any:
    """What a cache file holds; None when it is missing or cannot be read."""
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # missing, damaged, or from another charter: start over
        return None


def save_cache(path: Path, payload: Any) -> bool:
    """Pickle `payload` to a cache file under `.charter/cache/` (see `save_bytes`)."""
    return save_bytes(path, pickle.dumps(payload, protocol=5))


def save_bytes(path: Path, data: bytes) -> bool:
    """Write a cache file under `.charter/cache/`, atomically; False when the checkout is
    read-only (charter then works on, just without remembering)."""
    try:
        ensure_state_dir(path.parents[1])
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        return False
    return True


def ensure_state_dir(state_dir: Path) -> None:
    """Create `.charter/` holding a `.gitignore` of `*`: local state never gets committed."""
    state_dir.mkdir(parents=True, exist_ok=True)
    ignore = state_dir / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# charter's local state (cache, active session): never committed\n*\n")


def code_stamp(folders: tuple[Path, ...] = (CODE,)) -> bytes:
    """Each module of charter under `folders` (and their subfolders) with its modification
    time: a cache keyed on this is invalidated by any change to charter's code."""
    stamps: list[str] = []
    for top in folders:
        for folder, dirs, names in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(names):
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    stamps.append(f"{os.path.relpath(path, CODE)}:{os.stat(path).st_mtime_ns}")
    return "\0".join(stamps).encode()


def _parser_fingerprint(config: Config) -> str:
    stamps = []
    for name in _PARSER_MODULES:
        try:
            stamps.append(str((CODE / name).stat().st_mtime_ns))
        except OSError:
            stamps.append("-")
    parts = [__version__, config.id_pattern, str(config.anonymous_tasks), *stamps]
    parts += [str(config.table_tasks), *config.handoff_plans]
    return blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()
