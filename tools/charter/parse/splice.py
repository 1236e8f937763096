"""A plan after an edit inside one top-level task: the model before, with that task's
piece of the file parsed again, instead of the whole file.

A task edit changes a few lines inside one task's list item (a field's value, the
checkbox, a new field line). In a plan of 50,000 tasks a full parse of the edited text
takes seconds; the piece holding the change is a handful of lines. `spliced_plan` gives
the model `parse_plan` would give for the new bytes, or None when it cannot prove that it
does (the caller then parses the whole file).

The proof is the one `charter.markdown.outline` rests on when it reads a document in
pieces: CommonMark closes every block when a line starts a top-level bullet item, so the
lines from there on parse the same whatever came before. The piece runs from the line
of the changed task's top-level item (which the full parse before the edit found as an
item at column 0, and which the edit leaves a top-level bullet) to the next top-level
task item, and its own outline, parsed with that next line, must show a top-level item
starting there. Lines before the piece are unchanged and end where a top-level item
starts; lines after it are unchanged and start where one starts: their tasks are the
ones before the edit, moved down by the lines the edit inserted.

What a plan's parse reads across the whole file is ruled out rather than redone: a
section that says to execute its steps in order (it chains the tasks of the region),
the heading the piece sits under naming a task (its fields are the lines under it),
numbered steps' local dependencies, a file that is itself a task, anything the parse
reported as a problem, line endings other than LF, a byte-order mark. Then None.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import replace

from charter import markdown, model_memo
from charter.config import Config
from charter.model import Evidence, Field, Plan, Task
from charter.parse.frontmatter import split_frontmatter
from charter.parse.in_order import IN_ORDER_RE
from charter.parse.plans import parse_plan, plan_from_source
from charter.parse.shapes import local_id
from charter.parse.source import Source
from charter.parse.task_parts import match_task_id

_TOP_BULLET = re.compile(r"[-*+][ \t]+\S")
_THEMATIC_BREAK = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_DELIMITER_ROW = re.compile(r"[ \t]*[|:-][|:\- \t]+$")
# A line that may be a heading: ATX (`## x`) or a setext underline (`---`, `===`).
_ATX = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(?P<text>.*?))?[ \t#]*$", re.M)
_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$", re.M)


def spliced_plan(before: Plan, old: bytes, new: bytes, config: Config) -> Plan | None:
    """`parse_plan(before.path, new, config)`, from `before` (the model of `old`) and a parse
    of the piece of `new` that differs; None when the piece cannot be proven to parse alone."""
    if before.problems or _file_is_task(before) or b"\r" in new or b"\r" in old:
        return None
    try:
        old_text, new_text = old.decode("utf-8"), new.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if new_text.startswith("\ufeff") or old_text.startswith("\ufeff"):
        return None
    if IN_ORDER_RE.search(new_text):
        return None  # a region whose tasks wait on each other: the whole file decides
    old_lines, new_lines = _lines(old_text), _lines(new_text)
    first, last_old, last_new = _changed(old_lines, new_lines)
    if first is None:
        return before
    # Lines only inserted: they follow old line first - 1, which holds them in its piece.
    low = first if last_old >= first else first - 1
    piece = _piece(before, old_lines, low, max(last_old, low))
    if piece is None:
        return None
    start, end_old = piece  # 0-based, half-open, in the old lines
    delta = len(new_lines) - len(old_lines)
    end_new = end_old + delta
    if end_new <= last_new or not _starts_top_item(new_lines, start):
        return None
    if _under_task_heading(before.path, new_lines, start, config):
        return None
    tasks = _piece_tasks(before.path, new_lines, start, end_new, config)
    if tasks is None:
        return None
    prefix = local_id(before.path, "0")[:-1]
    if any(t.id is not None and t.id.startswith(prefix) for t in _walk(tasks)):
        return None
    kept_before = [t for t in before.tasks if t.line - 1 < start]
    kept_after = [t for t in before.tasks if t.line - 1 >= end_old]
    if any(start <= t.line - 1 < end_old for t in before.tasks if t.kind != "checklist"):
        return None
    if any(t.id is not None and t.id.startswith(prefix) for t in before.walk()):
        return None
    moved = [_shifted(t, delta) for t in kept_after] if delta else kept_after
    return replace(before, tasks=(*kept_before, *tasks, *moved))


def _file_is_task(plan: Plan) -> bool:
    """A file whose frontmatter types it, or with no tasks: the parse may read it as one task."""
    fm = plan.frontmatter
    return not plan.tasks or "type" in fm or "kind" in fm


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _changed(old: list[str], new: list[str]) -> tuple[int | None, int, int]:
    """The first line that differs (0-based), and the last that differs in each version
    (counted from the end: the lines after them are the same)."""
    shortest = min(len(old), len(new))
    first = 0
    while first < shortest and old[first] == new[first]:
        first += 1
    if first == len(old) == len(new):
        return None, 0, 0
    tail = 0
    while tail < shortest - first and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return first, len(old) - 1 - tail, len(new) - 1 - tail


def _piece(before: Plan, lines: list[str], first: int, last: int) -> tuple[int, int] | None:
    """The old lines [start, end) of the top-level checklist task holding lines first..last,
    up to the next top-level checklist task (or the end of the file)."""
    roots = sorted(
        (t.line - 1 for t in before.tasks if t.kind == "checklist" and _is_top(lines, t.line - 1)),
    )
    start = None
    end = len(lines)
    for line in roots:
        if line <= first:
            start = line
        elif line > last:
            end = line
            break
        else:
            return None  # the change spans two top-level items
    if start is None:
        return None
    return start, end


def _is_top(lines: list[str], index: int) -> bool:
    """A line that starts a top-level bullet item with content, as `markdown._cut` cuts at."""
    if index >= len(lines):
        return False
    line = lines[index]
    if not _TOP_BULLET.match(line) or _THEMATIC_BREAK.match(line):
        return False
    return not ("|" in line and index + 1 < len(lines) and _DELIMITER_ROW.match(lines[index + 1]))


def _starts_top_item(lines: list[str], index: int) -> bool:
    return _is_top(lines, index) and not _DELIMITER_ROW.match(lines[index])


def _under_task_heading(path: str, lines: list[str], start: int, config: Config) -> bool:
    """Whether the heading the piece sits under may name a task (`### T-1: Title`): its
    fields are the `Key: value` lines under it, the piece's included. A setext underline
    anywhere above the piece counts as such a heading (rare in plans; the full parse
    decides then)."""
    body = split_frontmatter(lines[:start], path).body_start_line - 1
    above = "\n".join(lines[body:start])
    for match in _SETEXT.finditer(above):
        previous = above.rfind("\n", 0, max(match.start() - 1, 0)) + 1
        if match.start() > 0 and above[previous : match.start() - 1].strip():
            return True
    last = None
    for last in _ATX.finditer(above):  # noqa: B007  # the last one is wanted
        pass
    if last is None:
        return False
    return match_task_id(last.group("text") or "", config)[0] is not None


def _piece_tasks(
    path: str, lines: list[str], start: int, end: int, config: Config
) -> tuple[Task, ...] | None:
    """The tasks of lines [start, end), parsed alone and placed at their lines; None unless
    their outline (with the line after them) proves they parse alone."""
    proof = lines[start : end + 1] if end < len(lines) else lines[start:end]
    outline = markdown.outline("\n".join(proof))
    if outline.headings or outline.tables or outline.too_deep_line is not None:
        return None
    if end < len(lines):
        at = end - start
        if not any(item.line == at and item.depth == 0 for item in outline.items):
            return None
    if not any(item.line == 0 and item.depth == 0 for item in outline.items):
        return None
    alone = plan_from_source(Source(path, lines[start:end]), config)
    if alone.problems or not alone.tasks or alone.tasks[0].line != 1:
        return None
    if alone.frontmatter or alone.has_frontmatter:
        return None
    return tuple(_shifted(t, start) for t in alone.tasks)


def _walk(tasks: tuple[Task, ...]) -> list[Task]:
    return [t for task in tasks for t in task.walk()]


def _shifted(task: Task, by: int) -> Task:
    """`task` with every line it records moved down by `by`."""
    return replace(
        task,
        line=task.line + by,
        fields=tuple(Field(f.name, f.value, f.line + by, f.start, f.end) for f in task.fields),
        evidence=tuple(Evidence(e.path, e.line + by, e.sha256) for e in task.evidence),
        subtasks=tuple(_shifted(s, by) for s in task.subtasks),
    )


def plan_model(rel: str, data: bytes, config: Config) -> Plan:
    """`parse_plan(rel, data, config)`, taken from charter.model_memo when this command
    offered the model of these bytes already."""
    held = model_memo.known("plan", rel, model_memo.content_digest(data), repr(config))
    if isinstance(held, Plan):
        return held
    return parse_plan(rel, data, config)


def offer_plan(rel: str, data: bytes, config: Config, plan: Plan) -> None:
    """Keep `plan`, the model of `data` just written to `rel`, for the loads that follow
    (unless the file is read as a handoff document, which another parser reads)."""
    if not any(fnmatch.fnmatch(rel, glob) for glob in config.handoff_plans):
        model_memo.offer("plan", rel, data, repr(config), plan)
