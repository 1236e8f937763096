"""What charter reads of a Markdown document: its list items, tables and headings, each
with its 0-based source lines (`markdown.outline` builds it)."""

from __future__ import annotations

from dataclasses import dataclass, field


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
