"""Walking plain JSON data by paths: every node of a cache's contents, and a copy with
one node replaced (the "well-formed but wrong" cache cases)."""

from __future__ import annotations

from typing import Any


def node_paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every node of `data`, itself first."""
    found = [path]
    if isinstance(data, list):
        for i, item in enumerate(data):
            found += node_paths(item, (*path, i))
    elif isinstance(data, dict):
        for key, item in data.items():
            found += node_paths(item, (*path, key))
    return found


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    """`data` with the node at `path` set to `value` (in place below the root)."""
    if not path:
        return value
    data[path[0]] = replaced(data[path[0]], path[1:], value)
    return data
