"""What the evidence rules learned about each cited file, remembered between checks.

A warm `charter check` would otherwise place every evidence path (a system
call per path component) and read, hash and parse every cited run manifest.
Here each plain, repository-relative evidence path that names a regular file
is remembered in `.charter/cache/evidence.cache` with:

- `sig`: the file's `lstat` signature (mode, device, inode, size, mtime,
  ctime). Writing a file changes its mtime and ctime, and restoring the mtime
  (`touch -d`, `os.utime`) sets the ctime to now, which nobody can set back:
  an equal signature means the same bytes, so its digest and manifest stand.
- `chain`: the `lstat` signatures of the folders from the repository root
  down to the file's grandparent, taken when the path was last found to run
  through no symbolic link. Adding, removing or renaming an entry changes its
  folder's mtime, so while these folders are unchanged each of them still
  holds the same, non-link entry on the way down: the path still resolves to
  `root/path`, inside the repository, without looking at each component.
- `sha`, `manifest`: the file's sha256 and what `read_manifest` made of it.

Anything else (patterns, absolute or `..` paths, links, folders, missing
files) is left to the rules' exact, uncached code. Signatures younger than
`RACY_NS` are not stored: file times tick coarsely, so a file written twice
within one tick could look unchanged (git calls this "racily clean").
"""

from __future__ import annotations

import os
import re
import stat
import time
from itertools import chain as chain_all
from pathlib import Path
from typing import Any

from charter import __version__
from charter.cache import CACHE_DIR, load_cache, save_cache
from charter.errors import CharterError
from charter.evidence import digest as digests
from charter.evidence.manifest import read_manifest
from charter.world import World

CACHE_FILE = "evidence.cache"
RACY_NS = 2_000_000_000
# An empty, `.` or `..` component (a leading `/` makes an empty one), a pattern, a NUL.
_NOT_PLAIN = re.compile(r"(?:^|/)\.{0,2}(?:/|$)|[*?\[\0]")
_FINGERPRINTED = (
    "checks/evidence_facts.py",
    "evidence/digest.py",
    "evidence/manifest.py",
    "schemas/__init__.py",
)
_SUMMARY_KEYS = frozenset({"status", "exit_code", "command", "task", "git"})

Sig = tuple[int, int, int, int, int, int]


def facts_for(world: World) -> EvidenceFacts:
    """One set of facts per loaded repository, shared by CH004/CH005 and CH019-CH023."""
    return world.shared("evidence-facts", lambda: EvidenceFacts(world))


class EvidenceFacts:
    def __init__(self, world: World):
        self.enabled = world.cache and os.sep == "/"
        self.root = str(world.root.resolve())
        self.path = world.root / CACHE_DIR / CACHE_FILE
        self.key = [_fingerprint(), self.root]
        self.files: dict[str, dict[str, Any]] = {}
        self.dirty = False
        self.started = time.time_ns()
        self.seen: dict[str, dict[str, Any] | None] = {}  # this run's answers, per path text
        self.folders: dict[str, Sig | None] = {}  # this run's lstat of each folder
        self.chains: dict[str, tuple[Sig, ...] | None] = {}
        self.placed: dict[str, bool] = {}
        if not self.enabled:
            return
        stored = load_cache(self.path)
        if isinstance(stored, dict) and stored.get("key") == self.key:  # else start cold
            self.files = _stored_files(stored.get("files"), stored.get("chains"))

    def entry(self, text: str) -> dict[str, Any] | None:
        """The facts for `text` when it names a regular file at `root/text` reached through no
        symbolic link (so it exists, inside the repository); None when the exact code must look."""
        if text in self.seen:
            return self.seen[text]
        found = self._entry(text) if self.enabled else None
        self.seen[text] = found
        return found

    def _entry(self, text: str) -> dict[str, Any] | None:
        if _NOT_PLAIN.search(text):
            return None
        try:
            sig = _sig(os.lstat(os.path.join(self.root, text)))
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(sig[0]):
            return None
        folder = text.rpartition("/")[0]
        old = self.files.get(text)
        chain = self._chain(folder)
        placed = old is not None and old["chain"] is not None and old["chain"] == chain
        if not placed and not self._fresh(folder):
            if old is not None:
                del self.files[text]
                self.dirty = True
            return None
        if old is None or old["sig"] != sig:
            old = {"sig": sig, "chain": None}
            if not self._racy(sig):
                self.files[text] = old
                self.dirty = True
        if old["chain"] != chain and chain is not None and not any(map(self._racy, chain)):
            old["chain"] = chain
            self.dirty = True
        return old

    def _folder(self, rel: str) -> Sig | None:
        """The folder's `lstat` signature ('' is the root), taken once per check."""
        if rel not in self.folders:
            try:
                self.folders[rel] = _sig(
                    os.lstat(os.path.join(self.root, rel) if rel else self.root)
                )
            except (OSError, ValueError):
                self.folders[rel] = None
        return self.folders[rel]

    def _chain(self, folder: str) -> tuple[Sig, ...] | None:
        """The signatures of the folders holding each entry on the way to `folder`: the root's
        down to `folder`'s parent's. None when one cannot be read."""
        if folder in self.chains:
            return self.chains[folder]
        chain: tuple[Sig, ...] | None = ()
        if folder:
            parent = folder.rpartition("/")[0]
            above, sig = self._chain(parent), self._folder(parent)
            chain = None if above is None or sig is None else (*above, sig)
        self.chains[folder] = chain
        return chain

    def _fresh(self, folder: str) -> bool:
        """Every folder on the way to `folder` (the root excluded) is a folder, not a link."""
        if folder not in self.placed:
            ok = True
            if folder:
                sig = self._folder(folder)
                ok = sig is not None and stat.S_ISDIR(sig[0])
                ok = ok and self._fresh(folder.rpartition("/")[0])
            self.placed[folder] = ok
        return self.placed[folder]

    def _racy(self, sig: Sig) -> bool:
        return max(sig[4], sig[5]) >= self.started - RACY_NS

    def sha256(self, text: str, entry: dict[str, Any]) -> str:
        """The file's sha256; OSError when it cannot be read."""
        if "sha" not in entry:
            full = os.path.join(self.root, text)
            fresh = digests.sha256_file(Path(full))
            self._remember(full, entry, "sha", fresh)
            return fresh
        digest: str = entry["sha"]
        return digest

    def manifest(self, text: str, entry: dict[str, Any]) -> dict[str, Any] | CharterError | None:
        """What reading the file as a run manifest gives: the fields the rules use, the
        damage, or None when it is not a charter manifest."""
        if "manifest" not in entry:
            full = os.path.join(self.root, text)
            found = read_cited(Path(full))
            summary: Any = found
            if isinstance(found, CharterError):
                summary = ("damaged", found.message)
            elif found is not None:
                summary = _summary(found)
            self._remember(full, entry, "manifest", summary)
            return found if isinstance(found, CharterError) else summary
        summary = entry["manifest"]
        if isinstance(summary, tuple):
            return CharterError(summary[1])
        return summary  # type: ignore[no-any-return]

    def _remember(self, full: str, entry: dict[str, Any], name: str, value: Any) -> None:
        # Kept only when the file did not change while it was read.
        try:
            unchanged = _sig(os.lstat(full)) == entry["sig"]
        except OSError:
            unchanged = False
        if unchanged:
            entry[name] = value
            self.dirty = True

    def save(self, prune: bool = False) -> None:
        """Write the facts back when they changed; `prune` drops paths no task cites now."""
        if not self.enabled:
            return
        if prune:
            stale = [text for text in self.files if text not in self.seen]
            for text in stale:
                del self.files[text]
            self.dirty = self.dirty or bool(stale)
        if not self.dirty:
            return
        if save_cache(self.path, {"key": self.key, **_rows(self.files)}):
            self.dirty = False


def read_cited(path: Path) -> dict[str, Any] | CharterError | None:
    """`read_manifest`, with the failures a cited file can have turned into values."""
    try:
        return read_manifest(path)
    except (FileNotFoundError, IsADirectoryError):
        return None  # missing evidence is CH004's finding
    except CharterError as exc:
        return exc
    except OSError as exc:
        return CharterError(f"cannot read it: {exc.strerror}")


def _rows(files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The facts as compact JSON data: per path `[sig, chain number, sha, has manifest,
    manifest]`, and each distinct chain once (files in one folder share theirs)."""
    chains: dict[tuple[Sig, ...], int] = {}
    rows = {}
    for text, fact in files.items():
        chain = fact["chain"]
        number = -1 if chain is None else chains.setdefault(chain, len(chains))
        has = "manifest" in fact
        rows[text] = [fact["sig"], number, fact.get("sha"), has, fact.get("manifest")]
    return {"chains": list(chains), "files": rows}


def _stored_files(data: Any, stored_chains: Any) -> dict[str, dict[str, Any]]:
    """The facts `_rows` stored, in the shape `EvidenceFacts` uses; none at all when any
    of them has another shape (every path is then looked at afresh).

    The types are checked column by column, each in one pass in C: thousands of cited
    files are checked in a few milliseconds.
    """
    if type(data) is not dict or type(stored_chains) is not list:
        return {}
    if not _types(stored_chains) <= {list} or not _are_sigs(
        list(chain_all.from_iterable(stored_chains))
    ):
        return {}
    chains = [tuple(map(tuple, c)) for c in stored_chains]
    rows = list(data.values())
    if not rows:
        return {}
    if not _types(rows) <= {list} or set(map(len, rows)) != {5}:
        return {}
    sigs, numbers, shas, has_manifest, _ = zip(*rows, strict=True)
    valid = (
        _are_sigs(list(sigs))
        and _types(numbers) <= {int}
        and min(numbers) >= -1
        and max(numbers) < len(chains)
        and _types(shas) <= {str, type(None)}
        and _types(has_manifest) <= {bool}
    )
    if not valid:
        return {}
    files: dict[str, dict[str, Any]] = {}
    for text, (sig, number, sha, has, manifest) in zip(data, rows, strict=True):
        fact: dict[str, Any] = {"sig": tuple(sig), "chain": chains[number] if number >= 0 else None}
        if sha is not None:
            fact["sha"] = sha
        if has:
            summary = _stored_summary(manifest)
            if summary is False:
                return {}
            fact["manifest"] = summary
        files[text] = fact
    return files


def _types(values: Any) -> set[type]:
    return set(map(type, values))


def _are_sigs(values: list[Any]) -> bool:
    """Every value is a list of six integers (an `lstat` signature as JSON keeps it)."""
    return (
        _types(values) <= {list}
        and set(map(len, values)) <= {6}
        and _types(chain_all.from_iterable(values)) <= {int}
    )


def _stored_summary(value: Any) -> Any:
    """A manifest summary as `_summary` made it, ("damaged", message), None, or False when
    it is none of these."""
    if value is None:
        return None
    if type(value) is list:
        ok = len(value) == 2 and value[0] == "damaged" and type(value[1]) is str
        return ("damaged", value[1]) if ok else False
    if type(value) is not dict or set(value) != _SUMMARY_KEYS:
        return False
    ok = (
        value["status"] in ("succeeded", "failed", "denied")
        and (value["exit_code"] is None or type(value["exit_code"]) is int)
        and type(value["command"]) is str
        and type(value["task"]) is str
    )
    git = value["git"]
    if git is not None:
        ok = ok and (
            type(git) is dict
            and set(git) == {"dirty", "dirty_count", "dirty_paths"}
            and type(git["dirty"]) is bool
            and type(git["dirty_count"]) is int
            and type(git["dirty_paths"]) is list
            and all(type(p) is str for p in git["dirty_paths"])
        )
    return value if ok else False


def _sig(st: os.stat_result) -> Sig:
    return (st.st_mode, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _summary(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest fields the evidence rules read, and no more (a manifest holds output tails)."""
    git = manifest["git"]
    if git is not None:
        git = {
            "dirty": git["dirty"],
            "dirty_count": git["dirty_count"],
            "dirty_paths": list(git["dirty_paths"][:3]),
        }
    keep = ("status", "exit_code", "command", "task")
    return {**{name: manifest[name] for name in keep}, "git": git}


def _fingerprint() -> str:
    here = Path(__file__).parents[1]
    stamps = []
    for name in _FINGERPRINTED:
        try:
            stamps.append(str((here / name).stat().st_mtime_ns))
        except OSError:
            stamps.append("-")
    for schema in sorted((here / "schemas").glob("*.json")):
        stamps.append(f"{schema.name}:{schema.stat().st_mtime_ns}")
    return "\0".join([__version__, *stamps])
