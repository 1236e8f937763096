"""`handoff --check`'s diff: difflib's unified diff, the same bytes, found in one pass.

difflib's SequenceMatcher finds the matching blocks by recursion: the longest
matching block of a range, then the same left and right of it, each search a
walk over its whole range. On a 62,000-line handoff with a few rows changed
that is the file walked about seven times, a tenth of an edit's `--check`.

The longest match difflib finds in a range is, exactly: the longest of the
maximal diagonal runs of equal lines (`a[i + t] == b[j + t]`, none of them a
line difflib calls popular) clipped to the range, the first by `i`, then by
`j`, among those as long; then extended over equal lines at both ends as far as
the range allows (difflib's own extension, kept as it is). So the runs are
found once, and every search asks only them; difflib's recursion, opcodes and
grouping are its own. Where the files share so many short runs that asking
them would cost more than difflib's walks, difflib searches instead.
"""

from __future__ import annotations

import difflib
import operator
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import groupby

# Run clips looked at over all searches, past which difflib's own search takes over.
BUDGET = 400_000


def unified_diff(a: Sequence[str], b: Sequence[str], fromfile: str, tofile: str) -> Iterator[str]:
    """difflib.unified_diff(a, b, fromfile, tofile): the same lines."""
    matcher = _Matcher(a, b)
    try:
        groups = list(matcher.get_grouped_opcodes(3))
    except _OverBudget:
        groups = list(difflib.SequenceMatcher(None, a, b).get_grouped_opcodes(3))
    for n, group in enumerate(groups):
        if n == 0:
            yield f"--- {fromfile}\n"
            yield f"+++ {tofile}\n"
        first, last = group[0], group[-1]
        yield f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from (" " + line for line in a[i1:i2])
                continue
            if tag in ("replace", "delete"):
                yield from ("-" + line for line in a[i1:i2])
            if tag in ("replace", "insert"):
                yield from ("+" + line for line in b[j1:j2])


def _range(start: int, stop: int) -> str:
    """A hunk's range as unified diffs write it (difflib._format_range_unified)."""
    beginning, length = start + 1, stop - start
    if length == 1:
        return str(beginning)
    if not length:
        beginning -= 1
    return f"{beginning},{length}"


class _OverBudget(Exception):
    pass


class _Matcher(difflib.SequenceMatcher[str]):
    """A SequenceMatcher (no junk, popular lines as difflib's default) whose search for
    the longest match asks the runs found once."""

    def __init__(self, a: Sequence[str], b: Sequence[str]):
        self._runs: list[tuple[int, int, int]] | None = None
        self._spent = 0
        self._a, self._b = a, b
        super().__init__(None, a, b)

    # difflib calls its private __chain_b from set_seq2: this name overrides it.
    def _SequenceMatcher__chain_b(self) -> None:
        """Only what difflib's later steps read: no index of `b` (the runs replace it)."""
        self.b2j: dict[str, list[int]] = {}
        self.bjunk: set[str] = set()
        self.bpopular: set[str] = set()
        self._runs = None

    def find_longest_match(
        self, alo: int = 0, ahi: int | None = None, blo: int = 0, bhi: int | None = None
    ) -> difflib.Match:
        a, b = self._a, self._b
        ahi = len(a) if ahi is None else ahi
        bhi = len(b) if bhi is None else bhi
        if self._runs is None:
            self._runs = _runs(a, b)
        self._spent += len(self._runs)
        if self._spent > BUDGET:
            raise _OverBudget
        besti, bestj, bestsize = alo, blo, 0
        for i, j, size in self._runs:
            # The run clipped to the range: i - j stays, both ends move in.
            skip = max(alo - i, blo - j, 0)
            end = min(ahi - i, bhi - j, size)
            length = end - skip
            if length <= 0:
                continue
            start_i, start_j = i + skip, j + skip
            if length > bestsize or (length == bestsize and (start_i, start_j) < (besti, bestj)):
                besti, bestj, bestsize = start_i, start_j, length
        # difflib's extension over equal lines (popular ones too; nothing is junk).
        while besti > alo and bestj > blo and a[besti - 1] == b[bestj - 1]:
            besti, bestj, bestsize = besti - 1, bestj - 1, bestsize + 1
        while (
            besti + bestsize < ahi
            and bestj + bestsize < bhi
            and (a[besti + bestsize] == b[bestj + bestsize])
        ):
            bestsize += 1
        return difflib.Match(besti, bestj, bestsize)


def _runs(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int]]:
    """The maximal diagonal runs (i, j, length) of equal lines, popular ones left out,
    by `i`. Lines once in `b` pair at most once: their runs are found in one pass over
    `a`; the pairs of lines repeated in `b` (blank lines, fences) join them after."""
    counts = Counter(b)
    many = [line for line, count in counts.items() if count > 1]
    once = dict(zip(b, range(len(b)), strict=True))
    for line in many:
        del once[line]
    if len(b) >= 200:  # difflib's autojunk: popular lines never start nor carry a match
        most = len(b) // 100 + 1
        many = [line for line in many if counts[line] <= most]
    repeated = set(many)
    # Each line of `a` on its diagonal j - i in `b` (C-level maps): a line not once in `b`
    # gets a diagonal of its own, below any real one, so that it joins no run.
    below = len(a) + 2
    found = map(once.get, a, range(-below, -below - 2 * len(a), -2))
    diagonals = map(operator.sub, found, range(len(a)))
    segments: list[tuple[int, int, int]] = []  # (i - j, i, length), to sort by diagonal
    i = 0
    for diagonal, group in groupby(diagonals):
        size = len(list(group))
        if diagonal > -below:
            segments.append((-diagonal, i, size))
        i += size
    if repeated:
        places: dict[str, list[int]] = {}
        for j in (j for j, line in enumerate(b) if line in repeated):
            places.setdefault(b[j], []).append(j)
        for i in (i for i, line in enumerate(a) if line in repeated):
            segments.extend((i - j, i, 1) for j in places[a[i]])
        segments.sort()
        merged: list[tuple[int, int, int]] = []
        for diagonal, i, length in segments:
            if merged:
                last_diagonal, last_i, last_length = merged[-1]
                if last_diagonal == diagonal and last_i + last_length == i:
                    merged[-1] = (diagonal, last_i, last_length + length)
                    continue
            merged.append((diagonal, i, length))
        segments = merged
    return sorted((i, i - diagonal, length) for diagonal, i, length in segments)
