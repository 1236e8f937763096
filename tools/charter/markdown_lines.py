"""Readings of single lines the way markdown-it's block rules read them (markers,
thematic breaks, table cells, link reference labels), and the lines of a document
`markdown_scan` leaves to markdown-it, found in one pass over its text."""

from __future__ import annotations

import re
from typing import NamedTuple

# A line the scanner does not read, wherever it stands: one that may be a setext
# underline of `=`, or start a fence, a block quote or an HTML block (lines start after
# the "\n" each match begins with).
_UNKNOWN_LINE = re.compile(r"\n *(?=[=`~<>])(?:=+ *$|```|~~~|[<>])", re.M)
# A tab (indentation counts columns), a carriage return or a NUL (markdown-it rewrites
# them) anywhere in a line.
_ODD_CHARACTER = re.compile(r"[\t\r\0]")
# A line that may be a thematic break or a setext underline of `-`.
_RULE_LINE = re.compile(r"\n *[-*_][-*_ ]*$", re.M)
_DIGITS = "0123456789"
# markdown-it's mdTrim (tests/test_markdown_scan.py checks it against markdown-it's).
MD_TRIM_CHARS = (
    "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


class Marks(NamedTuple):
    """Lines of a document the scanner looks at twice, found in one pass over its text."""

    unknown: list[int]  # lines it does not read (see `_UNKNOWN_LINE`, `_ODD_CHARACTER`)
    rules: list[int]  # lines that may be a thematic break or a setext underline


def marks(text: str) -> Marks:
    unknown = _line_numbers(_UNKNOWN_LINE, "\n" + text, text)
    if "\t" in text or "\r" in text or "\0" in text:
        unknown = sorted(set(unknown + _line_numbers(_ODD_CHARACTER, text, text)))
    return Marks(unknown, _line_numbers(_RULE_LINE, "\n" + text, text))


def _line_numbers(pattern: re.Pattern[str], searched: str, text: str) -> list[int]:
    """0-based lines of `text` where matches in `searched` start (in `text`, or just
    before a line of it when `searched` is `text` after a "\n")."""
    found: list[int] = []
    line = previous = 0
    for match in pattern.finditer(searched):
        line += text.count("\n", previous, match.start())
        previous = match.start()
        found.append(line)
    return found


def line_count(lines: list[str]) -> int:
    """The lines markdown-it counts: a last line of only spaces (or nothing) is not one."""
    if lines and not lines[-1].strip(" \t"):
        return len(lines) - 1
    return len(lines)


def cell_count(header: str) -> int:
    """The cells of a table row as markdown-it's escapedSplit counts them, without the
    empty ones a leading and a trailing pipe make."""
    pipes = header.count("|") if "\\" not in header else len(_UNESCAPED_PIPE.findall(header))
    cells = pipes + 1 - header.startswith("|")
    if header.endswith("|") and not header.endswith("\\|"):
        cells -= 1
    return cells


def is_thematic_break(text: str, at: int, marker: str) -> bool:
    # Most lines that start with a marker are list items: their second or third
    # character is already neither the marker nor a space.
    second = text[at + 1 : at + 2]
    if second not in (marker, " ", "") or (
        second == " " and text[at + 2 : at + 3] not in (marker, " ", "")
    ):
        return False
    rest = text[at:]
    return rest.count(marker) >= 3 and not rest.replace(marker, "").strip(" ")


def maybe_reference(text: str, at: int) -> bool:
    """Whether a link reference definition may start at `at` (a `[`): markdown-it's rule
    reads to the label's first `]` and wants a `:` right after it."""
    for n in range(at + 1, len(text)):
        char = text[n]
        if char == "[":
            return False
        if char == "]":
            return text.startswith(":", n + 1)
        if char == "\\":
            return True  # an escape: leave it to markdown-it
    return True  # the label may go on to the next line


def bullet_marker(text: str, at: int) -> int:
    """markdown-it's skipBulletListMarker: the offset after `-`, `*` or `+`, or -1."""
    if at >= len(text) or text[at] not in "*-+":
        return -1
    if at + 1 < len(text) and text[at + 1] != " ":
        return -1
    return at + 1


def ordered_marker(text: str, at: int) -> int:
    """markdown-it's skipOrderedListMarker: the offset after `1.` or `1)`, or -1."""
    end = len(text)
    if at + 1 >= end or text[at] not in _DIGITS:
        return -1
    pos = at + 1
    while True:
        if pos >= end:
            return -1
        char = text[pos]
        pos += 1
        if char in _DIGITS:
            if pos - at >= 10:
                return -1
            continue
        if char in ").":
            break
        return -1
    if pos < end and text[pos] != " ":
        return -1
    return pos


def fence_end(lines: list[str], at: int, count: int) -> int | None:
    """Where a fence that opens a top-level block at line `at` ends, read as markdown-it's
    fence rule reads it: the line after its closing line, or `count` (the lines markdown-it
    counts, `line_count`) when it never closes. None when the line opens no fence this
    reading vouches for (`fence_opener`). The caller makes sure no line holds a carriage
    return (markdown-it splits lines there too)."""
    opener = fence_opener(lines[at])
    if opener is None:
        return None
    fence = opener[0] * opener[1]
    for line in range(at + 1, count):
        if _closes(lines[line], fence):
            return line + 1
    return count


def fence_opener(text: str) -> tuple[str, int] | None:
    """The marker and length of the fence `text` opens where a top-level block starts;
    None when it opens none, or may be read first as indented code, a table's header
    (`|`), or holds a tab before the marker or a carriage return (this reading does not
    follow those)."""
    indent = len(text) - len(text.lstrip(" "))
    marker = text[indent : indent + 1]
    if indent >= 4 or marker not in ("`", "~") or "|" in text or "\r" in text:
        return None
    length = len(text) - indent - len(text[indent:].lstrip(marker))
    if length < 3 or (marker == "`" and "`" in text[indent + length :]):
        return None
    return marker, length


def _closes(text: str, fence: str) -> bool:
    """Whether a line closes a top-level fence opened by `fence`: as many markers or more
    after less than four columns of spaces and tabs, then only spaces and tabs."""
    rest = text.lstrip(" \t")
    if not rest.startswith(fence):
        return False
    columns = 0
    for char in text[: len(text) - len(rest)]:
        columns += 4 - columns % 4 if char == "\t" else 1
    return columns < 4 and not rest.lstrip(fence[0]).strip(" \t")
