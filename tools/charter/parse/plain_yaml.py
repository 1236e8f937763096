"""Frontmatter of plain `key: value` lines, read without PyYAML.

Most plans and session logs open with a few lines such as `id: P0`, `status: active`,
`next_review: 2099-01-01`. PyYAML builds a node graph for them and costs about a
third of a millisecond a file (0.7 s of a cold check at 2,000 plans) and 40 ms to
import. `plain_mapping` reads a block only when every line is one of these shapes,
and gives exactly what PyYAML's safe loader gives for it: a plain word or phrase (a
string), a decimal integer, a date, or nothing (None). Anything else (quotes, lists,
nesting, comments, flow collections, any word YAML 1.1 resolves to a boolean or
null, any character outside a small set) returns None, and the caller asks PyYAML;
tests/parse/test_plain_yaml.py compares the two.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,127}")
# A plain scalar that is a string in YAML whatever follows its first letter: no `:` or
# `#` (mapping values, comments), no quote, bracket or brace, ASCII only.
_WORDS = re.compile(r"[A-Za-z][A-Za-z0-9 _./()+,-]*")
_INTEGER = re.compile(r"0|[1-9][0-9]*")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# What YAML 1.1 (PyYAML's resolver) reads as a boolean or null, not a string.
_NOT_STRINGS = frozenset(
    form
    for word in ("yes", "no", "true", "false", "on", "off", "null")
    for form in (word, word.capitalize(), word.upper())
)


def plain_mapping(lines: list[str]) -> dict[str, Any] | None:
    """The mapping the block's lines hold, or None when one of them is not a plain
    `key: value` line this module vouches for."""
    data: dict[str, Any] = {}
    for line in lines:
        if not line.strip(" "):
            continue
        key, colon, rest = line.partition(":")
        if not colon or (rest and rest[0] != " "):
            return None
        if not _KEY.fullmatch(key) or key in _NOT_STRINGS:
            return None
        value = _scalar(rest.strip(" "))
        if value is _UNREAD:
            return None
        data[key] = value
    return data if data else None


_UNREAD = object()


def _scalar(text: str) -> object:
    if not text:
        return None
    if _WORDS.fullmatch(text):
        return text if text not in _NOT_STRINGS else _UNREAD
    if _INTEGER.fullmatch(text):
        return int(text)
    date = _DATE.fullmatch(text)
    if date:
        try:
            return datetime.date(int(date[1]), int(date[2]), int(date[3]))
        except ValueError:
            return _UNREAD
    return _UNREAD
