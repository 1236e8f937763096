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
    parts: list[str | int] = _DIGITS.split(text)
    for index in range(0, len(parts), 2):
        parts[index] = str(parts[index]).casefold()
    for index in range(1, len(parts), 2):
        parts[index] = int(parts[index])
    return tuple(parts), text
