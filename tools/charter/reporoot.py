"""Which repository a path belongs to: the one `find_root` both the guard and the rest use.

The guard runs before every agent command, so this module imports `os` only
(no pathlib, no charter.io: tools/bench/bench_guard.py measures the difference);
`charter.io.find_root` is the same function for callers holding a `Path`.
"""

from __future__ import annotations

import os


def find_root(start: str) -> str:
    """The nearest directory, from `start` (symbolic links resolved) up, holding
    charter.toml, a pyproject.toml with [tool.charter], or .git; else `start` itself."""
    start = os.path.realpath(start)
    directory = start
    while True:
        if os.path.isfile(os.path.join(directory, "charter.toml")):
            return directory
        if _pyproject_names_charter(os.path.join(directory, "pyproject.toml")):
            return directory
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return start
        directory = parent


def _pyproject_names_charter(path: str) -> bool:
    if not os.path.isfile(path):
        return False
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return "[tool.charter" in handle.read()
    except OSError:
        return False  # a pyproject nobody may read configures nothing
