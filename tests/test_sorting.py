"""Natural sort of task IDs: numbers by value, so ST-B-2 comes before ST-B-10."""

from __future__ import annotations

import random

import pytest

from charter.sorting import natural_key


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (["ST-B-10", "ST-B-2", "ST-B-1"], ["ST-B-1", "ST-B-2", "ST-B-10"]),
        (["ST-B-1a", "ST-B-1", "ST-B-2"], ["ST-B-1", "ST-B-1a", "ST-B-2"]),
        (["ST-C-1", "ST-B-100", "st-b-3"], ["st-b-3", "ST-B-100", "ST-C-1"]),
        (["T-02", "T-2", "T-1"], ["T-1", "T-02", "T-2"]),
        (["CH-9", "CH-10", "CH-09"], ["CH-09", "CH-9", "CH-10"]),
        (["10", "9", "x"], ["9", "10", "x"]),
        (["A-²", "A-1"], ["A-1", "A-²"]),  # a non-ASCII digit is text, not a number
    ],
)
def test_natural_order(ids: list[str], expected: list[str]) -> None:
    assert sorted(ids, key=natural_key) == expected


def test_order_is_total_and_independent_of_input_order() -> None:
    ids = ["ST-2", "ST-02", "st-2", "ST-10", "ST-1", "", "ST-1a", "AB-3"]
    expected = sorted(ids, key=natural_key)
    rng = random.Random(7)
    for _ in range(50):
        shuffled = ids[:]
        rng.shuffle(shuffled)
        assert sorted(shuffled, key=natural_key) == expected


def test_missing_id_sorts_first() -> None:
    assert sorted(["A-1", None, "B-2"], key=natural_key) == [None, "A-1", "B-2"]
