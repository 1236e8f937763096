"""Lossless task edits: change a task in its plan file and nothing else.

Each edit locks the plan, reads it, replaces only the bytes of the field
values it sets (located by Field.line/start/end and Task.checkbox_col) or
inserts one new field line, and writes the file atomically. Line endings,
indentation, a byte-order mark and every other line stay byte-identical.

Before writing, the edited text is parsed again: the task must read back with
the new values and every other task must read exactly as before; otherwise
the edit is refused and the file is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from charter.config import Config
from charter.errors import CharterError, os_error_reason
from charter.files import plan_listing, relpath
from charter.io import locked, read_file, write_bytes_atomic
from charter.model import Field, Plan, Task
from charter.parse.plans import CHECKBOX_RE, FIELD_ITEM_RE, parse_plan
from charter.parse.splice import offer_plan, piece_scope, plan_model, spliced_plan
from charter.parse.tables import split_row
from charter.parse.task_parts import FIELD_ALIASES
from charter.repo import collector_paused, load_repo, without_replaced
from charter.tasks.holding import holding
from charter.tasks.id_index import plan_task_ids

# Canonical field name -> how charter writes it when it adds the field.
DISPLAY_NAMES: dict[str, str] = {
    "status": "Status",
    "owner": "Owner",
    "depends": "Depends",
    "level": "Level",
    "acceptance": "Acceptance",
    "evidence": "Evidence",
    "files": "Files",
    "priority": "Priority",
    "notes": "Notes",
    "deliverable": "Deliverable",
    "blocked_reason": "Blocked reason",
    "updated": "Updated",
    "plan": "Plan",
    "reviewed": "Reviewed",
}
# Patterns, compiled on first use (re keeps them): an edit's start-up is most of its time.
_MARKER = r"^(?P<lead>[ \t]*(?:>[ \t]?)*)(?P<marker>[-*+]|\d{1,9}[.)])(?P<space>[ \t]+)"
_LIST_ITEM = r"^[ \t]*(?:>[ \t]*)*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)"
_BLOCK_START = r"^[ \t]*(?:>[ \t]*)*(?:#|\||```|~~~|<!--)"
_UNESCAPED_PIPE = r"(?<!\\)\|"
_LINE_END = r"(\r\n|\r|\n)"
_SHA256 = r"[0-9a-fA-F]{64}"
_CHECKBOX_CELL = ("[ ]", "[x]", "[X]")


# ---- public API ------------------------------------------------------------------


PlanBytes = tuple[tuple[str, bytes | None], ...]  # every plan's path and bytes (None: unreadable)


class EditedPlan(NamedTuple):
    """What a validator judges: the plan before and after the edit, and every plan's bytes as
    the edit read them (the edited plan's as they were before it)."""

    before: Plan
    after: Plan
    plans: PlanBytes
    written: bytes = b""  # the edited plan's bytes after the edit (what is written if it passes)

    def plans_after(self) -> PlanBytes:
        """Every plan's bytes once the edit is written."""
        rel = self.after.path
        return tuple((r, self.written if r == rel else d) for r, d in self.plans)


Validator = Callable[[EditedPlan], None]  # raise to refuse the edit


def set_status(
    config: Config,
    task_id: str,
    status: str,
    owner: str | None = None,
    *,
    validate: Validator | None = None,
) -> Path:
    """Set the Status field (adding it when absent) and keep the checkbox consistent."""
    status = _one_line(status, "status")
    column = config.column_for_status(status)
    if column is None:
        raise CharterError(
            f"unknown status {status!r}: it maps to none of the board columns "
            f"({', '.join(config.columns)}); see [tool.charter.status_map]"
        )
    values = {"status": status}
    if owner is not None:
        values["owner"] = _one_line(owner, "owner")
    return _edit(
        config, task_id, lambda task: _Change(values, _checkbox_for(column, config)), validate
    )


def mark_done(
    config: Config,
    task_id: str,
    evidence: str,
    sha256: str | None = None,
    *,
    validate: Validator | None = None,
) -> Path:
    """Tick the checkbox, set Status to the done column (when the task has a Status),
    and write `Evidence: `PATH`` (with ` (sha256: HEX)` when given)."""
    path = evidence_path(config, evidence)
    value = f"`{path}`"
    if sha256 is not None:
        if not re.fullmatch(_SHA256, sha256):
            raise CharterError(f"not a sha256 digest (64 hex digits): {sha256!r}")
        value += f" (sha256: {sha256.lower()})"

    def change(task: Task) -> _Change:
        values = {"evidence": value}
        if task.field("status") is not None or (task.kind == "table" and not _has_checkbox(task)):
            values["status"] = config.done_column
        return _Change(values, True, evidence=path)

    return _edit(config, task_id, change, validate)


def block(config: Config, task_id: str, reason: str, *, validate: Validator | None = None) -> Path:
    """Set Status to the blocked column and write a `Blocked reason:` field."""
    values = {"status": config.blocked_column, "blocked_reason": _one_line(reason, "reason")}
    return _edit(config, task_id, lambda task: _Change(values, False), validate)


def set_field(
    config: Config, task_id: str, name: str, value: str, *, validate: Validator | None = None
) -> Path:
    """Set any task field by name (`Owner`, `priority`, `Blocked reason`...)."""
    canonical = FIELD_ALIASES.get(" ".join(name.split()).lower())
    if canonical is None or canonical not in DISPLAY_NAMES:
        known = ", ".join(sorted(DISPLAY_NAMES.values()))
        raise CharterError(f"unknown task field {name!r} (known fields: {known})")
    if canonical == "status":
        return set_status(config, task_id, value, validate=validate)
    values = {canonical: _one_line(value, name)}
    return _edit(config, task_id, lambda task: _Change(values, None), validate)


def find_task(config: Config, task_id: str) -> tuple[Path, Task]:
    """The plan file and task for `task_id`.

    Reads every plan's bytes but parses only those that mention the ID.
    CharterError for an unknown ID (listing close matches) or one defined twice.
    """
    everything: list[tuple[str, bytes | None]] = []
    mentioning, unreadable = _mentioning(config, task_id, everything)
    parsed = [
        (path, parse_plan(relpath(config.root, path), data, config)) for path, data in mentioning
    ]
    # A file an imported plan replaced (its `source`) is not a plan: the task is edited there.
    kept = {id(plan) for plan in without_replaced([plan for _path, plan in parsed])}
    hits: list[tuple[Path, Task]] = []
    for path, plan in parsed:
        if id(plan) in kept:
            hits.extend((path, t) for t in plan.walk() if t.id == task_id)
    if not hits:
        raise _not_found(config, task_id, unreadable, everything)
    if len(hits) > 1:
        raise _duplicate(task_id, [t for _, t in hits])
    return hits[0]


def _mentioning(
    config: Config, task_id: str, everything: list[tuple[str, bytes | None]] | None = None
) -> tuple[list[tuple[Path, bytes]], list[tuple[Path, OSError]]]:
    """Plans whose bytes hold `task_id` as a whole word (W0-1 is not in W0-10), and the
    plans that could not be read (the task may be in one of them). `everything` hears of
    every plan read."""
    needle = task_id.encode("utf-8")
    bounded = re.compile(rb"(?<![\w-])" + re.escape(needle) + rb"(?![\w-])")
    # A numbered step (`| 3 |` in a plan with `id: LS` is LS-3) is named by its plan's id.
    plan_id, _, step = task_id.rpartition("-")
    plan_name = plan_id.encode("utf-8")
    step_of = declares_plan_id(plan_name) if plan_id and step.isdigit() else None
    unreadable: list[tuple[Path, OSError]] = []
    listing = plan_listing(config)
    datas: list[bytes | None] = []
    for rel, full in listing:
        data: bytes | None = None
        try:
            data = read_file(full)
        except OSError as exc:
            unreadable.append((Path(full), exc))
        datas.append(data)
        if everything is not None:
            everything.append((rel, data))
    # Both tests need the plan's name (the ID's prefix) in the bytes, or the ID itself.
    found: list[tuple[Path, bytes]] = []
    for n in holding(datas, plan_name if step_of else needle):
        data = datas[n]
        assert data is not None  # holding skips what was not read
        if (needle in data and bounded.search(data)) or (step_of and step_of(data)):
            found.append((Path(listing[n][1]), data))
    return found, unreadable


def declares_plan_id(name: bytes) -> Callable[[bytes], bool]:
    """Whether a file's bytes hold a line `id: NAME` (a plan's frontmatter naming its
    numbered steps NAME-1, NAME-2, ...), quoted or not.

    What `re.search` of that line under re.M answers, found faster: a plan of 50,000 tasks'
    repository has 2,000 files holding `P0`, and a regex scanning each for `^id:` costs
    more than reading them; `bytes.find` goes straight to the lines starting with `id:`."""
    line = re.compile(rb"^id:\s*['\"]?" + re.escape(name) + rb"['\"]?\s*$", re.M)

    def declares(data: bytes) -> bool:
        if name not in data:
            return False
        if data.startswith(b"id:") and line.match(data, 0):
            return True
        at = data.find(b"\nid:")
        while at >= 0:
            if line.match(data, at + 1):  # `^` holds there: the byte before is a newline
                return True
            at = data.find(b"\nid:", at + 1)
        return False

    return declares


def _not_found(
    config: Config,
    task_id: str,
    unreadable: list[tuple[Path, OSError]],
    plans: list[tuple[str, bytes | None]],
) -> CharterError:
    """`plans`: every plan's bytes as read, whose IDs the message suggests from."""
    if not unreadable:  # a plan that cannot be read may hold it: never "no task" then
        return CharterError(unknown_task_message(config, task_id, plan_task_ids(config, plans)))
    path, exc = unreadable[0]
    why = f"cannot read the plan ({os_error_reason(exc)}): {task_id} may be in it"
    return CharterError(f"{why}; nothing was changed", relpath(config.root, path))


def unknown_task_message(config: Config, task_id: str, known: Iterable[str] | None = None) -> str:
    import difflib  # lazy: only an unknown ID's hint needs it

    ids = sorted(known if known is not None else load_repo(config).task_index())
    close = difflib.get_close_matches(task_id, ids, n=5, cutoff=0.6)
    close += [i for i in ids if i.lower() == task_id.lower() and i not in close]
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"no task {task_id} in the plans ({', '.join(config.plans)}){hint}"


def evidence_path(config: Config, evidence: str) -> str:
    """`evidence` as a path relative to the repo root; CharterError unless it exists inside it."""
    text = _one_line(evidence, "evidence")
    if "`" in text or any(c.isspace() for c in text):
        raise CharterError(f"evidence path {text!r} must not hold spaces or backticks")
    root = config.root.resolve()
    candidate = Path(text)
    resolved = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if resolved != root and root not in resolved.parents:
        raise CharterError(f"evidence {text} is outside the repository ({root.name})")
    if not resolved.exists():
        raise CharterError(
            f"evidence {text} does not exist (paths are relative to the "
            "repository root); record the evidence first"
        )
    return resolved.relative_to(root).as_posix()


# ---- planning an edit ------------------------------------------------------------


# Tuples, not dataclasses: a dataclass costs a task edit's start-up a millisecond each.
class _Change(NamedTuple):
    values: dict[str, str]  # canonical field name -> value as it should read back
    checked: bool | None  # wanted checkbox state; None leaves it
    evidence: str | None = None  # a path the task must list as evidence afterwards


class _Replace(NamedTuple):
    line: int  # 0-based
    start: int
    end: int
    text: str


class _Insert(NamedTuple):
    after: int  # 0-based line the new line follows
    text: str


class _Document:
    """A plan's lines with each line's own ending, so unchanged lines round-trip exactly."""

    def __init__(self, lines: list[str], endings: list[str], bom: bool, newline: str):
        self.lines = lines
        self.endings = endings
        self.bom = bom
        self.newline = newline
        self.replaces: list[_Replace] = []
        self.inserts: list[_Insert] = []

    @classmethod
    def parse(cls, data: bytes, rel: str) -> _Document:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise CharterError(
                "not valid UTF-8: charter edits only UTF-8 plans, so it leaves this one alone",
                rel,
                line,
            ) from exc
        bom = text.startswith("\ufeff")
        # CRLF, LF and a lone CR (classic Mac OS) all end a line, as in CommonMark.
        pieces = re.split(_LINE_END, text[1:] if bom else text)
        lines: list[str] = pieces[0::2]
        endings: list[str] = pieces[1::2]
        if lines and lines[-1] == "":
            lines.pop()
        else:
            endings.append("")
        newline = max(("\n", "\r\n", "\r"), key=endings.count)
        return cls(lines, endings, bom, newline)

    def render(self) -> bytes:
        lines, endings = list(self.lines), list(self.endings)
        by_line: dict[int, list[_Replace]] = {}
        for r in self.replaces:
            by_line.setdefault(r.line, []).append(r)
        for number, replaces in by_line.items():
            text = lines[number]
            previous_start = len(text) + 1
            for r in sorted(replaces, key=lambda r: r.start, reverse=True):
                if r.end > previous_start:
                    raise CharterError("two edits overlap on one line", None, number + 1)
                text = text[: r.start] + r.text + text[r.end :]
                previous_start = r.start
            lines[number] = text
        # Bottom-up, and for one anchor in reverse, so the new lines keep their given order.
        for ins in sorted(reversed(self.inserts), key=lambda i: i.after, reverse=True):
            ending = self.newline
            if endings[ins.after] == "":
                endings[ins.after], ending = self.newline, ""
            lines.insert(ins.after + 1, ins.text)
            endings.insert(ins.after + 1, ending)
        body = "".join(line + end for line, end in zip(lines, endings, strict=True))
        return (("\ufeff" if self.bom else "") + body).encode("utf-8")


def _edit(
    config: Config,
    task_id: str,
    plan_change: Callable[[Task], _Change],
    validate: Validator | None = None,
) -> Path:
    everything: list[tuple[str, bytes | None]] = []
    mentioning, unreadable = _mentioning(config, task_id, everything)
    if not mentioning:
        raise _not_found(config, task_id, unreadable, everything)
    # One plan mentions the ID: it is parsed once, under its lock. Several: parse
    # them all first, to refuse an ID defined in two plans.
    path = mentioning[0][0] if len(mentioning) == 1 else find_task(config, task_id)[0]
    rel = relpath(config.root, path)
    # The plan's model is hundreds of thousands of objects in no cycle (collector_paused).
    with locked(path), collector_paused():
        try:
            data = path.read_bytes()
        except OSError as exc:  # EIO from read() names no file
            raise CharterError(f"cannot read the plan ({os_error_reason(exc)})", rel) from exc
        plan = plan_model(rel, data, config)
        tasks = [t for t in plan.walk() if t.id == task_id]
        if not tasks:
            raise CharterError(
                unknown_task_message(config, task_id, plan_task_ids(config, everything))
            )
        if len(tasks) > 1:
            raise _duplicate(task_id, tasks)
        task = tasks[0]
        change = plan_change(task)
        doc = _Document.parse(data, rel)
        _plan_edits(doc, task, change, rel)
        new = doc.render()
        if new == data:
            return path
        # The changed task's piece parsed again, the rest kept (charter.parse.splice).
        after = spliced_plan(plan, data, new, config) or parse_plan(rel, new, config)
        _verify(*piece_scope(plan, after), task, change)  # the tasks the edit parsed again
        if validate is not None:
            read = tuple((r, data if r == rel else d) for r, d in everything)
            validate(EditedPlan(plan, after, read, new))
        write_bytes_atomic(path, new)
        offer_plan(rel, new, config, after)  # the board and handoff that follow take it
    return path


def _plan_edits(doc: _Document, task: Task, change: _Change, rel: str) -> None:
    inserted: list[str] = []
    for name, value in change.values.items():
        current = task.field(name)
        if current is not None:
            doc.replaces.append(_replace_value(doc, current, value, task.kind))
        elif task.kind == "table":
            raise CharterError(
                f"the table holding {task.id} has no {DISPLAY_NAMES[name]} column (or this row "
                "has no cell for it); add the column to the table, then try again",
                rel,
                task.line,
            )
        else:
            inserted.append(_new_field_line(doc, task, name, value))
    if inserted:
        anchor = _insert_anchor(doc, task)
        doc.inserts.extend(_Insert(anchor, text) for text in inserted)
    if change.checked is not None:
        replace = _checkbox_replace(doc, task, change.checked)
        if replace is not None:
            doc.replaces.append(replace)


def _replace_value(doc: _Document, f: Field, value: str, kind: str) -> _Replace:
    index = f.line - 1
    line = doc.lines[index]
    if kind == "table":
        value = re.sub(_UNESCAPED_PIPE, r"\\|", value)
        if f.start == f.end:
            # An empty cell: fill it as " value " between its pipes, not glued to the pipe.
            cell = next(
                (c for c in split_row(line) if c.start <= f.start <= c.start + len(c.text)), None
            )
            if cell is not None:
                return _Replace(index, cell.start, cell.start + len(cell.text), f" {value} ")
        return _Replace(index, f.start, f.end, value)
    if f.start == f.end and f.start > 0 and not line[f.start - 1].isspace():
        value = " " + value
    return _Replace(index, f.start, f.end, value)


def _new_field_line(doc: _Document, task: Task, name: str, value: str) -> str:
    """A field bullet written the way the task's existing field bullets are."""
    display = DISPLAY_NAMES[name]
    own = [f.line for f in task.fields if f.line != task.line]
    if own:
        sibling = doc.lines[max(own) - 1]
        match = FIELD_ITEM_RE.match(sibling)
        if match is not None:
            head = sibling[: match.start("key")] + display + sibling[match.end("key") : match.end()]
            return head + ("" if head[-1].isspace() else " ") + value
    marker = re.match(_MARKER, doc.lines[task.line - 1])
    if marker is None:
        raise CharterError("cannot tell this task's list indentation", task.path, task.line)
    indent = marker.group("lead") + " " * len(marker.group("marker")) + marker.group("space")
    return f"{indent}- {display}: {value}"


def _insert_anchor(doc: _Document, task: Task) -> int:
    """0-based line after which a new field goes: the task's last field line (or the
    task line), past any continuation lines of that item's paragraph."""
    own = [f.line for f in task.fields if f.line != task.line]
    index = (max(own) if own else task.line) - 1
    while index + 1 < len(doc.lines):
        following = doc.lines[index + 1]
        if (
            not following.strip()
            or re.match(_LIST_ITEM, following)
            or re.match(_BLOCK_START, following)
        ):
            break
        index += 1
    return index


def _checkbox_replace(doc: _Document, task: Task, checked: bool) -> _Replace | None:
    index = task.line - 1
    line = doc.lines[index]
    if task.kind == "checklist":
        column = task.checkbox_col
    else:
        cell = next((c for c in split_row(line) if c.text.strip() in _CHECKBOX_CELL), None)
        column = None if cell is None else cell.start + cell.text.index("[") + 1
    if column is None or column >= len(line) or line[column] not in " xX":
        return None
    if (line[column] != " ") == checked:
        return None
    mark = _tick(doc) if checked else " "
    return _Replace(index, column, column + 1, mark)


def _tick(doc: _Document) -> str:
    """`x` or `X`, whichever the file already uses more for ticked boxes."""
    upper = lower = 0
    for line in doc.lines:
        match = CHECKBOX_RE.match(line)
        if match is not None:
            upper += match.group("mark") == "X"
            lower += match.group("mark") == "x"
    return "X" if upper > lower else "x"


def _has_checkbox(task: Task) -> bool:
    return task.checked is not None


def _checkbox_for(column: str, config: Config) -> bool | None:
    if column == config.done_column:
        return True
    if column in config.closed_columns:
        return None  # dropped work may be ticked or not; leave it as written
    return False


# ---- checking the result ---------------------------------------------------------


def _verify(before: Plan, after: Plan, task: Task, change: _Change) -> None:
    def refuse(why: str) -> CharterError:
        return CharterError(
            f"edit of {task.id} refused, the file is unchanged: {why}", task.path, task.line
        )

    targets = [t for t in after.walk() if t.id == task.id]
    if len(targets) != 1:
        raise refuse("the task would no longer read back as one task")
    target = targets[0]
    for name, value in change.values.items():
        if task.kind == "table":
            value = re.sub(_UNESCAPED_PIPE, r"\\|", value)
        if target.value(name) != value:
            raise refuse(f"{DISPLAY_NAMES[name]} would read back as {target.value(name)!r}")
    if change.checked is not None and task.checked is not None:
        wanted = change.checked
        if target.checked != wanted:
            raise refuse("the checkbox would not read back as intended")
    if change.evidence is not None and change.evidence not in {e.path for e in target.evidence}:
        raise refuse(f"the evidence path {change.evidence} would not read back")
    if _fingerprint(before, task.id, change) != _fingerprint(after, task.id, change):
        raise refuse("another task or field would change too")


def _fingerprint(plan: Plan, task_id: str | None, change: _Change) -> list[object]:
    """What the edit must not touch: every other task, and the task's other fields."""
    out: list[object] = []
    for t in plan.walk():
        fields = [
            (f.name, f.value) for f in t.fields if t.id != task_id or f.name not in change.values
        ]
        checked = None if (t.id == task_id and change.checked is not None) else t.checked
        out.append((t.id, t.title, t.kind, checked, t.parent, tuple(fields)))
    return out


def _duplicate(task_id: str, tasks: list[Task]) -> CharterError:
    places = " and ".join(f"{t.path}:{t.line}" for t in tasks)
    first = tasks[0]
    return CharterError(
        f"task ID {task_id} is defined more than once ({places}); give each task "
        "its own ID before editing it",
        first.path,
        first.line,
    )


def _one_line(value: str, what: str) -> str:
    if "\n" in value or "\r" in value:
        raise CharterError(f"the {what} must be one line")
    text = value.strip()
    if not text:
        raise CharterError(f"the {what} must not be empty")
    return text
