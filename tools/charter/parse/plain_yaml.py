"""Frontmatter of plain `key: value` lines, read without PyYAML.

Most plans and session logs open with a few lines such as `id: P0`, `title: "Ship it"`,
`next_review: 2099-01-01`, `started: 2025-08-25T10:00:00Z`. PyYAML builds a node graph
for them and costs about a third of a millisecond a file (0.7 s of a cold check at 2,000
plans, 0.4 s more for 5,000 session logs) and 40 ms to import.
`plain_mapping` reads a block only when every line is `key: value` at the left margin,
the value one plain scalar on its line, a quoted string without escapes, or nothing
(then items `- value` of the same kinds may follow, at one indent). Plain scalars are
resolved with PyYAML's own table (`RESOLVERS`, YAML 1.1): strings, decimal integers,
dates, timestamps and None come out as PyYAML gives them; anything else the table names
(booleans, floats, other integers), and any line of another shape (nesting, flow
collections, comments, anchors, tags, escapes, tabs), returns None and the caller asks
PyYAML. tests/parse/test_plain_yaml.py compares the two.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,127}")
# What may not open a plain scalar (YAML's indicators), and what ends or breaks one.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# Characters PyYAML reads as something else than a character of a line: controls, line
# breaks (NEL, U+2028/9), the byte-order mark, surrogates, non-characters.
_ODD = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
# PyYAML's `SafeConstructor.timestamp_regexp` (MIT), byte for byte (the test holds it so).
TIMESTAMP = re.compile(
    r"""^(?P<year>[0-9][0-9][0-9][0-9])
                -(?P<month>[0-9][0-9]?)
                -(?P<day>[0-9][0-9]?)
                (?:(?:[Tt]|[ \t]+)
                (?P<hour>[0-9][0-9]?)
                :(?P<minute>[0-9][0-9])
                :(?P<second>[0-9][0-9])
                (?:\.(?P<fraction>[0-9]*))?
                (?:[ \t]*(?P<tz>Z|(?P<tz_sign>[-+])(?P<tz_hour>[0-9][0-9]?)
                (?::(?P<tz_minute>[0-9][0-9]))?))?)?$""",
    re.X,
)

# PyYAML's implicit resolvers (yaml/resolver.py, MIT), in its order: (tag, pattern, verbose,
# the first characters it is tried on). A plain scalar that none of them matches is a
# string. tests/parse/test_plain_yaml.py holds this copy to PyYAML's, byte for byte.
_NL = "\n                    "
RESOLVERS: tuple[tuple[str, str, bool, str], ...] = (
    (
        "bool",
        f"^(?:yes|Yes|YES|no|No|NO{_NL}|true|True|TRUE|false|False|FALSE{_NL}|on|On|ON|off|Off|OFF)$",
        True,
        "yYnNtTfFoO",
    ),
    (
        "float",
        f"^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?{_NL}"
        f"|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?{_NL}"
        f"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*{_NL}"
        f"|[-+]?\\.(?:inf|Inf|INF){_NL}|\\.(?:nan|NaN|NAN))$",
        True,
        "-+0123456789.",
    ),
    (
        "int",
        f"^(?:[-+]?0b[0-1_]+{_NL}|[-+]?0[0-7_]+{_NL}|[-+]?(?:0|[1-9][0-9_]*){_NL}"
        f"|[-+]?0x[0-9a-fA-F_]+{_NL}|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
        True,
        "-+0123456789",
    ),
    ("merge", "^(?:<<)$", False, "<"),
    ("null", f"^(?: ~{_NL}|null|Null|NULL{_NL}| )$", True, "~nN"),
    (
        "timestamp",
        f"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]{_NL}"
        f"|[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?{_NL} (?:[Tt]|[ \\t]+)[0-9][0-9]?"
        f"{_NL} :[0-9][0-9] :[0-9][0-9] (?:\\.[0-9]*)?"
        f"{_NL} (?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$",
        True,
        "0123456789",
    ),
    ("value", "^(?:=)$", False, "="),
)
_BY_FIRST: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _source, _verbose, _firsts in RESOLVERS:
    for _first in _firsts:
        _compiled = re.compile(_source, re.X if _verbose else 0)
        _BY_FIRST.setdefault(_first, []).append((_tag, _compiled))


def plain_mapping(lines: list[str]) -> dict[str, Any] | None:
    """The mapping the block's lines hold, or None when one of them is not a plain
    `key: value` line (or an item `- value` of a key with no value) this module vouches
    for."""
    data: dict[str, Any] = {}
    key = ""
    items: list[Any] | None = None  # the list the last key holds, while items may follow
    indent = -1  # of those items
    for line in lines:
        if not line.strip(" "):
            continue
        if _ODD.search(line):
            return None
        dash = len(line) - len(line.lstrip(" "))
        if line.startswith("- ", dash) or line[dash:] == "-":
            # An item of a block sequence: under a key with no value, all at one indent.
            if items is None or (indent >= 0 and dash != indent):
                return None
            indent = dash
            item = _scalar(line[dash + 1 :].strip(" "))
            if item is _UNREAD or item is None:
                return None
            items.append(item)
            if len(items) == 1:
                data[key] = items
            continue
        key, colon, rest = line.partition(":")
        if not colon or (rest and rest[0] != " "):
            return None
        if not _KEY.fullmatch(key) or _resolved(key) != "str":
            return None
        value = _scalar(rest.strip(" "))
        if value is _UNREAD:
            return None
        data[key] = value
        items, indent = ([] if value is None else None), -1
    return data if data else None


_UNREAD = object()


def _scalar(text: str) -> object:
    if not text:
        return None
    first = text[0]
    if first in "'\"" and len(text) >= 2 and text[-1] == first:
        inner = text[1:-1]
        # Without the quote inside (no '' pair) and, in double quotes, no escape.
        if first not in inner and (first == "'" or "\\" not in inner):
            return inner
        return _UNREAD
    if first in _INDICATORS or ": " in text or " #" in text or text.endswith(":"):
        return _UNREAD
    tag = _resolved(text)
    if tag == "str":
        return text
    if tag == "int" and _DECIMAL.fullmatch(text):
        return int(text)
    if tag == "timestamp":
        return _timestamp(text)
    return _UNREAD


def _timestamp(text: str) -> object:
    """A date or a date and time, as PyYAML's `construct_yaml_timestamp` builds it (session
    logs say `started: 2025-08-25T10:00:00Z`); _UNREAD where it would fail."""
    found = TIMESTAMP.match(text)
    if found is None:
        return _UNREAD
    year, month, day = int(found["year"]), int(found["month"]), int(found["day"])
    try:
        if not found["hour"]:
            return datetime.date(year, month, day)
        fraction = int(found["fraction"][:6].ljust(6, "0")) if found["fraction"] else 0
        tzinfo = None
        if found["tz_sign"]:
            delta = datetime.timedelta(
                hours=int(found["tz_hour"]), minutes=int(found["tz_minute"] or 0)
            )
            tzinfo = datetime.timezone(-delta if found["tz_sign"] == "-" else delta)
        elif found["tz"]:
            tzinfo = datetime.UTC
        return datetime.datetime(
            year,
            month,
            day,
            int(found["hour"]),
            int(found["minute"]),
            int(found["second"]),
            fraction,
            tzinfo=tzinfo,
        )
    except ValueError:  # PyYAML's error (a 13th month, a 25th hour), in PyYAML's words
        return _UNREAD


def _resolved(text: str) -> str:
    for tag, pattern in _BY_FIRST.get(text[0], ()):
        if pattern.match(text):
            return tag
    return "str"
