"""`handoff --check`'s diff is difflib's unified diff, byte for byte.

charter.handoff.diff answers difflib's searches for the longest match from the
runs of equal lines found once; the recursion, opcodes and grouping are
difflib's. Random files and random edits, with lines repeated often enough for
difflib to call them popular and with runs of blank lines, must give exactly
what difflib.unified_diff gives.
"""

from __future__ import annotations

import difflib
import random

import pytest

from charter.handoff import diff


def _lines(rng: random.Random, count: int, alphabet: int) -> list[str]:
    """Lines drawn from `alphabet` common ones (repeated, some popular) and unique ones."""
    lines = []
    for n in range(count):
        roll = rng.random()
        if roll < 0.3:
            lines.append(f"common {rng.randrange(alphabet)}\n")
        elif roll < 0.4:
            lines.append("\n")
        else:
            lines.append(f"row {n} {rng.randrange(10**6)}\n")
    return lines


def _edit(rng: random.Random, lines: list[str], alphabet: int) -> list[str]:
    lines = list(lines)
    for _ in range(rng.randint(0, 6)):
        kind = rng.choice(("insert", "delete", "replace", "move", "duplicate"))
        at = rng.randrange(len(lines) + 1)
        span = rng.randint(1, 30)
        if kind == "insert":
            lines[at:at] = _lines(rng, span, alphabet)
        elif kind == "delete":
            del lines[at : at + span]
        elif kind == "replace":
            lines[at : at + span] = _lines(rng, rng.randint(0, span), alphabet)
        elif kind == "move":
            block = lines[at : at + span]
            del lines[at : at + span]
            to = rng.randrange(len(lines) + 1)
            lines[to:to] = block
        else:
            lines[at:at] = lines[at : at + span]
    return lines


@pytest.mark.parametrize("seed", range(120))
def test_the_diff_is_difflibs(seed: int) -> None:
    rng = random.Random(seed)
    count = rng.choice((0, 1, 5, 40, 199, 200, 350, 1500))
    alphabet = rng.choice((1, 3, 20))
    old = _lines(rng, count, alphabet)
    new = _edit(rng, old, alphabet) if rng.random() < 0.9 else _lines(rng, count, alphabet)
    if rng.random() < 0.3:
        old, new = new, old
    expected = list(difflib.unified_diff(old, new, "a/x.md", "b/x.md"))
    assert list(diff.unified_diff(old, new, "a/x.md", "b/x.md")) == expected


def test_over_its_budget_difflib_searches(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    old = _lines(rng, 600, 3)
    new = _edit(rng, old, 3)
    monkeypatch.setattr(diff, "BUDGET", 10)
    expected = list(difflib.unified_diff(old, new, "a/x.md", "b/x.md"))
    assert list(diff.unified_diff(old, new, "a/x.md", "b/x.md")) == expected


def test_a_handoff_edit_is_difflibs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A generated handoff's shape: a stamp line that changes, numbered rows, one row
    changed and one moved, the numbers after it shifted."""
    rows = [f"{n}. **T-{n}** Task {n} (Todo, priority P1)\n" for n in range(1, 3000)]
    old = ["<!-- stamp 1 -->\n", "# Handoff\n", "\n", *rows, "\n", "## Done\n", "\n"]
    new = list(old)
    new[0] = "<!-- stamp 2 -->\n"
    new[1500] = new[1500].replace("Todo", "In Progress")
    moved = new.pop(2000)
    new.insert(100, moved)
    expected = list(difflib.unified_diff(old, new, "a/x.md", "b/x.md"))
    assert len(expected) > 10

    def walked(*_: object) -> None:
        raise AssertionError("difflib walked the file")

    # Within its budget no search falls back to difflib's own.
    monkeypatch.setattr(difflib.SequenceMatcher, "find_longest_match", walked)
    assert list(diff.unified_diff(old, new, "a/x.md", "b/x.md")) == expected
