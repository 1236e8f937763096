"""Plans: frontmatter plus tasks, written as checklist items or as table rows.

    - [ ] **ST-B-001** Investigate snapshot regression
      - Status: In Progress
      - Evidence: `.runs/ST-B-001/manifest.json`

    | ID | Title | Owner | Status |
    | ST-B-002 | Trial reduced ceilings | Ingestion | Done - 2025-12-22 |

Every task and field keeps its line and the columns of its value, so checks
can point at it and edits can replace exactly those bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from charter import markdown
from charter.config import Config
from charter.model import Diagnostic, Field, Plan
from charter.parse import shapes
from charter.parse import table_tasks as _tables
from charter.parse.frontmatter import split_frontmatter
from charter.parse.in_order import chain_in_order
from charter.parse.source import Source, decode
from charter.parse.task_parts import (
    FIELD_ALIASES,
    _Builder,
    match_task_id,
)
from charter.rulecodes import NESTING_TOO_DEEP

_BULLET = r"^(?P<indent>\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])[ \t]+)"
CHECKBOX_RE = re.compile(_BULLET + r"\[(?P<mark>[ xX~/>-])\](?:[ \t]+|$)(?P<text>.*)$")
# Markers beyond [x] and [ ], as task-list plugins and hand-kept lists write them.
MARK_STATUS = {"-": "cancelled", "~": "in progress", "/": "in progress", ">": "backlog"}
FIELD_ITEM_RE = re.compile(
    _BULLET
    + r"(?:\*\*|__)?(?P<key>[A-Za-z][A-Za-z /_-]{0,30}?)(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]*"
)

_FIELD_KEYS = "|".join(sorted((re.escape(k) for k in FIELD_ALIASES), key=len, reverse=True))
# A second field on the same line: "Acceptance: ...; Evidence: `path`".
_INLINE_SPLIT = re.compile(rf"[;|]\s*(?:\*\*)?(?P<key>{_FIELD_KEYS})(?:\*\*)?\s*:\s*", re.I)
# An Evidence: clause at the end of a checklist item's own line.
_INLINE_EVIDENCE = re.compile(r"(?:^|\s)(?:\*\*)?Evidence(?:\*\*)?\s*:\s*", re.I)
# A field written inline on a checklist item's own line: "Ship it (Owner: ana; Status: done)",
# "Ship it — Status: done". Only keys that rarely open prose: status, owner, depends...
_INLINE_FIELD = re.compile(
    r"(?:^|[\s(;|,—–])(?:\*\*|__)?(?P<key>status|state|owner|assignee|depends on|depends|"
    r"blocked by|priority|level|evidence)(?:\*\*|__)?\s*:(?:\*\*|__)?\s*",
    re.I,
)
# List items that name a task by a label instead of a checkbox: "- Subtask: Wire it",
# "1. Milestone: Foundation".
TASK_LABELS = frozenset({"task", "subtask", "sub-task", "story", "milestone", "todo", "to do"})
# "- Story: US1, US2" (or a `path`, a [link]) names what a task serves: no task itself.
_REF = r"(?:[#\w.-]*\d[#\w.-]*|`[^`]+`|\[[^\]]*\]\([^)]*\))"
_REFERENCE = re.compile(rf"{_REF}(?:\s*,\s*{_REF})*\.?")


def parse_plan(path: str, data: bytes, config: Config) -> Plan:
    source = decode(path, data)
    return plan_from_source(source, config)


def plan_from_source(source: Source, config: Config) -> Plan:
    path, lines = source.path, source.lines
    problems = list(source.problems)
    fm = split_frontmatter(lines, path)
    problems.extend(fm.problems)
    body_lines = [""] * (fm.body_start_line - 1) + lines[fm.body_start_line - 1 :]
    outline = markdown.outline("\n".join(body_lines))
    if outline.too_deep_line is not None:
        problems.append(
            Diagnostic(
                path,
                outline.too_deep_line + 1,
                1,
                NESTING_TOO_DEEP,
                f"nesting deeper than {markdown.MAX_NESTING // 2} levels: "
                "content below this point was not read",
            )
        )
    roots = _checklist_tasks(path, lines, outline, config)
    plan_id = fm.data.get("id")
    step_prefix = f"{plan_id}-" if isinstance(plan_id, str) and plan_id else None
    roots.extend(_tables.table_tasks(path, lines, outline, config, problems, step_prefix))
    roots.sort(key=lambda b: b.line)
    chain_in_order(roots, lines, outline)
    built = [b.build(path, config, None) for b in roots]
    defined = {t.id for b in built for t in b.walk()}
    # A heading naming a task the file defines as an item or row is that task's section.
    built.extend(
        t
        for t in shapes.heading_tasks(path, lines, outline, config, match_task_id, FIELD_ALIASES)
        if t.id not in defined
    )
    title = fm.data.get("title")
    if not isinstance(title, str):
        title = next((h.text.strip() for h in outline.headings if h.level == 1), None)
    if not built or _typed_item(fm.data):
        own = shapes.header_file_task(path, lines) or shapes.frontmatter_task(
            path, lines, fm.data, fm.key_lines, title, config
        )
        if own is not None and own.id not in {t.id for t in built}:
            # The file is the task: the checklist items of its body are its steps.
            steps = tuple(replace(t, parent=own.id) for t in built if t.id is None)
            built = [t for t in built if t.id is not None]
            built.append(replace(own, subtasks=steps) if steps else own)
    built.sort(key=lambda t: t.line)
    tasks = tuple(shapes.local_dependencies(path, lines, built))
    return Plan(
        path=path,
        frontmatter=fm.data,
        frontmatter_lines=fm.key_lines,
        has_frontmatter=fm.present,
        title=title,
        tasks=tasks,
        problems=tuple(problems),
    )


def _typed_item(data: Mapping[str, Any]) -> bool:
    """Frontmatter saying what kind of item its file is (`type: story`): a task, even when
    its body holds checklists. Without it, only a file with no tasks of its own is one (a
    plan's frontmatter names the plan, not a task)."""
    kind = data.get("type", data.get("kind"))
    return isinstance(kind, str) and kind.strip().lower() not in ("plan", "roadmap", "")


def _checklist_tasks(
    path: str, lines: list[str], outline: markdown.Outline, config: Config
) -> list[_Builder]:
    builders: dict[int, _Builder] = {}
    roots: list[_Builder] = []
    items = outline.items
    count = len(lines)
    checkbox, field_item, aliases = CHECKBOX_RE.match, FIELD_ITEM_RE.match, FIELD_ALIASES
    for index, item in enumerate(items):
        raw = lines[item.line] if item.line < count else ""
        # Field bullets, most items, hold no "[": no checkbox to look for.
        check = checkbox(raw) if "[" in raw else None
        owner = None  # the nearest enclosing task (`_nearest_task`, inlined: hot)
        parent = item.parent
        while parent is not None:
            owner = builders.get(parent)
            if owner is not None:
                break
            parent = items[parent].parent
        if check is None:
            field_match = field_item(raw)
            if field_match is None:
                continue
            label = field_match.group("key").strip().lower()
            if label in TASK_LABELS:
                value = raw[field_match.end() :].strip()
                if value and not _REFERENCE.fullmatch(value):
                    # Labelled "Task:"/"Milestone:", it is a task, with an ID or without.
                    builder = _labelled_task(raw, field_match, item.line + 1, config)
                    builders[index] = builder
                    (roots if owner is None else owner.children).append(builder)
                    continue
            if owner is not None:
                name = aliases.get(label)
                if name is not None:
                    _add_fields(owner.fields, name, raw, field_match.end(), item.line + 1)
            continue
        text = check.group("text")
        mark = check.group("mark")
        if owner is not None and _status_box(raw, check, owner, item.line + 1):
            continue
        task_id, title = match_task_id(text, config)
        if task_id is None and owner is None and not config.anonymous_tasks:
            continue
        builder = _Builder(
            id=task_id,
            title=title,
            line=item.line + 1,
            col=len(check.group("indent")) + 1,
            kind="checklist",
            checked=mark in "xX",
            checkbox_col=check.start("mark"),
            implied_status=MARK_STATUS.get(mark),
        )
        _inline_fields(builder, raw, check.start("text"), item.line + 1)
        builders[index] = builder
        if owner is None:
            roots.append(builder)
        else:
            owner.children.append(builder)
    return roots


def _labelled_task(raw: str, match: re.Match[str], line: int, config: Config) -> _Builder:
    """`- Subtask: Wire the cache` or `1. Milestone: Foundation`: a task without a checkbox."""
    start = match.end()
    task_id, title = match_task_id(raw[start:], config)
    builder = _Builder(task_id, title, line, start + 1, "checklist", None, None)
    _inline_fields(builder, raw, start, line)
    return builder


def _status_box(raw: str, check: re.Match[str], owner: _Builder, line: int) -> bool:
    """`- [x] Status: completed 2025-11-03` under a task: its checkbox and status, not a
    subtask."""
    text = check.group("text")
    key = re.match(r"(?:\*\*|__)?(?P<key>[A-Za-z][A-Za-z /_-]{0,30}?)(?:\*\*|__)?\s*:", text)
    if key is None or FIELD_ALIASES.get(key.group("key").strip().lower()) != "status":
        return False
    start = check.start("text") + key.end()
    value = raw[start:].rstrip()
    lead = len(value) - len(value.lstrip())
    owner.fields.append(Field("status", value.strip(), line, start + lead, len(value) + start))
    if owner.checked is None:  # no checkbox of its own: this one is its (edits leave it be)
        owner.checked = check.group("mark") in "xX"
    return True


def _inline_fields(builder: _Builder, raw: str, text_start: int, line: int) -> None:
    """Fields written on the item's own line after its title: "(Owner: ana; Status: done)",
    "; Evidence: `path`". The title ends where the first one starts."""
    text = raw[text_start:]
    if ":" not in text:  # every inline field has one
        return
    found = [
        m
        for m in _INLINE_FIELD.finditer(text)
        if m.group("key")[0].isupper() or m.group("key").lower() == "evidence" or "*" in m.group()
    ]
    if not found:
        return
    for number, match in enumerate(found):
        name = FIELD_ALIASES[match.group("key").lower()]
        if name == "evidence":  # an evidence clause runs to the end of the line
            value = text[match.end() :].rstrip()
        else:
            end = found[number + 1].start() if number + 1 < len(found) else len(text)
            value = text[match.end() : end].rstrip().rstrip(";,)").rstrip()
        start = text_start + match.end()
        builder.fields.append(Field(name, value.strip(), line, start, start + len(value)))
        if name == "evidence":
            break
    offset = text.find(builder.title) if builder.title else -1
    cut = found[0].start()
    if 0 <= offset < cut:
        builder.title = text[offset:cut].rstrip(" .;,(—–-")
    elif offset >= cut:
        builder.title = ""


def _add_fields(fields: list[Field], name: str, raw: str, start: int, line: int) -> None:
    """The field a `- Key: value` item states (`name`, its value from `start`), and those
    a ";" or a "|" adds on the same line."""
    # A second field follows a ";" or a "|": most lines have neither.
    if ";" in raw or "|" in raw:
        for extra in _INLINE_SPLIT.finditer(raw, start):
            fields.append(_field(name, raw, start, extra.start(), line))
            name, start = FIELD_ALIASES[extra.group("key").lower()], extra.end()
    fields.append(_field(name, raw, start, len(raw), line))


def _field(name: str, raw: str, start: int, end: int, line: int) -> Field:
    stripped = raw[start:end].rstrip()
    value = stripped.lstrip()
    return Field(name, value, line, start + len(stripped) - len(value), start + len(stripped))
