"""Natural ordering for task IDs: ST-B-2 before ST-B-10.

Shared by the board, `charter task next` and the handoff, so every view lists
tasks in the same order.
"""

from __future__ import annotations

import re

# Splitting on digit runs gives text, number, text, number, ..., text: a key
# holds case-folded text at even positions and numbers at odd ones, so every
# position compares like with like, and a prefix (ST-1) sorts before its
# extensions (ST-1a). ASCII digits only: int() cannot read every Unicode digit.
_DIGITS = re.compile(r"([0-9]+)")

Key = tuple[tuple[str | int, ...], str]


def natural_key(text: str | None) -> Key:
    """Sort key that orders digit runs by value and text case-insensitively.

    Ties (`ST-2` and `ST-02`, `st-1` and `ST-1`) are broken by the raw text, so
    the order is total and the same on every run.
    """
    if not text:
        return ((), "")
    split = _DIGITS.split(text)
    parts: list[str | int] = list(split)
    parts[0::2] = [p.casefold() for p in split[0::2]]
    parts[1::2] = [int(p) for p in split[1::2]]
    return tuple(parts), text
