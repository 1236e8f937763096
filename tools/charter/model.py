"""The data charter works on: frozen records with their source positions.

Everything above the parser sees these, never Markdown tokens. Line and column
numbers are 1-based, as editors and `path:line:col` diagnostics use them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding. Field order is sort order: path, then position, then code."""

    path: str
    line: int
    col: int
    code: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Field:
    """A task field as written: `- Status: Done`, or one table cell.

    `line` and the half-open `start`/`end` columns (0-based, into the raw line
    with its line ending removed) locate the value's bytes, so an edit can
    replace exactly them.
    """

    name: str
    value: str
    line: int
    start: int
    end: int


@dataclass(frozen=True)
class Evidence:
    path: str
    line: int
    sha256: str | None = None


@dataclass(frozen=True)
class Task:
    id: str | None
    title: str
    path: str
    line: int
    col: int
    kind: Literal["checklist", "table"]
    checked: bool | None
    fields: tuple[Field, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    depends: tuple[str, ...] = ()
    parent: str | None = None
    subtasks: tuple[Task, ...] = ()
    checkbox_col: int | None = None  # 0-based column of the x/space inside [ ]
    # A status the document states without a status field: a checkbox marker such as
    # [-] or [~], the section heading above a table ("Completed"), a delivered-date cell.
    implied_status: str | None = None

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def value(self, name: str) -> str | None:
        f = self.field(name)
        return f.value if f is not None else None

    @property
    def status(self) -> str | None:
        stated = self.value("status")
        return stated if stated is not None else self.implied_status

    @property
    def owner(self) -> str | None:
        return self.value("owner")

    @property
    def level(self) -> str | None:
        return self.value("level")

    def walk(self) -> Iterator[Task]:
        yield self
        for sub in self.subtasks:
            yield from sub.walk()


@dataclass(frozen=True)
class Plan:
    path: str
    frontmatter: Mapping[str, Any] = field(default_factory=dict)
    frontmatter_lines: Mapping[str, int] = field(default_factory=dict)
    has_frontmatter: bool = False
    title: str | None = None
    tasks: tuple[Task, ...] = ()
    problems: tuple[Diagnostic, ...] = ()

    def walk(self) -> Iterator[Task]:
        for task in self.tasks:
            yield from task.walk()


@dataclass(frozen=True)
class Section:
    title: str
    level: int
    line: int
    body: str


@dataclass(frozen=True)
class SessionLog:
    path: str
    frontmatter: Mapping[str, Any] = field(default_factory=dict)
    frontmatter_lines: Mapping[str, int] = field(default_factory=dict)
    has_frontmatter: bool = False
    sections: tuple[Section, ...] = ()
    problems: tuple[Diagnostic, ...] = ()
    text: str = ""  # the body, after the frontmatter
    body_line: int = 1  # 1-based line where `text` starts

    @property
    def task(self) -> str | None:
        value = self.frontmatter.get("task")
        return str(value) if value not in (None, "") else None

    def section(self, title: str) -> Section | None:
        wanted = title.strip().lower()
        for s in self.sections:
            if s.title.strip().lower() == wanted:
                return s
        return None
