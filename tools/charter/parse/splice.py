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

import bisect
import fnmatch
import gc
import re
import weakref
from dataclasses import replace
from typing import TypeVar

from charter import markdown, model_memo, piece_memo
from charter.cache import ModelCache
from charter.config import Config
from charter.model import Evidence, Field, Plan, Task
from charter.parse.frontmatter import split_frontmatter
from charter.parse.in_order import IN_ORDER_RE
from charter.parse.plans import parse_plan, plan_from_source
from charter.parse.shapes import local_id
from charter.parse.source import Source
from charter.parse.task_parts import match_task_id

# A plan at least this long is taken from the model cache when it holds these bytes: for
# one plan of 50,000 tasks (6 MB) reading its shard and decoding takes half as long as a
# parse; for a short plan, reading the shard costs more than the parse.
FROM_CACHE_BYTES = model_memo.LONG_FILE
_TOP_BULLET = re.compile(r"[-*+][ \t]+\S")
_THEMATIC_BREAK = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_DELIMITER_ROW = re.compile(r"[ \t]*[|:-][|:\- \t]+$")
# A line that may be a heading: ATX (`## x`) or a setext underline (`---`, `===`).
_ATX = re.compile(rb"^ {0,3}#{1,6}(?:[ \t]+(?P<text>.*?))?[ \t#]*$", re.M)
_SETEXT = re.compile(rb"^ {0,3}(?:=+|-+)[ \t]*$", re.M)
# Bytes without these hold no sentence saying to work in order (IN_ORDER_RE, case aside).
_MAYBE_IN_ORDER = re.compile(rb"(?i)order|sequence")
_FRONTMATTER_BYTES = 64 * 1024  # read this much of the file for its frontmatter


def spliced_plan(before: Plan, old: bytes, new: bytes, config: Config) -> Plan | None:
    """`parse_plan(before.path, new, config)`, from `before` (the model of `old`) and a parse
    of the piece of `new` that differs; None when the piece cannot be proven to parse alone.
    The texts are read where the change is: at 50,000 tasks, splitting both into lines took
    more memory than the piece's parse by far."""
    if before.problems or _file_is_task(before) or b"\r" in new or b"\r" in old:
        return None
    if new.startswith(b"\xef\xbb\xbf") or old.startswith(b"\xef\xbb\xbf"):
        return None
    try:
        new_text = new.decode("utf-8")
        old.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # (Case-insensitive matching folds some letters beyond ASCII onto `s` and `k`.)
    maybe = _MAYBE_IN_ORDER.search(new) or not new.isascii()
    if maybe and IN_ORDER_RE.search(new_text):
        return None  # a region whose tasks wait on each other: the whole file decides
    del new_text
    change = _changed(old, new)
    if change is None:
        return before
    first, last_old, last_new, first_at = change
    # Lines only inserted: they follow old line first - 1, which holds them in its piece.
    low = first if last_old >= first else first - 1
    piece = _piece(before, _Text(old, first, first_at), low, max(last_old, low))
    if piece is None:
        return None
    start, end_old = piece  # 0-based, half-open, in the old lines
    delta = _line_count(new) - _line_count(old)
    end_new = end_old + delta
    text = _Text(new, first, first_at)
    if end_new <= last_new or not _starts_top_item(text, start):
        return None
    if _under_task_heading(before.path, new, text.offset(start), config):
        return None
    tasks = _piece_tasks(before.path, text, start, end_new, config)
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
    after = replace(before, tasks=(*kept_before, *tasks, *moved))
    # What the board's patch of this command reads to redo the piece's rows alone.
    digest = model_memo.content_digest(old)
    piece_memo.offer(
        piece_memo.Piece(
            before.path,
            digest,
            weakref.ref(before),
            after,
            start,
            end_old,
            delta,
            tuple(t for t in before.tasks if start <= t.line - 1 < end_old),
        )
    )
    return after


class _Text:
    """A file's bytes read by line near a line whose start is known (no list of every line)."""

    def __init__(self, data: bytes, line: int, at: int):
        self.data, self.line, self.at = data, line, at  # 0-based line `line` starts at `at`
        self.lines = _line_count(data)

    def offset(self, index: int) -> int:
        """Where 0-based line `index` starts."""
        data, at = self.data, self.at
        if index <= self.line:
            for _ in range(self.line - index):
                at = data.rfind(b"\n", 0, at - 1) + 1
            return at
        for _ in range(index - self.line):
            at = data.index(b"\n", at) + 1
        return at

    def get(self, index: int) -> str:
        start = self.offset(index)
        end = self.data.find(b"\n", start)
        return self.data[start : end if end >= 0 else len(self.data)].decode("utf-8")

    def span(self, start: int, end: int) -> list[str]:
        """Lines [start, end), at most to the last line."""
        end = min(end, self.lines)
        if end <= start:
            return []
        first = self.offset(start)
        last = self.offset(end - 1)
        stop = self.data.find(b"\n", last)
        return self.data[first : stop if stop >= 0 else len(self.data)].decode("utf-8").split("\n")

    def __len__(self) -> int:
        return self.lines


def _file_is_task(plan: Plan) -> bool:
    """A file whose frontmatter types it, or with no tasks: the parse may read it as one task."""
    fm = plan.frontmatter
    return not plan.tasks or "type" in fm or "kind" in fm


def _line_count(data: bytes) -> int:
    """How many lines `text.split("\\n")` gives, less a last empty one."""
    count = data.count(b"\n")
    return count if not data or data.endswith(b"\n") else count + 1


_STEP = 1 << 16


def _changed(old: bytes, new: bytes) -> tuple[int, int, int, int] | None:
    """The first line that differs (0-based) and where it starts, and the last line that
    differs in each version (the lines after it are the same); None when nothing does."""
    if old == new:
        return None
    shortest = min(len(old), len(new))
    same = 0
    while same + _STEP <= shortest and old[same : same + _STEP] == new[same : same + _STEP]:
        same += _STEP
    while same < shortest and old[same] == new[same]:
        same += 1
    room = shortest - same  # the same bytes are never counted at both ends
    tail, o, n = 0, len(old), len(new)
    while (
        tail + _STEP <= room
        and old[o - tail - _STEP : o - tail] == new[n - tail - _STEP : n - tail]
    ):
        tail += _STEP
    while tail < room and old[o - tail - 1] == new[n - tail - 1]:
        tail += 1
    first = old.count(b"\n", 0, same)
    first_at = old.rfind(b"\n", 0, same) + 1
    last_old = old.count(b"\n", 0, max(len(old) - tail - 1, 0))
    last_new = new.count(b"\n", 0, max(len(new) - tail - 1, 0))
    if len(old) - tail - 1 < 0:
        last_old = -1
    return first, last_old, last_new, first_at


def _piece(before: Plan, text: _Text, low: int, high: int) -> tuple[int, int] | None:
    """The old lines [start, end) of the top-level checklist task holding lines low..high,
    up to the next task (or the end of the file), which must start a top-level item too."""
    lines = [t.line - 1 for t in before.tasks]
    at = bisect.bisect_right(lines, low) - 1
    if at < 0:
        return None
    after = bisect.bisect_right(lines, high)
    if after != at + 1:
        return None  # the change spans two tasks, or none holds it
    root = before.tasks[at]
    if root.kind != "checklist" or not _is_top(text, lines[at]):
        return None
    if after == len(lines):
        return lines[at], len(text)
    following = before.tasks[after]
    if following.kind != "checklist" or not _is_top(text, lines[after]):
        return None
    return lines[at], lines[after]


def _is_top(text: _Text, index: int) -> bool:
    """A line that starts a top-level bullet item with content, as `markdown._cut` cuts at."""
    if index >= len(text):
        return False
    line = text.get(index)
    if not _TOP_BULLET.match(line) or _THEMATIC_BREAK.match(line):
        return False
    if "|" not in line or index + 1 >= len(text):
        return True
    return not _DELIMITER_ROW.match(text.get(index + 1))


def _starts_top_item(text: _Text, index: int) -> bool:
    return _is_top(text, index) and not _DELIMITER_ROW.match(text.get(index))


def _under_task_heading(path: str, data: bytes, offset: int, config: Config) -> bool:
    """Whether the heading the piece (starting at byte `offset`) sits under may name a task
    (`### T-1: Title`): its fields are the `Key: value` lines under it, the piece's
    included. Any heading above naming a task, or a setext underline anywhere above,
    counts as such (the full parse decides then)."""
    head = data[: min(offset, _FRONTMATTER_BYTES)].decode("utf-8", "surrogateescape")
    lines = head.split("\n")
    body_line = split_frontmatter(lines, path).body_start_line - 1
    body = sum(len(line.encode("utf-8", "surrogateescape")) + 1 for line in lines[:body_line])
    if body > offset:
        return True  # a frontmatter block longer than what is read of it: cannot tell
    for match in _SETEXT.finditer(data, body, offset):
        previous = data.rfind(b"\n", 0, max(match.start() - 1, 0)) + 1
        if match.start() > body and data[previous : match.start() - 1].strip():
            return True
    # Every heading above, not only the nearest: a `#` line in a code block looks like one.
    for match in _ATX.finditer(data, body, offset):
        heading = (match.group("text") or b"").decode("utf-8", "replace")
        if match_task_id(heading, config)[0] is not None:
            return True
    return False


def _piece_tasks(
    path: str, text: _Text, start: int, end: int, config: Config
) -> tuple[Task, ...] | None:
    """The tasks of lines [start, end), parsed alone and placed at their lines; None unless
    their outline (with the line after them) proves they parse alone."""
    proof = text.span(start, end + 1)
    outline = markdown.outline("\n".join(proof))
    if outline.headings or outline.tables or outline.too_deep_line is not None:
        return None
    if end < len(text):
        at = end - start
        if not any(item.line == at and item.depth == 0 for item in outline.items):
            return None
    if not any(item.line == 0 and item.depth == 0 for item in outline.items):
        return None
    alone = plan_from_source(Source(path, proof[: end - start]), config)
    if alone.problems or not alone.tasks or alone.tasks[0].line != 1:
        return None
    if alone.frontmatter or alone.has_frontmatter:
        return None
    return tuple(_shifted(t, start) for t in alone.tasks)


def _walk(tasks: tuple[Task, ...]) -> list[Task]:
    return [t for task in tasks for t in task.walk()]


def _shifted(task: Task, by: int) -> Task:
    """`task` with every line it records moved down by `by` (a field inserted near the top
    of one plan of 50,000 tasks moves all the others). Copied by their attributes, not
    through the dataclasses' `__init__` or `replace`: 240,000 objects, seconds that way."""
    moved = _copy(task, line=task.line + by)
    attrs = moved.__dict__
    attrs["fields"] = tuple(_copy(f, line=f.line + by) for f in task.fields)
    if task.evidence:
        attrs["evidence"] = tuple(_copy(e, line=e.line + by) for e in task.evidence)
    if task.subtasks:
        attrs["subtasks"] = tuple(_shifted(s, by) for s in task.subtasks)
    return moved


_T = TypeVar("_T", Task, Field, Evidence)


def _copy(item: _T, line: int) -> _T:
    """A copy of a frozen model object (plain attributes, no slots) with another `line`."""
    copy = object.__new__(type(item))
    attrs = copy.__dict__
    attrs.update(item.__dict__)
    attrs["line"] = line
    return copy


def piece_scope(before: Plan, after: Plan) -> tuple[Plan, Plan]:
    """`before` and `after` with the tasks of the piece `spliced_plan` parsed again alone, when
    it made `after` from `before`; else both whole. Every other task of `after` is one of
    `before`'s (the same object, or a copy moved down by the lines inserted): what compares
    the two versions task by task need only read the piece."""
    piece = piece_memo.between(before, after)
    if piece is None:
        return before, after
    new = piece.new_tasks()
    return replace(before, tasks=piece.old_tasks), replace(after, tasks=new)


def plan_model(rel: str, data: bytes, config: Config) -> Plan:
    """`parse_plan(rel, data, config)`, taken from charter.model_memo when this command
    offered the model of these bytes already."""
    if any(fnmatch.fnmatch(rel, glob) for glob in config.handoff_plans):
        return parse_plan(rel, data, config)  # what is kept of it is the handoff parser's
    digest = model_memo.content_digest(data)
    held = model_memo.known("plan", rel, digest, repr(config))
    if isinstance(held, Plan):
        return held
    if len(data) >= FROM_CACHE_BYTES:  # decoding a long plan's model beats parsing it again
        cached = ModelCache(config, lazy=True).get(rel, digest)
        if isinstance(cached, Plan):
            return cached
    return parse_plan(rel, data, config)


def offer_plan(rel: str, data: bytes, config: Config, plan: Plan) -> None:
    """Keep `plan`, the model of `data` just written to `rel`, for the loads that follow
    (unless the file is read as a handoff document, which another parser reads)."""
    if not any(fnmatch.fnmatch(rel, glob) for glob in config.handoff_plans):
        model_memo.offer("plan", rel, data, repr(config), plan)
        if len(data) >= model_memo.LONG_FILE:
            # Kept to the command's end and in no cycle: out of the collector's walks, which
            # would otherwise visit its hundreds of thousands of objects again and again.
            gc.freeze()
