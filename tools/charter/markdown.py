"""The only module that imports markdown_it.

It turns a document into a flat outline of the blocks charter cares about —
list items (with nesting), table rows, headings — each with its 0-based source
line. Code fences, HTML blocks and indented code never yield list items or
tables, which is how checkboxes inside them are ignored. Inline parsing is
disabled: charter reads raw lines, and it halves the parse time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Deep enough for any real document (a list level costs two); deeper content is
# reported, not silently dropped as markdown-it does past maxNesting.
MAX_NESTING = 400


@dataclass
class ListItem:
    line: int  # 0-based first line
    end: int  # exclusive
    depth: int  # 0 for a top-level list item
    parent: int | None  # index of the enclosing list item in Outline.items
    ordered: bool


@dataclass
class Table:
    header: int  # 0-based line of the header row
    rows: list[int]  # 0-based lines of body rows
    end: int


@dataclass
class Heading:
    line: int
    level: int
    text: str


@dataclass
class Outline:
    items: list[ListItem] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    too_deep_line: int | None = None  # 0-based line where nesting overflowed


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
    """Parse `text` (LF line endings) into an Outline."""
    try:
        tokens = _parser().parse(text)
    except RecursionError:
        result = Outline()
        result.too_deep_line = 0
        return result
    return _outline_from_tokens(tokens)


def _outline_from_tokens(tokens: list[Any]) -> Outline:
    result = Outline()
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
                    start,
                    end,
                    len(item_stack),
                    parent,
                    ordered_stack[-1] if ordered_stack else False,
                )
            )
            item_stack.append(len(result.items) - 1)
        elif kind == "list_item_close":
            item_stack.pop()
        elif kind == "table_open":
            table = Table(token.map[0], [], token.map[1])
        elif kind == "thead_open":
            in_thead = True
        elif kind == "thead_close":
            in_thead = False
        elif kind == "tr_open" and table is not None and not in_thead and token.map:
            table.rows.append(token.map[0])
        elif kind == "table_close" and table is not None:
            result.tables.append(table)
            table = None
        elif kind == "heading_open":
            pending_heading = (token.map[0], int(token.tag[1]))
        elif kind == "inline" and pending_heading is not None:
            result.headings.append(Heading(pending_heading[0], pending_heading[1], token.content))
            pending_heading = None
    if max_level >= MAX_NESTING - 2:
        deepest = max((t for t in tokens if t.map), key=lambda t: t.level, default=None)
        result.too_deep_line = deepest.map[0] if deepest is not None else 0
    return result
