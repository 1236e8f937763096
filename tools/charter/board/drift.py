"""The drift `charter board --check` prints: a unified diff of each board file.

On long files only the lines between the common start and end are compared
(with their context): difflib indexes every line of both texts, a quarter of
a second for a board of 50,000 rows that differs in a few.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator


def unified_diffs(changed: Iterable[tuple[str, str | None, str]]) -> str:
    """The diffs of (path, old text or None, new text), as `git diff` shows them."""
    chunks: list[str] = []
    for rel, old, new in changed:
        old_lines = (old or "").splitlines(keepends=True)
        new_lines = new.splitlines(keepends=True)
        fromfile = f"a/{rel}" if old is not None else "/dev/null"
        for line in _unified(old_lines, new_lines, fromfile, f"b/{rel}"):
            if not line.endswith("\n"):
                line += "\n\\ No newline at end of file\n"
            chunks.append(line)
    return "".join(chunks)


_CONTEXT = 3  # difflib's default
_HUNK = re.compile(r"@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@\n")
_LONG = 2_000  # lines: below this difflib compares the whole files


def _unified(old: list[str], new: list[str], fromfile: str, tofile: str) -> Iterator[str]:
    """`difflib.unified_diff`, on long files only over the lines between their common start
    and end (with the context lines): a board of 50,000 lines that differs in a few took
    difflib a quarter of a second to index. The hunks' line numbers are shifted back. Where
    repeated lines (blank lines, table rules) allow several alignments, difflib over the
    middle may pick another than over the whole file: still a diff that turns one into the
    other (tests/board/test_board_patch.py applies it)."""
    if len(old) < _LONG and len(new) < _LONG:
        yield from difflib.unified_diff(old, new, fromfile, tofile)
        return
    most = min(len(old), len(new))
    head = 0
    while head < most and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < most - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    start = max(0, head - _CONTEXT)
    keep = max(0, tail - _CONTEXT)
    lines = difflib.unified_diff(old[start : len(old) - keep], new[start : len(new) - keep])
    for n, line in enumerate(lines):
        if n == 0:
            yield f"--- {fromfile}\n"
        elif n == 1:
            yield f"+++ {tofile}\n"
        else:
            hunk = _HUNK.fullmatch(line)
            if hunk is None:
                yield line
            else:
                a, b, c, d = hunk.groups()
                yield f"@@ -{int(a) + start}{b or ''} +{int(c) + start}{d or ''} @@\n"
