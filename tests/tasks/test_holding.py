"""One search through many files' bytes finds exactly the files a search of each finds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from charter.tasks.holding import common_prefix, holding

FILES = st.lists(st.one_of(st.none(), st.binary(max_size=40)), max_size=12)
KEYS = st.binary(min_size=0, max_size=4)


@given(datas=FILES, key=KEYS)
def test_holding_finds_what_a_search_of_each_file_finds(
    datas: list[bytes | None], key: bytes
) -> None:
    expected = [n for n, data in enumerate(datas) if data is not None and key in data]
    assert holding(datas, key) == expected


def test_a_key_at_a_file_s_edge_is_found_and_never_across_two_files() -> None:
    datas: list[bytes | None] = [b"xxP1", b"2-3yy", None, b"P12-3", b"", b"P12-3P12-3"]
    assert holding(datas, b"P12-3") == [3, 5]
    assert holding(datas, b"P1") == [0, 3, 5]


@given(words=st.lists(st.binary(max_size=6), max_size=6))
def test_common_prefix_is_the_longest_every_word_starts_with(words: list[bytes]) -> None:
    prefix = common_prefix(words)
    assert all(word.startswith(prefix) for word in words)
    if words:
        longer = [w[: len(prefix) + 1] for w in words]
        assert len(set(longer)) > 1 or any(len(w) == len(prefix) for w in words)
