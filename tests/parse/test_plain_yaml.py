"""The plain frontmatter reader gives what PyYAML gives, or leaves the block to it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.config import Config
from charter.parse import frontmatter
from charter.parse.frontmatter import split_frontmatter
from charter.parse.plain_yaml import RESOLVERS, TIMESTAMP, plain_mapping
from charter.parse.plans import parse_plan
from tests.conftest import CORPORA, EXAMPLES

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
        ["title: 'quoted: # kept'", "other: \"double 'quoted'\"", "title2: café 中文"],
        ["id: 20260319-1302-setup", "path: docs/PRD-a.md", "url: https://x.org/a#b", "n: C#"],
        ["v: 1.5.2-beta", "size: 10 MB", "when: 2025-01-01"],
        ["owners:", "  - Codex", '  - "Ana B"', "risk: high", "tags:", "- a", "- 12"],
        ["started: 2025-08-25T10:00:00Z", "ended: 2025-08-25t10:00:00"],
        ["when: 2025-01-01 10:00:00", "later: 2025-1-2 3:04:05", "more: 2001-12-14 21:59:43.10 -5"],
        ["at: 2025-01-01T10:00:00.1234567+05:30", "dates:", "  - 2025-01-01T00:00:00-02"],
    ],
)
def test_plain_blocks_are_read_as_yaml_reads_them(lines: list[str]) -> None:
    read = plain_mapping(lines)
    assert read is not None
    assert read == _yaml(lines)
    assert repr(read) == repr(_yaml(lines))  # the same types, time zones included


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
        ["when: 2025-01-01T25:00:00Z"],  # not a time: PyYAML's error
        ["when: 2025-02-30T10:00:00Z"],
        ["when: 2025-01-01T10:00:00+24:00"],  # not an offset datetime takes
        ["title: 'it''s'"],
        ['title: "a \\n b"'],
        ["title: 'open"],
        ["title: a # comment"],
        ["title: a: b"],
        ["title: a:"],
        ["ref: *anchor"],
        ["tag: !str x"],
        ["hex: 0x1F"],
        ["merge: <<"],
        ["time: 12:30"],
        ["tags: [a, b]"],
        ["list:", "  - a", "    - b"],
        ["list:", "  - a", " - b"],
        ["list:", "  -"],
        ["list:", "  - a: b"],
        ["value: v", "  - a"],
        ["value: v", "  more"],
        ["- a"],
        ["nested:", "  key: value"],
        ["  indented: x"],
        ["key:value"],
        ["key : value"],
        ["# a comment"],
        ["bom: a\ufeffb"],
        ["nel: a\x85b"],
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
        "Plan P0", "(a)", ",", "/", ".", "+", "~", "é", "\t", "true", "L2", "*", "&", "!",
        "%", "@", "`", "|", ">", "?", "<<", "=", "\\", "0x1", "1e+5", ".inf", "12:30", "''",
        "k:", "k: ", "   ", "  - ", "- x", "2025-08-25T10:00:00", "T", "Z", "t", "2025-1-2",
        " 3:04:05", "1:00:00", ".5", "-05", "+05:30", "2025-13-01 1:00:00",
    ]
)  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=5).map("".join), max_size=5))
def test_whatever_it_reads_pyyaml_reads_the_same(lines: list[str]) -> None:
    read = plain_mapping(lines)
    if read is None:
        return
    expected = _yaml(lines)
    assert read == expected
    assert isinstance(expected, dict)
    assert repr(read) == repr(expected)  # the same types, time zones included


def test_its_resolvers_are_pyyaml_s() -> None:
    from yaml.resolver import Resolver

    theirs = [
        (first, tag.rsplit(":", 1)[1], pattern.pattern, bool(pattern.flags & re.X))
        for first, pairs in sorted(Resolver.yaml_implicit_resolvers.items())
        for tag, pattern in pairs
        if first not in ("!", "&", "*")  # the `yaml` tag: never a plain value this reader accepts
    ]
    ours = [
        (first, tag, source, verbose)
        for first in sorted({""} | {f for *_, firsts in RESOLVERS for f in firsts})
        for tag, source, verbose, firsts in RESOLVERS
        if ((first in firsts) if first else tag == "null")  # "" is in every string
    ]
    assert ours == theirs


def test_its_timestamp_pattern_is_pyyaml_s() -> None:
    from yaml.constructor import SafeConstructor

    theirs = SafeConstructor.timestamp_regexp
    assert (TIMESTAMP.pattern, TIMESTAMP.flags) == (theirs.pattern, theirs.flags)


def test_split_frontmatter_uses_it_and_keeps_key_lines() -> None:
    lines = ["---", "id: P0", "next_review: 2099-01-01", "---", "# Plan"]
    result = split_frontmatter(lines, "p.md")
    assert result.data == _yaml(lines[1:3])
    assert result.key_lines == {"id": 2, "next_review": 3}
    assert result.body_start_line == 5 and not result.problems


def _documents() -> list[Path]:
    found = sorted(EXAMPLES.glob("*.md")) + sorted(CORPORA.glob("**/*.md"))
    return [p for p in found if p.is_file()]


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is not checked out here")
def test_real_documents_parse_the_same_without_the_plain_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    documents = _documents()
    config = Config(root=CORPORA)
    read: list[object] = []

    def counted(lines: list[str]) -> dict[str, object] | None:
        found = plain_mapping(lines)
        read.append(found)
        return found

    monkeypatch.setattr(frontmatter, "plain_mapping", counted)
    fast = [parse_plan(str(p), p.read_bytes(), config) for p in documents]
    monkeypatch.setattr(frontmatter, "plain_mapping", lambda lines: None)
    full = [parse_plan(str(p), p.read_bytes(), config) for p in documents]
    assert fast == full
    assert sum(1 for found in read if found is not None) >= 10  # the reader had work to do
