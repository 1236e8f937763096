"""The plain frontmatter reader gives what PyYAML gives, or leaves the block to it."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.parse.frontmatter import split_frontmatter
from charter.parse.plain_yaml import plain_mapping

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(lines: list[str]) -> object:
    return yaml.load("\n".join(lines), Loader=_LOADER)


@pytest.mark.parametrize(
    "lines",
    [
        ["id: P0", "title: Plan P0", "owner: team", "status: active"],
        ["next_review: 2099-01-01", "level: L2"],
        ["count: 12", "zero: 0", "empty:", "after: x"],
        ["title: Ship it, then (maybe) more", "path: docs/plans/a.md", "version: v1.5.2-beta"],
        ["a: first", "a: second"],
        ["", "id: X-1", "   ", "title: y"],
        ["_private: yes-ish", "dash-key: Yes please"],
    ],
)
def test_plain_blocks_are_read_as_yaml_reads_them(lines: list[str]) -> None:
    read = plain_mapping(lines)
    assert read is not None
    assert read == _yaml(lines)
    assert [type(v) for v in read.values()] == [type(v) for v in _yaml(lines).values()]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "lines",
    [
        ["done: yes"],  # a YAML 1.1 boolean
        ["on: x"],  # a boolean key
        ["value: null"],
        ["value: ~"],
        ["octal: 012"],
        ["float: 1.5"],
        ["when: 2025-13-40"],  # not a date: PyYAML's error, not ours
        ["when: 2025-01-01 10:00:00"],
        ["title: 'quoted'"],
        ["title: a # comment"],
        ["url: https://example.com"],
        ["tags: [a, b]"],
        ["list:", "- a"],
        ["nested:", "  key: value"],
        ["  indented: x"],
        ["key:value"],
        ["key : value"],
        ["# a comment"],
        ["title: café"],
        ["title: a\tb"],
        [],
        ["", " "],
    ],
)
def test_anything_else_is_left_to_pyyaml(lines: list[str]) -> None:
    assert plain_mapping(lines) is None


_PIECES = st.sampled_from(
    [
        "id", "title", "on", "no", "Null", "x", "_k", "a-b", ":", ": ", " ", "  ", "-", "- ",
        "#", "'", '"', "[", "{", "0", "012", "7", "1.5", "2025-01-31", "2025-02-30", "yes",
        "Plan P0", "(a)", ",", "/", ".", "+", "~", "é", "\t", "true", "L2",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=5).map("".join), max_size=5))
def test_whatever_it_reads_pyyaml_reads_the_same(lines: list[str]) -> None:
    read = plain_mapping(lines)
    if read is None:
        return
    expected = _yaml(lines)
    assert read == expected
    assert isinstance(expected, dict)
    assert [type(v) for v in read.values()] == [type(v) for v in expected.values()]


def test_split_frontmatter_uses_it_and_keeps_key_lines() -> None:
    lines = ["---", "id: P0", "next_review: 2099-01-01", "---", "# Plan"]
    result = split_frontmatter(lines, "p.md")
    assert result.data == _yaml(lines[1:3])
    assert result.key_lines == {"id": 2, "next_review": 3}
    assert result.body_start_line == 5 and not result.problems
