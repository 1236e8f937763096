"""Which files charter reads: the plans, session logs and mirrors the configuration names.

Listing is most of a warm check's time on a large repository, so the common
case takes a fast road: a glob whose wildcards are all in its last part, after
an optional `**`, is matched by one `os.scandir` walk that needs no system call
per file. Whatever that walk cannot promise to list exactly as `Path.glob`
would (a symbolic link anywhere on the way, `..`, wildcards in folder names,
another operating system) is listed by `Path.glob`, each path placed by
resolving it.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from charter.config import Config

_WILDCARDS = frozenset("*?[")

Listing = list[tuple[str, str]]  # (path relative to the root, in posix form; full path)


def relpath(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def plan_files(config: Config) -> list[Path]:
    return [Path(full) for _, full in plan_listing(config)]


def plan_listing(config: Config) -> Listing:
    generated = {config.board, config.handoff}
    sessions = config.sessions.rstrip("/") + "/"
    found: dict[str, str] = {}
    for pattern in (*config.plans, *config.handoff_plans):
        handoffs = pattern in config.handoff_plans
        for rel, full in _glob(config.root, pattern):
            if rel in generated or _excluded(rel, config):
                continue
            if rel.startswith(sessions) and not handoffs:  # a handoff kept among the logs is read
                continue
            found[rel] = full
    return [(rel, found[rel]) for rel in sorted(found)]


def session_listing(config: Config) -> Listing:
    directory = config.root / config.sessions
    if not directory.is_dir():
        return []
    pattern = config.sessions.rstrip("/") + "/**/*.md"
    found = [
        (rel, full)
        for rel, full in _glob(config.root, pattern, lambda: directory.rglob("*.md"))
        if os.path.basename(full).lower() != "readme.md"
        and not _excluded(rel, config)
        and not any(fnmatch.fnmatch(rel, glob) for glob in config.handoff_plans)
    ]
    return sorted(found, key=lambda item: item[1].split(os.sep))  # as sorting the Paths


def mirror_listing(config: Config, plans: set[str]) -> Listing:
    """Files the `mirrors` globs name that are not plans: copies of checklists."""
    found: dict[str, str] = {}
    for pattern in config.mirrors:
        for rel, full in _glob(config.root, pattern):
            if rel not in plans and not _excluded(rel, config):
                found[rel] = full
    return [(rel, found[rel]) for rel in sorted(found)]


def _excluded(rel: str, config: Config) -> bool:
    return any(fnmatch.fnmatch(rel, pattern) for pattern in config.exclude)


def _glob(root: Path, pattern: str, exact: Callable[[], Iterable[Path]] | None = None) -> Listing:
    """The regular files `root.glob(pattern)` (or `exact()`) finds, placed relative to `root`."""
    walked = _walk(root, pattern)
    if walked is not None:
        return [(rel, os.path.join(root, rel)) for rel in walked]
    rel_of = _RelPaths(root)
    paths = exact() if exact is not None else root.glob(pattern)
    return [(rel_of(path), str(path)) for path in paths if path.is_file()]


def _walk(base: Path, pattern: str) -> list[str] | None:
    """`base.glob(pattern)`'s regular files, relative to `base`, by one walk; None when the
    walk cannot promise the same answer."""
    if os.name != "posix":
        return None
    *folders, last = pattern.split("/")
    recursive = bool(folders) and folders[-1] == "**"
    if recursive:
        folders.pop()
    odd = ("", ".", "..", "**")
    if last in odd or any(p in odd or _WILDCARDS & set(p) for p in folders):
        return None
    here = str(base)
    for name in folders:  # the literal folders on the way must be real folders, not links
        here = os.path.join(here, name)
        try:
            mode = os.lstat(here).st_mode
        except FileNotFoundError:
            return []
        except OSError:
            return None
        if not stat.S_ISDIR(mode):
            return [] if not stat.S_ISLNK(mode) else None
    prefix = "/".join(folders) + "/" if folders else ""
    found: list[str] = []
    pending = [(here, prefix)]
    while pending:
        folder, rel = pending.pop()
        try:
            listing = os.scandir(folder)
        except (PermissionError, OSError) as exc:
            if isinstance(exc, FileNotFoundError):
                continue  # removed while listed
            # A folder that cannot be listed is listed itself, as `folder/`: reading it
            # fails, so every reader reports it instead of silently missing its files.
            found.append(rel or "./")
            continue
        try:
            with listing as entries:
                for entry in entries:
                    if entry.is_symlink():
                        return None
                    if entry.is_dir(follow_symlinks=False):
                        if recursive:
                            pending.append((entry.path, f"{rel}{entry.name}/"))
                    elif entry.is_file(follow_symlinks=False) and fnmatch.fnmatchcase(
                        entry.name, last
                    ):
                        found.append(rel + entry.name)
        except OSError:
            return None
    return found


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
