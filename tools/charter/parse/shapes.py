"""Task shapes beyond checklist items and well-formed ID tables.

Teams also write tasks as

    ### TASK-012: Export the board          a heading naming the task, its fields
    **Status**: DONE                         on the lines below it

    ---                                      one file per task, its frontmatter
    id: ST-01-01                             naming it (under any of the usual
    status: done                             keys: id/key/ticket, status/state,
    ---                                      title/name, depends_on/blocked_by)

    | Task ID | Task | Role |                a table a renderer would not draw
    | TASK-7  | Ship | Dev  |                (no separator row) still holds tasks

and say a task's status without a status field: the heading above a table
("Completed Tasks"), a delivered-date cell. This module reads those; plans.py
calls it. A range such as ST-Z-001-006 names several tasks and is no ID.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from charter import markdown
from charter.config import Config, normalize_status
from charter.model import Field, Task

_RANGE = re.compile(r"^(?P<head>.*[A-Za-z].*?)-(?P<a>\d{3,})-(?P<b>\d{3,})$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_FIELD_LINE = re.compile(
    r"^\s*(?:>\s*)*(?:[-*+][ \t]+)?(?:\*\*|__)?(?P<key>[^\W\d][\w /-]{0,30}?)(?:\*\*|__)?"
    r"[ \t]*:(?:\*\*|__)?[ \t]*"
)
# Section headings that say the tasks below them are finished.
_DONE_HEADING = re.compile(
    r"\b(done|completed?|delivered|shipped|finished|closed|archived?|history|resolved|merged)\b",
    re.I,
)
# Columns whose date says when a task was finished: a date there means done.
DONE_DATE_COLUMNS = frozenset(
    {
        "delivered",
        "delivered on",
        "date delivered",
        "completed",
        "completed on",
        "completed at",
        "date completed",
        "completion date",
        "done",
        "done on",
        "finished",
        "finished on",
        "closed",
        "closed on",
        "shipped",
        "shipped on",
        "merged",
        "merged on",
        "resolved",
        "resolved on",
    }
)
_DATEISH = re.compile(r"\d")
# What parts a task heading's ID from its title: "TASK-12: Title", "S1 — Title".
_TITLE_SEPARATOR = re.compile(r"^(?:\*\*|__|`)?\s*(?::|—|–|-\s|\||\.\s|$)")

# Frontmatter keys, in order of preference, that name a file's own task.
ID_KEYS = ("id", "task_id", "task-id", "key", "ticket", "issue", "story_id")
STATUS_KEYS = ("status", "state")
TITLE_KEYS = ("title", "name", "summary")
DEPEND_KEYS = (
    "depends",
    "depends_on",
    "depends-on",
    "dependencies",
    "blocked_by",
    "blocked-by",
    "requires",
    "after",
)
OWNER_KEYS = ("owner", "owners", "assignee", "assignees")
PRIORITY_KEYS = ("priority",)

MatchId = Callable[[str, Config], tuple[str | None, str]]


def is_id_range(task_id: str) -> bool:
    """ST-Z-001-006: the last two numbers, of one width of three digits or more, count up:
    a range of tasks. (Two-digit pairs such as ST-01-02, epic 1 story 2, are IDs.)"""
    match = _RANGE.match(task_id)
    if match is None:
        return False
    a, b = match.group("a"), match.group("b")
    return len(a) == len(b) and int(b) > int(a)


def fenced_lines(lines: list[str]) -> list[bool]:
    """For each line, whether it is inside (or opens or closes) a code fence."""
    inside: list[bool] = []
    fence: str | None = None
    for line in lines:
        match = _FENCE.match(line)
        if fence is None:
            if match:
                fence = match.group(1)[0] * 3
                inside.append(True)
                continue
            inside.append(False)
        else:
            inside.append(True)
            if match and match.group(1).startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
    return inside


def loose_tables(lines: list[str], outline: markdown.Outline) -> list[markdown.Table]:
    """Runs of `|` rows markdown-it does not read as a table (no separator row)."""
    taken: set[int] = set()
    for table in outline.tables:
        taken.update(range(table.header, table.end))
    pipes = [
        i for i, line in enumerate(lines) if "|" in line and line[:4].lstrip(" ").startswith("|")
    ]
    if sum(1 for i in pipes if i not in taken) < 2:
        return []  # the common case: every row is in a table markdown-it read
    for item in outline.items:
        taken.update(range(item.line, item.end))
    fenced = fenced_lines(lines)
    found: list[markdown.Table] = []
    index = 0
    while index < len(lines):
        start = index
        while (
            index < len(lines)
            and index not in taken
            and not fenced[index]
            and lines[index].lstrip(" ").startswith("|")
            and len(lines[index]) - len(lines[index].lstrip(" ")) < 4
            and lines[index].count("|") >= 2
        ):
            index += 1
        if index - start >= 2:
            found.append(markdown.Table(start, list(range(start + 1, index)), index))
        index = max(index, start + 1)
    return found


def section_status(outline: markdown.Outline, line: int, config: Config) -> str | None:
    """The status the nearest heading above `line` (0-based) gives the rows below it."""
    heading = None
    for candidate in outline.headings:
        if candidate.line >= line:
            break
        heading = candidate
    if heading is None:
        return None
    text = heading.text.strip()
    words = normalize_status(text)
    # "✅ Done" is a status; "✅ Acceptance Criteria Mapping" is a title with an emoji on it.
    if config.column_for_status(text) is not None and (
        not words or config.column_for_status(words) is not None
    ):
        return text
    if _DONE_HEADING.search(text):
        return "done"
    return None


def done_date(column_name: str, value: str) -> bool:
    return column_name in DONE_DATE_COLUMNS and bool(_DATEISH.search(value))


def heading_tasks(
    path: str,
    lines: list[str],
    outline: markdown.Outline,
    config: Config,
    match_id: MatchId,
    aliases: Mapping[str, str],
) -> list[Task]:
    """`### TASK-012: Title` headings, with the `Key: value` lines under them as fields."""
    fenced: list[bool] | None = None
    found: list[Task] = []
    open_ids: list[tuple[int, str]] = []  # (level, id) of enclosing task headings
    headings = outline.headings
    for number, heading in enumerate(headings):
        while open_ids and open_ids[-1][0] >= heading.level:
            open_ids.pop()
        task_id, title = match_id(heading.text, config)
        if task_id is None or not config.id_re.fullmatch(task_id) or is_id_range(task_id):
            continue
        if fenced is None:
            fenced = fenced_lines(lines)
        end = headings[number + 1].line if number + 1 < len(headings) else len(lines)
        fields: list[Field] = []
        for index in range(heading.line + 1, end):
            if not fenced[index]:
                fields.extend(field_of_line(lines[index], index + 1, aliases))
        if not fields and not _TITLE_SEPARATOR.match(heading.text.split(task_id, 1)[-1]):
            continue  # "## CO-382 Fallback Decision Table": a section about it, not a task
        found.append(
            Task(
                id=task_id,
                title=title.strip(" \t*_`"),
                path=path,
                line=heading.line + 1,
                col=lines[heading.line].find(task_id) + 1,
                kind="table",
                checked=None,
                fields=tuple(fields),
                depends=_depends(fields, config),
                parent=open_ids[-1][1] if open_ids else None,
            )
        )
        open_ids.append((heading.level, task_id))
    return found


def field_of_line(raw: str, line: int, aliases: Mapping[str, str]) -> list[Field]:
    """A `**Status**: Done` line (bulleted or not) as a field, when its key is a field's."""
    match = _FIELD_LINE.match(raw)
    if match is None:
        return []
    name = aliases.get(match.group("key").strip().lower())
    if name is None:
        return []
    value = raw[match.end() :].rstrip()
    stripped = value.strip()
    start = match.end() + len(value) - len(value.lstrip())
    return [Field(name, stripped, line, start, start + len(stripped))]


def frontmatter_task(
    path: str,
    lines: list[str],
    data: Mapping[str, Any],
    key_lines: Mapping[str, int],
    title: str | None,
    config: Config,
) -> Task | None:
    """The task a file's frontmatter names: an ID key and a status key, any schema."""
    lowered = {str(k).lower(): k for k in data}
    id_key = next((lowered[k] for k in ID_KEYS if k in lowered), None)
    status_key = next((lowered[k] for k in STATUS_KEYS if k in lowered), None)
    if id_key is None or status_key is None:
        return None
    task_id = _scalar(data[id_key])
    if not task_id or not config.id_re.fullmatch(task_id) or is_id_range(task_id):
        return None
    fields: list[Field] = []
    for name, keys in (
        ("status", STATUS_KEYS),
        ("owner", OWNER_KEYS),
        ("depends", DEPEND_KEYS),
        ("priority", PRIORITY_KEYS),
    ):
        key = next((lowered[k] for k in keys if k in lowered), None)
        if key is None:
            continue
        value = data[key]
        text = ", ".join(map(str, value)) if isinstance(value, list) else _scalar(value)
        fields.append(_key_field(name, str(key), text, lines, key_lines))
    title_key = next((lowered[k] for k in TITLE_KEYS if k in lowered), None)
    line = key_lines.get(str(id_key), 1)
    return Task(
        id=task_id,
        title=_scalar(data[title_key]) if title_key is not None else (title or ""),
        path=path,
        line=line,
        col=1,
        kind="table",
        checked=None,
        fields=tuple(fields),
        depends=_depends(fields, config),
    )


def _scalar(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def _key_field(
    name: str, key: str, text: str, lines: list[str], key_lines: Mapping[str, int]
) -> Field:
    """The field with the span of its value on the key's own line (inside quotes)."""
    line = key_lines.get(key, 1)
    raw = lines[line - 1] if 0 < line <= len(lines) else ""
    position = raw.find(text, raw.find(":") + 1) if text else -1
    if position < 0:
        position = len(raw)
        return Field(name, text, line, position, position)
    return Field(name, text, line, position, position + len(text))


def _depends(fields: list[Field], config: Config) -> tuple[str, ...]:
    bounded = re.compile(rf"(?<![\w-])(?:{config.id_pattern})(?![\w-])")
    return tuple(
        m.group(0)
        for f in fields
        if f.name == "depends"
        for m in bounded.finditer(f.value)
        if not is_id_range(m.group(0))
    )


_HEADER_FIELD = re.compile(r"^#\s*(?P<key>[A-Za-z][A-Za-z ]{0,20}):[ \t]*(?P<value>.*)$")
_SUBTASK_HEAD = re.compile(r"^##\s*(?P<num>\d+)\.\s*(?P<title>.*?)\s*\[(?P<status>[\w -]+)\]\s*$")
_SUB_DEPENDS = re.compile(r"^###\s*Dependencies:\s*(?P<value>.*)$")
_NUMBERS = re.compile(r"\d+(?:\.\d+)?")


def header_file_task(path: str, lines: list[str]) -> Task | None:
    """Task Master's task files: `# Task ID: 3`, `# Title:`, `# Status:`, `# Dependencies:`
    header lines, then `## 1. Title [done]` subtasks (IDs 3.1, ...; numbers as written)."""
    if not lines or not lines[0].lower().startswith("# task id:"):
        return None
    task_id = lines[0].split(":", 1)[1].strip()
    if not task_id:
        return None
    names = {
        "title": "title",
        "status": "status",
        "dependencies": "depends",
        "priority": "priority",
    }
    fields: list[Field] = []
    title = ""
    for number, raw in enumerate(lines[1:12], 2):
        match = _HEADER_FIELD.match(raw)
        name = names.get(match.group("key").strip().lower()) if match else None
        if match is None or name is None:
            continue
        value = match.group("value").strip()
        if name == "title":
            title = value
            continue
        fields.append(Field(name, value, number, match.start("value"), match.end("value")))
    return Task(
        id=task_id,
        title=title,
        path=path,
        line=1,
        col=1,
        kind="table",
        checked=None,
        fields=tuple(fields),
        depends=tuple(_numbers(fields)),
        subtasks=tuple(_header_subtasks(path, lines, task_id)),
    )


def _header_subtasks(path: str, lines: list[str], parent: str) -> list[Task]:
    found: list[Task] = []
    for index, raw in enumerate(lines):
        match = _SUBTASK_HEAD.match(raw)
        if match is None:
            continue
        status = Field(
            "status", match.group("status"), index + 1, match.start("status"), match.end("status")
        )
        fields = [status]
        after = lines[index + 1] if index + 1 < len(lines) else ""
        depends = _SUB_DEPENDS.match(after)
        if depends is not None:
            fields.append(
                Field(
                    "depends",
                    depends.group("value").strip(),
                    index + 2,
                    depends.start("value"),
                    depends.end("value"),
                )
            )
        found.append(
            Task(
                id=f"{parent}.{match.group('num')}",
                title=match.group("title"),
                path=path,
                line=index + 1,
                col=1,
                kind="table",
                checked=None,
                fields=tuple(fields),
                depends=tuple(d if "." in d else f"{parent}.{d}" for d in _numbers(fields[1:])),
                parent=parent,
            )
        )
    return found


def _numbers(fields: list[Field]) -> list[str]:
    return [m.group(0) for f in fields if f.name == "depends" for m in _NUMBERS.finditer(f.value)]


_MERMAID_EDGE = re.compile(
    r"(?P<a>[A-Za-z_#]*\d+)(?:\[[^\]]*\]|\([^)]*\)|\{[^}]*\})?\s*"
    r"(?:-->|---|==>|-\.->)(?:\|[^|]*\|)?\s*(?=(?P<b>[A-Za-z_#]*\d+))"
)
_LOCAL_REF = re.compile(r"(?<![\w#])#(\d+)\b")
_NODE_NUMBER = re.compile(r"(\d+)$")


def local_id(path: str, number: str) -> str:
    """A numbered row's ID, qualified by its file: `long-session-plan#7`. Numbers count
    rows within one plan; two plans both have a #1."""
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return f"{stem}#{int(number)}"


def local_dependencies(path: str, lines: list[str], tasks: list[Task]) -> list[Task]:
    """Numbered tasks' dependencies: `#1, #7` in a Depends cell, and the edges of Mermaid
    flowcharts whose nodes end in a task's number (`Task2 --> Task7`: 7 depends on 2)."""
    prefix = local_id(path, "0")[:-1]
    local = {t.id: t for t in tasks if t.id is not None and t.id.startswith(prefix)}
    if not local:
        return tasks
    extra: dict[str, list[str]] = {task_id: [] for task_id in local}
    for task_id, task in local.items():
        for f in task.fields:
            if f.name == "depends":
                extra[task_id] += [local_id(path, n) for n in _LOCAL_REF.findall(f.value)]
    fenced = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = stripped.lstrip("`~").strip().lower().startswith("mermaid")
            continue
        if not fenced:
            continue
        for edge in _MERMAID_EDGE.finditer(line):
            a, b = (_NODE_NUMBER.search(edge.group(k)) for k in ("a", "b"))
            if a is None or b is None:
                continue
            before, after = local_id(path, a.group(1)), local_id(path, b.group(1))
            if before in local and after in local and before not in extra[after]:
                extra[after].append(before)
    result: list[Task] = []
    for task in tasks:
        more = extra.get(task.id) if task.id is not None else None
        result.append(
            replace(task, depends=tuple(dict.fromkeys([*task.depends, *more]))) if more else task
        )
    return result
