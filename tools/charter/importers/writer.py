"""Rendering imported tasks as a plan file, reading it back, writing it once.

A plan written here looks like any hand-written one:

    - [ ] **TM-2** Core domain models
      - Status: pending
      - Depends: TM-1

      Details:

      ~~~text
      free text from the source, fenced so its checkboxes and fields stay text
      ~~~

Short values become field bullets; free text (descriptions, details, bodies)
goes into fenced blocks, so nothing in it can turn into a task or a field.
The output is byte-stable: no timestamps, LF line endings, source order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from charter import progress
from charter.config import Config
from charter.errors import CharterError, utf8_error_at
from charter.io import locked, write_text_atomic
from charter.model import Diagnostic, Task
from charter.parse.plans import parse_plan
from charter.parse.task_parts import FIELD_ALIASES, match_task_id

_FIELD_KEYS = "|".join(sorted((re.escape(k) for k in FIELD_ALIASES), key=len, reverse=True))
# Text the plan parser would read as a second field on the same line.
_SECOND_FIELD = re.compile(rf"[;|]\s*(?:\*\*)?(?:{_FIELD_KEYS})(?:\*\*)?\s*:", re.I)
_TILDES = re.compile(r"^\s{0,3}(~{3,})", re.M)


@dataclass
class TaskSpec:
    id: str | None
    title: str
    status: str | None = None
    checked: bool | None = None  # None: [x] when the status means a closed column
    fields: list[tuple[str, str]] = field(default_factory=list)  # written after Status
    depends: list[str] = field(default_factory=list)
    blocks: list[tuple[str, str]] = field(default_factory=list)  # (label, free text)
    items: list[tuple[bool, str]] = field(default_factory=list)  # plain checklist items
    # Labelled checklists kept apart (acceptance criteria, definition of done).
    groups: list[tuple[str, list[tuple[bool, str]]]] = field(default_factory=list)
    subtasks: list[TaskSpec] = field(default_factory=list)

    def walk(self) -> Iterator[TaskSpec]:
        yield self
        for sub in self.subtasks:
            yield from sub.walk()


@dataclass
class PlanSpec:
    path: str  # relative to the repository root
    id: str
    title: str
    source: str
    intro: str = ""
    frontmatter: dict[str, Any] = field(default_factory=dict)
    sections: list[tuple[str, list[TaskSpec]]] = field(default_factory=list)

    def walk(self) -> Iterator[TaskSpec]:
        for _title, tasks in self.sections:
            for task in tasks:
                yield from task.walk()


@dataclass
class ImportResult:
    plans: list[PlanSpec] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def read_json(source: Path, rel: str) -> tuple[str, Any]:
    """The file's text and its parsed JSON; CharterError naming file (and line) otherwise."""
    try:
        data = source.read_bytes()
        text = data.decode("utf-8")
        return text, json.loads(text)
    except OSError as exc:
        raise CharterError(f"cannot read: {exc.strerror}", rel) from exc
    except UnicodeDecodeError as exc:
        line, _column, what = utf8_error_at(data, exc)
        raise CharterError(what, rel, line) from exc
    except json.JSONDecodeError as exc:
        raise CharterError(f"invalid JSON: {exc.msg}", rel, exc.lineno) from exc


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "plan"


def render_plan(plan: PlanSpec, config: Config) -> str:
    out = [
        "---",
        f"id: {json.dumps(plan.id)}",
        f"title: {json.dumps(plan.title)}",
        "status: active",
        f"source: {json.dumps(plan.source)}",
    ]
    out += [
        f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in plan.frontmatter.items()
    ]
    out += ["---", "", f"# {_line(plan.title)}", ""]
    if plan.intro:
        out += [plan.intro, ""]
    for title, tasks in plan.sections:
        if not tasks:
            continue
        out += [f"## {_line(title)}", ""]
        for task in tasks:
            out += render_task(task, "", config)
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def render_task(task: TaskSpec, indent: str, config: Config) -> list[str]:
    """The lines of one task (with its fields, blocks and subtasks), without line endings."""
    checked = task.checked
    if checked is None:
        column = config.column_for_status(task.status) if task.status else None
        checked = column in config.closed_columns if column else False
    head = f"{indent}- [{'x' if checked else ' '}] "
    head += f"**{task.id}** {_line(task.title)}" if task.id else _plain(_line(task.title), config)
    lines = [head.rstrip()]
    inner = indent + "  "
    fields = [("Status", task.status)] if task.status else []
    if task.depends:
        fields.append(("Depends", ", ".join(task.depends)))
    blocks = list(task.blocks)
    for name, value in [*fields, *task.fields]:
        text = _line(value or "")
        if _SECOND_FIELD.search(text):
            blocks.append((name, value or ""))  # inline it would read as two fields
        elif text:
            lines.append(f"{inner}- {name}: {text}")
    for done, text in task.items:
        lines.append(f"{inner}- [{'x' if done else ' '}] {_plain(_line(text), config)}".rstrip())
    for label, items in task.groups:
        lines.append(f"{inner}- {label}:")
        for done, text in items:
            mark = "x" if done else " "
            lines.append(f"{inner}  - [{mark}] {_plain(_line(text), config)}".rstrip())
    for label, text in blocks:
        if text.strip():
            lines += ["", f"{inner}{label}:", "", *_fenced(text, inner)]
    if task.subtasks:
        lines.append("")
        for sub in task.subtasks:
            lines += render_task(sub, inner, config)
    return lines


def _line(text: str) -> str:
    """One line of Markdown: line breaks become <br>, surrounding space goes."""
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n")]
    return "<br>".join(p for p in parts if p) if len(parts) > 1 else text.strip()


def _plain(text: str, config: Config) -> str:
    """Item text that must not read as a task ID: a leading punctuation mark is escaped."""
    if text and match_task_id(text, config)[0] is not None and not text[0].isalnum():
        return "\\" + text
    return text


def _fenced(text: str, indent: str) -> list[str]:
    body = text.replace("\r\n", "\n").strip("\n").split("\n")
    longest = max((len(m.group(1)) for m in _TILDES.finditer(text)), default=2)
    fence = "~" * max(3, longest + 1)
    return [
        f"{indent}{fence}text",
        *[(indent + b).rstrip() if b.strip() else "" for b in body],
        f"{indent}{fence}",
    ]


def read_back(plan: PlanSpec, text: str, config: Config) -> None:
    """Parse the rendered plan: CharterError unless it holds the same tasks, statuses, depends."""
    parsed = parse_plan(plan.path, text.encode("utf-8"), config)
    got: dict[str, list[Task]] = {}
    for task in parsed.walk():
        if task.id is not None:
            got.setdefault(task.id, []).append(task)
    wanted: dict[str, list[TaskSpec]] = {}
    for spec in plan.walk():
        if spec.id is not None:
            wanted.setdefault(spec.id, []).append(spec)
    example = next(iter(wanted), "?")
    hint = (
        f"check that [tool.charter] id_pattern ({config.id_pattern}) matches IDs such as "
        f"{example} (the importer's preset sets it)"
    )
    for task_id, specs in wanted.items():
        tasks = got.get(task_id, [])
        if len(tasks) != len(specs):
            raise CharterError(
                f"the imported plan would not read back: {task_id} is written "
                f"{len(specs)} time(s) but read {len(tasks)} time(s); {hint}",
                plan.path,
            )
        for spec, task in zip(specs, tasks, strict=True):
            status = _line(spec.status) if spec.status else None
            if (task.status or None) != status:
                raise CharterError(
                    f"{task_id}: status {spec.status!r} reads back as {task.status!r}", plan.path
                )
            if list(task.depends) != list(spec.depends):
                raise CharterError(
                    f"{task_id}: dependencies {spec.depends} read back as "
                    f"{list(task.depends)}; {hint}",
                    plan.path,
                )
    extra = sorted(set(got) - set(wanted))
    if extra:
        raise CharterError(
            f"the imported plan would not read back: text was read as task {extra[0]}; {hint}",
            plan.path,
        )


def rendered(result: ImportResult, config: Config) -> list[tuple[str, str]]:
    """(path, text) of every plan, each read back before it is returned."""
    files = []
    for plan in result.plans:
        text = render_plan(plan, config)
        read_back(plan, text, config)
        files.append((plan.path, text))
        progress.report(len(files), len(result.plans))
    return files


def write_plans(files: list[tuple[str, str]], root: Path) -> None:
    """Create every file, or none: an existing file is never overwritten."""
    existing = [rel for rel, _text in files if (root / rel).exists()]
    if existing:
        raise CharterError(
            f"{existing[0]} exists: charter import never overwrites a file; move "
            "it away or choose another --out directory",
            root / existing[0],
        )
    for rel, text in files:
        path = root / rel
        with locked(path):
            if path.exists():
                raise CharterError("appeared while importing: not overwritten", path)
            write_text_atomic(path, text)
