"""The paths under the repository that forbidden and protected patterns match, now.

Walking a tree of 13,000 entries costs about 100 ms; `charter run` must cost
far less. A directory's mtime changes whenever an entry is added, removed or
renamed in it, so the names matched in each directory are kept with its mtime
(under `.charter/cache/`, which no command may write) and a later walk only
`stat`s a directory whose mtime is unchanged. A directory changed in the last
two seconds is not kept: its mtime may not move again for a change within the
same clock tick.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from typing import Any

from charter.guard.paths import glob_regex

FORMAT = 1
RACY_SECONDS = 2.0

Matcher = Callable[[str, str], bool]


def find_matches(
    root: str, forbidden: list[str], protected: list[str], *, cache: str | None = None
) -> tuple[list[str], list[str]]:
    """Existing paths under `root` (resolved) matching the forbidden and the protected patterns.

    A matching directory is listed and not entered. A symbolic link is listed
    by where it points (the file a read through it reaches), when that exists.
    """
    key = [FORMAT, root, forbidden, protected]
    known = _load(cache, key)
    fresh: dict[str, Any] = {}
    is_forbidden, is_protected = _matcher(forbidden), _matcher(protected)
    found_forbidden: list[str] = []
    found_protected: list[str] = []
    now = time.time()
    stack = [""]
    while stack:
        relative_dir = stack.pop()
        directory = os.path.join(root, relative_dir) if relative_dir else root
        try:
            mtime = os.stat(directory).st_mtime_ns
        except OSError:
            continue
        record = known.get(relative_dir)
        if record is None or record[0] != mtime:
            record = _scan(directory, relative_dir, mtime, is_forbidden, is_protected)
            if record is None:
                continue
        if now - mtime / 1e9 > RACY_SECONDS:
            fresh[relative_dir] = record
        _, forbidden_names, protected_names, subdirs = record
        prefix = relative_dir + "/" if relative_dir else ""
        found_forbidden += [os.path.join(directory, name) for name in forbidden_names]
        found_protected += [os.path.join(directory, name) for name in protected_names]
        stack += [prefix + name for name in subdirs]
    if cache is not None and fresh != known:
        _store(cache, key, fresh)
    return _targets(found_forbidden), _targets(found_protected)


def _scan(
    directory: str, relative_dir: str, mtime: int, is_forbidden: Matcher, is_protected: Matcher
) -> list[Any] | None:
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return None
    prefix = relative_dir + "/" if relative_dir else ""
    forbidden: list[str] = []
    protected: list[str] = []
    subdirs: list[str] = []
    for entry in entries:
        relative = prefix + entry.name
        if is_forbidden(relative, entry.name):
            forbidden.append(entry.name)
        elif is_protected(relative, entry.name):
            protected.append(entry.name)
        elif entry.is_dir(follow_symlinks=False):
            subdirs.append(entry.name)
    return [mtime, sorted(forbidden), sorted(protected), sorted(subdirs)]


def _matcher(patterns: list[str]) -> Matcher:
    """One test for a list of patterns: two regular expressions (by path, by name)."""
    by_path: list[str] = []
    by_name: list[str] = []
    for pattern in patterns:
        anchored, regex = glob_regex(pattern)
        (by_path if anchored else by_name).append(f"(?:{regex.pattern})")
    path_regex = re.compile("|".join(by_path), re.IGNORECASE) if by_path else None
    name_regex = re.compile("|".join(by_name), re.IGNORECASE) if by_name else None

    def matches(relative: str, name: str) -> bool:
        return bool(
            (name_regex is not None and name_regex.match(name))
            or (path_regex is not None and path_regex.match(relative))
        )

    return matches


def _targets(paths: list[str]) -> list[str]:
    found = set()
    for path in paths:
        if os.path.islink(path):
            path = os.path.realpath(path)
            if not os.path.exists(path):
                continue
        found.add(path)
    return sorted(found)


def _load(cache: str | None, key: list[Any]) -> dict[str, Any]:
    if cache is None:
        return {}
    try:
        with open(cache, "rb") as handle:
            data = json.loads(handle.read())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("key") != key:
        return {}
    dirs = data.get("dirs")
    return dirs if isinstance(dirs, dict) else {}


def _store(cache: str, key: list[Any], dirs: dict[str, Any]) -> None:
    # a cache that cannot be written only costs the next run a walk
    try:
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        temporary = f"{cache}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump({"key": key, "dirs": dirs}, handle, separators=(",", ":"))
        os.replace(temporary, cache)
    except OSError:
        pass
