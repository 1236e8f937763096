"""The only module that imports markdown_it.

It turns a document into a flat outline of the blocks charter cares about —
list items (with nesting), table rows, headings — each with its 0-based source
line. Code fences, HTML blocks and indented code never yield list items or
tables, which is how checkboxes inside them are ignored. Inline parsing is
disabled: charter reads raw lines, and it halves the parse time. Most of a
plan never reaches markdown-it: `markdown_scan` reads what it knows with the
same result, about twelve times faster (see `outline`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from charter import markdown_lines, markdown_scan
from charter.markdown_outline import Heading as Heading
from charter.markdown_outline import ListItem as ListItem
from charter.markdown_outline import Outline as Outline
from charter.markdown_outline import Table as Table

# Deep enough for any real document (a list level costs two); deeper content is
# reported, not silently dropped as markdown-it does past maxNesting.
MAX_NESTING = 400


_PARSER: Any = None


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table")
        md.disable(["inline", "text_join"], ignoreInvalid=True)
        _PARSER = md
    return _PARSER


def outline(text: str) -> Outline:
    """Parse `text` (LF line endings) into an Outline.

    The fast scanner (`markdown_scan`) reads what it knows, which is all of most plans.
    From the line where it gives up, markdown-it parses up to the next top-level bullet
    item (`_cut`) and that item's line: when its tokens prove that the line starts a
    top-level item, the scanner goes on from there; otherwise markdown-it tries the
    next such line, and after a few the rest (`_in_pieces`). The outline is the one a
    single parse of markdown-it gives (tests/test_markdown_scan.py,
    tests/test_markdown_chunks.py)."""
    lines = text.split("\n")
    result, depth = Outline(), _Depth()
    if not SCAN:
        return _in_pieces(lines, 0, result, depth)
    found = markdown_lines.marks(text)
    start = 0
    while True:
        scanned = markdown_scan.scan(lines, start, found, len(result.items))
        result.items.extend(scanned.items)
        result.headings.extend(scanned.headings)
        result.tables.extend(scanned.tables)
        if scanned.restart is None:
            return depth.finish(result)
        start, end = scanned.restart, scanned.unknown
        if start == end and "\r" not in text:  # a top-level block the scanner does not read
            after = markdown_lines.fence_end(lines, start, markdown_lines.line_count(lines))
            if after is not None:  # a fence: nothing in it is a block; read on after it
                start = after
                continue
        for _ in range(_TRIES):
            end = _cut(lines, end + 1)
            if end >= len(lines):
                return _in_pieces(lines, start, result, depth)
            try:
                tokens = _parser().parse("\n".join(lines[start : end + 1]))
            except RecursionError:
                return Outline(too_deep_line=0)
            proven = _top_item_at(tokens, end - start)
            if proven is not None:
                break
        else:
            return _in_pieces(lines, start, result, depth)
        _outline_from_tokens(tokens[:proven], start, result, depth)
        start = end


# How many top-level bullet lines after the scanner gave up markdown-it tries before it
# parses the rest alone: a bullet line can be inside a fence or an HTML block.
_TRIES = 4


def _top_item_at(tokens: list[Any], line: int) -> int | None:
    """The index of the token opening a top-level list item at `line` (the last line
    parsed), if any. Then every block above it ended for a reason within the lines
    parsed: markdown-it parses them the same with the lines after it."""
    for index in range(len(tokens) - 1, -1, -1):
        token = tokens[index]
        if token.type == "list_item_open" and token.level == 1:
            return index if token.map and token.map[0] == line else None
    return None


def _in_pieces(lines: list[str], start: int, result: Outline, depth: _Depth) -> Outline:
    """markdown-it alone from `start` (where a top-level block starts) on. A long
    document is parsed a piece at a time: markdown-it keeps an object per block token
    (about 30 for a task with four fields, 500 MiB for one plan of 50,000 tasks). A piece
    ends where a top-level bullet item starts (`_cut`), and only when its tokens prove
    that the line really starts one: they end by closing a top-level list that runs to
    the end of the piece. Otherwise the rest is parsed in one go."""
    if len(lines) - start <= CHUNK_LINES:
        return _parsed("\n".join(lines[start:]), start, result, depth)
    while start < len(lines):
        end = _cut(lines, start + CHUNK_LINES)
        try:
            tokens = _parser().parse("\n".join(lines[start:end]))
        except RecursionError:
            return Outline(too_deep_line=0)
        if end < len(lines) and not _ends_in_top_list(tokens, end - start):
            return _parsed("\n".join(lines[start:]), start, result, depth)
        _outline_from_tokens(tokens, start, result, depth)
        del tokens  # before the next piece is parsed
        start = end
    return depth.finish(result)


# Whether the fast scanner reads what it can (tests turn it off to compare).
SCAN = True


# Lines parsed at once (see `outline`): about 15 MiB of tokens for a plan's checklist.
CHUNK_LINES = 20_000
_TOP_BULLET = re.compile(r"[-*+][ \t]+\S")
_THEMATIC_BREAK = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*$")
# A line that may be a table's delimiter row: a table whose header is a bullet item
# starts there when the document is parsed from that item on, not when parsed whole.
_DELIMITER_ROW = re.compile(r"[ \t]*[|:-][|:\- \t]+$")


def _cut(lines: list[str], at: int) -> int:
    """The first line from `at` that starts a top-level bullet item with content (which
    ends any paragraph above it, unlike an ordered item or an empty one), and is not the
    header of a table, or the end."""
    for n in range(at, len(lines)):
        line = lines[n]
        if _TOP_BULLET.match(line) and not _THEMATIC_BREAK.match(line):
            if n + 1 < len(lines) and "|" in line and _DELIMITER_ROW.match(lines[n + 1]):
                continue
            return n
    return len(lines)


def _ends_in_top_list(tokens: list[Any], end: int) -> bool:
    """Whether the tokens end with a top-level list whose last item runs to line `end`: then
    the line after the piece was not inside a fence, an HTML block, a table or a quote."""
    if not tokens or tokens[-1].level != 0:
        return False
    if tokens[-1].type not in ("bullet_list_close", "ordered_list_close"):
        return False
    for token in reversed(tokens):
        if token.type == "list_item_open" and token.level == 1:
            return bool(token.map) and token.map[1] == end
    return False


def _parsed(text: str, offset: int, into: Outline, depth: _Depth) -> Outline:
    try:
        tokens = _parser().parse(text)
    except RecursionError:
        return Outline(too_deep_line=0)
    _outline_from_tokens(tokens, offset, into, depth)
    return depth.finish(into)


@dataclass
class _Depth:
    """The deepest nesting seen over the pieces of a document."""

    level: int = 0  # of any token
    mapped: int = -1  # of a token with a source line
    line: int = 0  # the first such token's 0-based line

    def finish(self, result: Outline) -> Outline:
        if self.level >= MAX_NESTING - 2:
            result.too_deep_line = self.line if self.mapped >= 0 else 0
        return result


def _outline_from_tokens(tokens: list[Any], offset: int, result: Outline, depth: _Depth) -> None:
    """Add the blocks of `tokens` (parsed from the document's lines from `offset` on)."""
    item_stack: list[int] = []
    ordered_stack: list[bool] = []
    table: Table | None = None
    in_thead = False
    pending_heading: tuple[int, int] | None = None
    max_level = 0
    for token in tokens:
        if token.level > max_level:
            max_level = token.level
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            ordered_stack.append(kind == "ordered_list_open")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            ordered_stack.pop()
        elif kind == "list_item_open":
            start, end = token.map
            parent = item_stack[-1] if item_stack else None
            result.items.append(
                ListItem(
                    start + offset,
                    end + offset,
                    len(item_stack),
                    parent,
                    ordered_stack[-1] if ordered_stack else False,
                )
            )
            item_stack.append(len(result.items) - 1)
        elif kind == "list_item_close":
            item_stack.pop()
        elif kind == "table_open":
            table = Table(token.map[0] + offset, [], token.map[1] + offset)
        elif kind == "thead_open":
            in_thead = True
        elif kind == "thead_close":
            in_thead = False
        elif kind == "tr_open" and table is not None and not in_thead and token.map:
            table.rows.append(token.map[0] + offset)
        elif kind == "table_close" and table is not None:
            result.tables.append(table)
            table = None
        elif kind == "heading_open":
            pending_heading = (token.map[0] + offset, int(token.tag[1]))
        elif kind == "inline" and pending_heading is not None:
            result.headings.append(Heading(pending_heading[0], pending_heading[1], token.content))
            pending_heading = None
    depth.level = max(depth.level, max_level)
    if max_level >= MAX_NESTING - 2:
        deepest = max((t for t in tokens if t.map), key=lambda t: t.level, default=None)
        if deepest is not None and deepest.level > depth.mapped:
            depth.mapped, depth.line = deepest.level, deepest.map[0] + offset
