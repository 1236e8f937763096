"""Property: an edit changes the bytes of the edited task's fields and nothing else.

Hypothesis writes plans with every layout charter reads (LF or CRLF, a BOM or
none, checklists with `-`/`*`/`1.` bullets and 2- or 4-space indentation, bold
or plain field keys, subtasks, tables with some of the optional columns, prose
between them, a final newline or none), applies a random edit to a random task,
and checks that every other byte is where it was.
"""

from __future__ import annotations

import difflib
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from charter.config import load_config
from charter.errors import CharterError
from charter.model import Plan, Task
from charter.parse.plans import parse_plan
from charter.tasks import edit

WORDS = st.text(alphabet="abcdefXYZ0123456789 -_.,()#/é漢", min_size=1, max_size=12).map(
    lambda s: s.strip() or "x"
)
STATUSES = ("Backlog", "In Progress", "Review", "Blocked", "Done", "Done - 2025-12-22", "Dropped")
FIELDS = ("Status", "Owner", "Priority", "Notes")
EVIDENCE = ".runs/proof.json"


@dataclass
class Generated:
    text: str
    ids: list[str]


@st.composite
def plans(draw: st.DrawFn) -> Generated:
    counter = iter(range(1, 1000))
    ids: list[str] = []
    blocks: list[str] = []

    def task_block(indent: str, depth: int) -> list[str]:
        task_id = f"T-{next(counter)}"
        ids.append(task_id)
        bullet = draw(st.sampled_from(["-", "*", "1."]))
        mark = draw(st.sampled_from([" ", "x", "X"]))
        lines = [f"{indent}{bullet} [{mark}] **{task_id}** {draw(WORDS)}"]
        child = indent + " " * (len(bullet) + 1) + draw(st.sampled_from(["", "  "]))
        bold = draw(st.booleans())
        for name in draw(st.lists(st.sampled_from(FIELDS), unique=True, max_size=4)):
            value = draw(st.sampled_from(STATUSES)) if name == "Status" else draw(WORDS)
            key = f"**{name}:**" if bold else f"{name}:"
            lines.append(f"{child}- {key} {value}")
        if depth < 1 and draw(st.integers(0, 3)) == 0:
            lines.extend(task_block(child, depth + 1))
        return lines

    def table() -> list[str]:
        columns = [
            "ID",
            "Title",
            *draw(
                st.lists(
                    st.sampled_from(
                        ["Owner", "Status", "Priority", "Notes", "Evidence", "Blocked reason"]
                    ),
                    unique=True,
                    max_size=6,
                )
            ),
        ]
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        for _ in range(draw(st.integers(1, 3))):
            task_id = f"T-{next(counter)}"
            ids.append(task_id)
            cells = [task_id, draw(WORDS)]
            for column in columns[2:]:
                if column == "Status":
                    cells.append(draw(st.sampled_from(STATUSES)))
                else:
                    cells.append(draw(st.sampled_from(["", draw(WORDS)])))
            pad = draw(st.sampled_from([" ", "  "]))
            lines.append("|" + "|".join(f"{pad}{c}{pad}" for c in cells) + "|")
        return lines

    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["tasks", "table", "prose"]))
        if kind == "tasks":
            lines: list[str] = []
            for _ in range(draw(st.integers(1, 3))):
                lines.extend(task_block(draw(st.sampled_from(["", "  "])) if lines else "", 0))
            blocks.append("\n".join(lines))
        elif kind == "table":
            blocks.append("\n".join(table()))
        else:
            blocks.append(f"Some prose about {draw(WORDS)}.\nIt wraps.")
    if not ids:
        ids.append("T-999")
        blocks.append("- [ ] **T-999** fallback")
    head = "---\nid: p\ntitle: P\n---\n" if draw(st.booleans()) else "# Plan\n\n"
    text = head + "\n\n".join(blocks) + ("\n" if draw(st.booleans()) else "")
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.integers(0, 5)) == 0:
        text = "\ufeff" + text
    return Generated(text, ids)


EDITS = st.one_of(
    st.tuples(st.just("status"), st.sampled_from(STATUSES), st.none()),
    st.tuples(st.just("status"), st.sampled_from(STATUSES), WORDS),
    st.tuples(
        st.just("field"), st.sampled_from(["owner", "priority", "Notes", "blocked reason"]), WORDS
    ),
    st.tuples(st.just("done"), st.just(EVIDENCE), st.none()),
    st.tuples(st.just("block"), WORDS, st.none()),
)

_LINE = re.compile(r"[^\n]*\n|[^\n]+$")


def lines_of(data: bytes) -> list[str]:
    return _LINE.findall(data.decode("utf-8"))


def ending(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else "\n" if line.endswith("\n") else ""


def task_lines(task: Task) -> set[int]:
    """0-based lines that belong to the task itself: its own line and its field lines."""
    return {task.line - 1} | {f.line - 1 for f in task.fields}


def others(plan: Plan, task_id: str) -> list[tuple[object, ...]]:
    return [
        (t.id, t.title, t.checked, tuple((f.name, f.value) for f in t.fields), t.parent)
        for t in plan.walk()
        if t.id != task_id
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans(), which=st.integers(0, 10_000), change=EDITS)
def test_edit_touches_only_the_edited_task(
    plan: Generated, which: int, change: tuple[str, str, str | None]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "charter.toml").write_text("")
        (root / ".runs").mkdir()
        (root / EVIDENCE).write_text("{}")
        path = root / "docs" / "plans" / "p.md"
        path.parent.mkdir(parents=True)
        before = plan.text.encode("utf-8")
        path.write_bytes(before)
        config = load_config(root)
        task_id = plan.ids[which % len(plan.ids)]
        old_plan = parse_plan("docs/plans/p.md", before, config)
        target = next(t for t in old_plan.walk() if t.id == task_id)
        kind, arg, extra = change
        try:
            if kind == "status":
                edit.set_status(config, task_id, arg, extra)
            elif kind == "field":
                assert extra is not None
                edit.set_field(config, task_id, arg, extra)
            elif kind == "done":
                edit.mark_done(config, task_id, arg)
            else:
                edit.block(config, task_id, arg)
        except CharterError as exc:
            assert path.read_bytes() == before  # a refused edit writes nothing
            event("refused: " + re.sub(r"T-\d+", "T-n", str(exc).split(": ", 1)[-1])[:50])
            return
        after = path.read_bytes()
        new_plan = parse_plan("docs/plans/p.md", after, config)
        assert others(new_plan, task_id) == others(old_plan, task_id)
        assert after.startswith(b"\xef\xbb\xbf") == before.startswith(b"\xef\xbb\xbf")
        edited = next(t for t in new_plan.walk() if t.id == task_id)
        old_lines, new_lines = lines_of(before), lines_of(after)
        # Every line that differs belongs to the edited task: its own line or a field line,
        # before the edit (old side) and after it (new side). A last line that had no line
        # ending may gain one when a field is added after it.
        last = len(old_lines) - 1
        matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                continue
            for i in range(i1, i2):
                assert i in task_lines(target) or (i == last and not old_lines[i].endswith("\n")), (
                    f"line {i + 1} changed: {old_lines[i]!r}"
                )
            for j in range(j1, j2):
                assert j in task_lines(edited) or new_lines[j].rstrip("\r\n") == old_lines[
                    last
                ].rstrip("\r\n"), f"unexpected new line {new_lines[j]!r}"
        # Changed lines keep their endings; added lines use the file's own.
        newline = "\r\n" if plan.text.count("\r\n") * 2 > plan.text.count("\n") else "\n"
        added = len(new_lines) - len(old_lines)
        before_endings = Counter(ending(line) for line in old_lines)
        after_endings = Counter(ending(line) for line in new_lines)
        before_endings[newline] += added
        assert +after_endings == +before_endings
        event(f"{kind} on a {target.kind} task: written")
        if kind == "done":
            assert EVIDENCE in {e.path for e in edited.evidence}
            assert edited.checked in (True, None)
        elif kind == "block":
            assert edited.status == config.blocked_column
            assert edited.value("blocked_reason") == arg
        elif kind == "status":
            assert edited.status == arg
            if extra is not None:
                assert edited.owner == extra
        else:
            assert extra is not None
            canonical = {"blocked reason": "blocked_reason"}.get(arg.lower(), arg.lower())
            assert edited.value(canonical) == extra
