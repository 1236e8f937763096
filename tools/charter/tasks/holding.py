"""Which of many files' bytes hold a string: one search through all of them at once.

A task edit at 50,000 tasks looks for its ID in 2,000 plans, and the edit gate for the
plan's IDs in the same 2,000: that many searches of a few kilobytes cost more in calls
than the bytes they scan. Joined (a NUL between files, a byte no ID holds) they are one
search through megabytes, each hit placed by its offset. What is found is a candidate;
the caller's own test of each candidate decides.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence


def holding(datas: Sequence[bytes | None], key: bytes) -> list[int]:
    """The indices of `datas` (None: a file not read) whose bytes hold `key`, in order."""
    if not key or b"\0" in key:
        return [n for n, data in enumerate(datas) if data is not None and key in data]
    pieces = [b"" if data is None else data for data in datas]
    starts: list[int] = []
    at = 0
    for piece in pieces:
        starts.append(at)
        at += len(piece) + 1
    blob = b"\0".join(pieces)
    found: list[int] = []
    hit = blob.find(key)
    while hit >= 0:
        # The NUL keeps a hit inside one file: the key holds none.
        n = bisect.bisect_right(starts, hit) - 1
        found.append(n)
        hit = blob.find(key, starts[n] + len(pieces[n]))
    return found


def common_prefix(words: Sequence[bytes]) -> bytes:
    """The longest prefix every one of `words` starts with."""
    if not words:
        return b""
    low, high = min(words), max(words)  # what the extremes share, all share
    n = 0
    while n < min(len(low), len(high)) and low[n] == high[n]:
        n += 1
    return low[:n]
