"""A fast block scanner for the Markdown plans are written in, with markdown-it's outline.

markdown-it spends most of a cold check building token objects charter never reads. This
scanner walks the same steps as markdown-it's block parser (the `tokenize` loop, the
list, heading and paragraph rules, line for line) for the subset plans use: blank
lines, ATX headings, bullet and ordered list items with their continuation lines, and
paragraphs. Wherever another construct could start (a fence, a block quote, a thematic
break, an HTML block, indented code, a table, a setext underline, a link reference
definition, a tab, deep nesting) it gives up and says from which line on markdown-it must
take over: the last line where a top-level block starts, the same tokens whether the
document is parsed whole or from that line on. Giving up too often only costs speed;
claiming a construct it does not know would cost correctness, so every check here errs
towards giving up (tests/test_markdown_scan.py compares it with markdown-it).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from charter.markdown_lines import (
    MD_TRIM_CHARS,
    Marks,
    bullet_marker,
    cell_count,
    fence_opener,
    is_thematic_break,
    line_count,
    maybe_reference,
    ordered_marker,
)
from charter.markdown_outline import Heading, ListItem, Table

_MARKERS = "*-+0123456789"
_NOT_PLAIN = _MARKERS + "[#"  # a line starting otherwise starts a paragraph
# Token levels deeper than this are left to markdown-it (it knows maxNesting).
_MAX_LEVEL = 64

_ROOT, _LIST, _PARAGRAPH, _TABLE = 0, 1, 2, 3
_ALIGNMENT = re.compile(r":?-+:?$")
_DELIMITER_ROW = re.compile(r" *[|:-][|: -]+$")  # what a table's delimiter row may be
# markdown-it stops a table that misses this many cells; a table that might is its.
_MAX_AUTOCOMPLETED_CELLS = 0x10000


class _GiveUp(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


@dataclass
class Scan:
    items: list[ListItem] = field(default_factory=list)  # parents index Outline.items
    headings: list[Heading] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    restart: int | None = None  # None: read to the end; else hand the lines from here on over
    unknown: int = 0  # with `restart`: the line that made the scanner give up


def scan(lines: list[str], start: int, found: Marks, items_before: int) -> Scan:
    """Read `lines` from `start` (where a top-level block starts) as markdown-it would,
    until the end or until a construct the scanner does not follow. `found` is `marks`
    of the whole text; `items_before` counts the list items of the lines above `start`
    (the parents' indexes count them)."""
    count = line_count(lines)
    unknown, rules = found
    at = bisect_left(unknown, start)
    limit = unknown[at] if at < len(unknown) else len(lines)
    # A fence opened at the left margin ends every block the scanner reads, as the end of
    # the document does (it ends a paragraph, a table, and a list item, whose content is
    # indented): read up to it as up to the end, and hand it over as a top-level block.
    fenced = limit < count and lines[limit][:1] in ("`", "~") and fence_opener(lines[limit])
    if fenced:
        count = limit
    scanner = _Scanner(lines[start : min(limit, count)], count - start, limit >= count)
    first, last = bisect_left(rules, start), bisect_left(rules, limit)
    scanner.rules = {line - start for line in rules[first:last]}
    scanner.start, scanner.items_before = start, items_before
    try:
        scanner.tokenize(0, scanner.count)
    except (_GiveUp, IndexError) as stop:
        # An IndexError is a read past the last known line: markdown-it reads that one.
        line = stop.line if isinstance(stop, _GiveUp) else limit - start
        del scanner.items[scanner.restart_items :]
        del scanner.headings[scanner.restart_headings :]
        del scanner.tables[scanner.restart_tables :]
        restart = scanner.restart + start
        return Scan(scanner.items, scanner.headings, scanner.tables, restart, line + start)
    if fenced:
        return Scan(scanner.items, scanner.headings, scanner.tables, limit, limit)
    return Scan(scanner.items, scanner.headings, scanner.tables)


class _Scanner:
    """markdown-it's StateBlock and block rules for the subset. With no tabs, a line's
    indent in columns (sCount) and the offset of its first non-space character (tShift)
    are one number, `indent`. Lines count from the scan's first line."""

    def __init__(self, lines: list[str], count: int, to_the_end: bool) -> None:
        if to_the_end:
            lines.append("")  # markdown-it's fake last line
        self.text = lines
        self.indent = [len(line) - len(line.lstrip(" ")) for line in lines]
        self.known = len(lines)  # reading a line from here on is giving up
        self.rules: set[int] = set()  # lines that may be a thematic break or underline
        self.count = count  # markdown-it's lineMax
        self.start = 0  # the scan's first line in the document
        self.items_before = 0
        self.block_indent = 0
        self.list_indent = -1
        self.parent = _ROOT
        self.level = 0
        self.line = 0
        self.items: list[ListItem] = []
        self.open_items: list[int] = []
        self.headings: list[Heading] = []
        self.tables: list[Table] = []
        self.restart = 0
        self.restart_items = 0
        self.restart_headings = 0
        self.restart_tables = 0

    def _restart_here(self, line: int) -> None:
        self.restart = line
        self.restart_items = len(self.items)
        self.restart_headings = len(self.headings)
        self.restart_tables = len(self.tables)

    def tokenize(self, line: int, end: int) -> None:
        """markdown-it's tokenize loop, with the first block rule that matches at each
        line in markdown-it's order: table, code, fence, blockquote, hr, list, reference,
        html_block, heading, lheading, paragraph. The unknown lines rule out fence,
        blockquote and html_block where a line starts; `open_list` rules them (and hr)
        out after an item's marker."""
        indent, text, count = self.indent, self.text, self.count
        while line < end:
            try:
                while line < count and indent[line] >= len(text[line]):
                    line += 1
            except IndexError:
                if self.level == 0:  # a top-level block starts on the unknown line
                    self._restart_here(line)
                raise
            self.line = line
            if line >= end or indent[line] < self.block_indent:
                break
            if self.level >= _MAX_LEVEL:
                raise _GiveUp(line)
            if self.level == 0:
                self._restart_here(line)
            if line + 1 >= self.known:  # the table rule reads the next line
                raise _GiveUp(line + 1)
            at = indent[line]
            if at - self.block_indent >= 4:  # indented code
                raise _GiveUp(line)
            this = text[line]
            first = this[at]
            if "|" in this and self.table(line, end, silent=False):
                pass
            elif line in self.rules and is_thematic_break(this, at, first):
                self.line = line + 1
            elif first in _MARKERS and self.list_block(line, end, silent=False):
                pass
            elif first == "[" and maybe_reference(this, at):
                raise _GiveUp(line)
            elif first != "#" or not self.heading(line, silent=False):
                self.paragraph(line)
            line = self.line
            if line < end and indent[line] >= len(text[line]):
                line += 1
                self.line = line

    def list_block(self, line: int, end: int, silent: bool) -> bool:
        at = self.indent[line]
        if at - self.block_indent >= 4:
            return False
        if self.list_indent >= 0 and at - self.list_indent >= 4 and at < self.block_indent:
            return False
        terminating = silent and self.parent == _PARAGRAPH and at >= self.block_indent
        text = self.text[line]
        if text[at] in "*-+":  # markdown-it tries an ordered marker first: no digit here
            after = at + 1
            if after < len(text) and text[after] != " ":
                return False
            ordered = False
        else:
            after = ordered_marker(text, at)
            if after < 0:
                return False
            ordered = True
            if terminating and int(text[at : after - 1]) != 1:
                return False
        if terminating and not text[after:].strip(" "):
            return False
        if not silent:
            self.open_list(line, end, after, ordered, text[after - 1])
        return True

    def open_list(self, start: int, end: int, after: int, ordered: bool, marker: str) -> None:
        indent, items, open_items, lines = self.indent, self.items, self.open_items, self.text
        self.level += 1
        outer_parent, self.parent = self.parent, _LIST
        top = self.level == 1
        start_at, items_before = self.start, self.items_before
        line = start
        while line < end:
            text = lines[line]
            length = len(text)
            content = length - len(text[after:].lstrip(" "))
            if content < length and text[content] in _MAY_OPEN_BLOCK:
                _give_up_on_content(line, text, content)
            spaces = content - after
            self.block_indent, outer_block_indent = (
                after + (1 if content >= length or spaces > 4 else spaces),
                self.block_indent,
            )
            if (
                top
                and line > self.restart
                and line + 1 < self.known
                and not ("|" in text and _DELIMITER_ROW.match(lines[line + 1]))
            ):
                # A later top-level item: markdown-it parses the rest from here as it
                # parses it whole, but for a table whose header this line would be.
                self._restart_here(line)
            item = ListItem(
                line + start_at,
                0,
                len(open_items),
                open_items[-1] if open_items else None,
                ordered,
            )
            open_items.append(len(items) + items_before)
            items.append(item)
            self.level += 1
            outer_list_indent, self.list_indent = self.list_indent, outer_block_indent
            line_indent, indent[line] = indent[line], content
            if content >= length:
                if indent[line + 1] >= len(lines[line + 1]):
                    self.line = min(self.line + 2, end)  # an empty item ends its list
                else:
                    self.tokenize(line, end)
            elif (
                spaces <= 4
                and (
                    text[content] not in _NOT_PLAIN
                    # a checkbox: no link reference definition can start there
                    or (text[content] == "[" and not maybe_reference(text, content))
                )
                and "|" not in text
                and self.level < _MAX_LEVEL
            ):
                # What `tokenize` would do with the item's first line: a paragraph.
                if line + 1 >= self.known:  # the table rule reads the next line
                    raise _GiveUp(line + 1)
                self.paragraph(line)
                after_paragraph = self.line
                if (
                    after_paragraph < end
                    and indent[after_paragraph] < len(lines[after_paragraph])
                    and indent[after_paragraph] < self.block_indent
                ):
                    pass  # the item ends there (`tokenize` would stop at once)
                else:
                    self.tokenize(after_paragraph, end)
            else:
                self.tokenize(line, end)
            self.block_indent, self.list_indent = outer_block_indent, outer_list_indent
            indent[line] = line_indent
            self.level -= 1
            open_items.pop()
            line = self.line
            item.end = line + start_at
            if line >= end:
                break
            at = indent[line]
            if at < outer_block_indent or at - outer_block_indent >= 4:
                break
            text = lines[line]
            if line in self.rules and is_thematic_break(text, at, text[at]):
                break
            after = ordered_marker(text, at) if ordered else bullet_marker(text, at)
            if after < 0 or text[after - 1] != marker:
                break
        self.level -= 1
        self.line = line
        self.parent = outer_parent

    def heading(self, line: int, silent: bool) -> bool:
        if self.indent[line] - self.block_indent >= 4:
            return False
        text, at = self.text[line], self.indent[line]
        end = len(text)
        if at >= end or text[at] != "#":
            return False
        level, at = 1, at + 1
        while at < end and text[at] == "#" and level <= 6:
            level += 1
            at += 1
        if level > 6 or (at < end and text[at] != " "):
            return False
        if silent:
            return True
        end = len(text[at:].rstrip(" ")) + at  # markdown-it's skipSpacesBack
        hashes = len(text[at:end].rstrip("#")) + at  # and skipCharsStrBack
        if hashes > at and text[hashes - 1] == " ":
            end = hashes
        self.line = line + 1
        self.headings.append(Heading(line + self.start, level, text[at:end].strip()))
        return True

    def table(self, line: int, end: int, silent: bool) -> bool:
        """markdown-it's GFM table rule."""
        if line + 2 > end:
            return False
        indent, below = self.indent, line + 1
        at = indent[below]
        if at < self.block_indent or at - self.block_indent >= 4:
            return False
        row = self.text[below]
        if at + 1 >= len(row) or row[at] not in "|-:" or row[at + 1] not in "|-: ":
            return False
        if (row[at] == "-" and row[at + 1] == " ") or row[at + 2 :].strip("|-: "):
            return False
        columns = row[at:].split("|")
        alignments = 0
        for number, column in enumerate(columns):
            cell = column.strip(MD_TRIM_CHARS)
            if not cell:
                if number == 0 or number == len(columns) - 1:
                    continue
                return False
            if not _ALIGNMENT.match(cell):
                return False
            alignments += 1
        header = self.text[line][indent[line] :].strip(MD_TRIM_CHARS)
        if "|" not in header or indent[line] - self.block_indent >= 4:
            return False
        cells = cell_count(header)
        if cells == 0 or cells != alignments:
            return False
        if silent:
            return True
        self.table_rows(line, end, cells)
        return True

    def table_rows(self, header: int, end: int, cells: int) -> None:
        """The body of a table: up to a line with less indent, a blank line, or one the
        terminators of markdown-it's blockquote (fence, blockquote, hr, list, html_block,
        heading) claim."""
        indent, text = self.indent, self.text
        outer_parent, self.parent = self.parent, _TABLE
        rows: list[int] = []
        line = header + 2
        while line < end:
            at = indent[line]
            if at < self.block_indent:
                break
            this = text[line]
            if at < len(this) and at - self.block_indent < 4:
                first = this[at]
                if line in self.rules and is_thematic_break(this, at, first):
                    break
                if first in _MARKERS and self.list_block(line, end, silent=True):
                    break
                if first == "#" and self.heading(line, silent=True):
                    break
            if not this[at:].strip(MD_TRIM_CHARS) or at - self.block_indent >= 4:
                break
            if (len(rows) + 1) * cells >= _MAX_AUTOCOMPLETED_CELLS:
                raise _GiveUp(line)
            rows.append(line + self.start)
            line += 1
        self.parent = outer_parent
        self.tables.append(Table(header + self.start, rows, line + self.start))
        self.line = line

    def paragraph(self, start: int) -> None:
        """markdown-it's paragraph (and lheading, which gives way to it when no line is
        a setext underline): up to a blank line or a line its terminators (table, fence,
        blockquote, hr, list, html_block, heading) claim."""
        indent, text, known = self.indent, self.text, self.known
        line = start + 1
        outer_parent, self.parent = self.parent, _PARAGRAPH
        while line < self.count:
            at = indent[line]
            this = text[line]
            if at >= len(this):
                break
            if at - self.block_indent > 3:  # a lazy line, whatever it holds
                line += 1
                continue
            if line + 1 >= known:  # the table rule reads the next line
                raise _GiveUp(line + 1)
            first = this[at]
            if line in self.rules:
                if (
                    first == "-"
                    and at >= self.block_indent
                    and not this[at:].rstrip(" ").strip("-")
                ):
                    raise _GiveUp(line)  # a setext underline (markdown-it's lheading)
                if is_thematic_break(this, at, first):
                    break
            if "|" in this and self.table(line, self.count, silent=True):
                break
            if first in _MARKERS:
                if self.list_block(line, self.count, silent=True):
                    break
            elif first == "#" and self.heading(line, silent=True):
                break
            line += 1
        self.line = line
        self.parent = outer_parent


# The first characters of an item's content `_give_up_on_content` looks further at.
_MAY_OPEN_BLOCK = "`~<>*-_"


def _give_up_on_content(line: int, text: str, at: int) -> None:
    """Give up where an item's content may start a fence, a block quote, a thematic break
    or an HTML block (where a line starts, the unknown lines rule them out)."""
    first = text[at]
    if (
        (first in "`~" and text.startswith(first * 3, at))
        or first in "<>"
        or (first in "*-_" and is_thematic_break(text, at, first))
    ):
        raise _GiveUp(line)
