"""What the commit rules learnt about git blobs, remembered between checks.

A blob id names its content, so what a check learns from a blob holds for as
long as the blob exists: its size (CH025 compares every tracked file's size
with the policy's limit), and whether the blob at the board's, the CSV's or
the handoff's path is charter's own stamped output (`generated_files`). A check
asks git only about blobs it has not seen: at 50,000 tasks reading the board's
blob back and hashing it cost a fifth of a check where nothing changed.

The file is keyed by charter's code (a change to how outputs are stamped
changes the answer) and holds only the blobs the index names now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from charter import __version__
from charter.cache import CACHE_DIR, code_stamp, load_cache, save_cache
from charter.fasthash import blake2b

BLOB_FILE = "git-blobs.cache"


def _key() -> str:
    h = blake2b(digest_size=16)
    h.update(__version__.encode())
    h.update(code_stamp())
    return h.hexdigest()


class BlobFacts:
    """Blob sizes and output verdicts, as the last check left them."""

    def __init__(self, root: Path, remember: bool):
        self.path = root / CACHE_DIR / BLOB_FILE
        self.remember = remember
        self.key = _key() if remember else ""
        stored = load_cache(self.path) if remember else None
        if not isinstance(stored, dict) or stored.get("key") != self.key:
            stored = {}
        sizes, verdicts = stored.get("sizes"), stored.get("outputs")
        self.sizes: dict[str, int] = _checked(sizes, int)
        self.verdicts: dict[str, bool] = _checked(verdicts, bool)
        self.asked: set[str] = set()
        self.changed = False

    def sizes_of(
        self, shas: Iterable[str], ask: Callable[[list[str]], dict[str, int]]
    ) -> dict[str, int]:
        """Each blob's size (a blob git could not size is left out); `ask(shas)` asks git
        about the blobs not remembered."""
        wanted = list(dict.fromkeys(shas))
        missing = [sha for sha in wanted if sha not in self.sizes]
        if missing:
            self.sizes.update(ask(missing))
            self.changed = True
        kept = {sha: self.sizes[sha] for sha in wanted if sha in self.sizes}
        if len(kept) != len(self.sizes):  # blobs the index no longer names
            self.sizes = dict(kept)
            self.changed = True
        return kept

    def verdict(self, parts: tuple[str, ...], compute: Callable[[], bool]) -> bool:
        """`compute()`, remembered under `parts` (blob ids and the paths they are read at)."""
        entry = "\0".join(parts)
        self.asked.add(entry)
        if entry not in self.verdicts:
            self.verdicts[entry] = compute()
            self.changed = True
        return self.verdicts[entry]

    def save(self) -> None:
        """Write what changed, forgetting verdicts on blobs this check did not ask about."""
        if set(self.verdicts) - self.asked:
            self.verdicts = {k: v for k, v in self.verdicts.items() if k in self.asked}
            self.changed = True
        if self.remember and self.changed:
            payload = {"key": self.key, "sizes": self.sizes, "outputs": self.verdicts}
            save_cache(self.path, payload)
            self.changed = False


def _checked(stored: Any, kind: type) -> dict[str, Any]:
    """A stored {str: kind} map; empty when it is anything else (the cache is a miss)."""
    if type(stored) is not dict:
        return {}
    if all(type(v) is kind for v in stored.values()):  # JSON keys are always str
        return stored
    return {}
