"""The handoff's text normalisation: each line without trailing space, runs of blank
lines as one, none at either end; the same as doing it line by line."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from charter.handoff.regenerate import _normalise


def _line_by_line(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    collapsed: list[str] = []
    for line in lines:
        if line or (collapsed and collapsed[-1]):
            collapsed.append(line)
    return "\n".join(collapsed).strip("\n") + "\n"


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b c", " ", "\t", "\n", "\r\n", "\r", "\x0c", "\u2028", "x "]))
)
def test_normalising_the_text_at_once_is_doing_it_line_by_line(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _normalise(text) == _line_by_line(text)
