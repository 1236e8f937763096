"""A plan after an edit, spliced (charter.parse.splice), is exactly the plan a full parse of
the edited bytes gives, or nothing: on every real document, on the edits `charter task`
makes, and on edits that bring in the constructs that could carry a change past its task
(fences, HTML blocks, headings, tables, quotes, lazy lines, in-order sentences)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charter.config import Config, load_config
from charter.model import Plan, Task
from charter.parse.plans import parse_plan
from charter.parse.splice import spliced_plan
from tests.conftest import CORPORA, EXAMPLES

# Lines an edit might bring in, the tricky ones included.
INSERTS = (
    "  - Notes: a note",
    "  - Status: Done",
    "  - [ ] **T-99** a new subtask",
    "- [ ] **T-98** a new top-level task",
    "",
    "lazy continuation text",
    "```",
    "~~~",
    "<!--",
    "-->",
    "## T-97: a heading naming a task",
    "## Notes",
    "| ID | Title | Status |",
    "|---|---|---|",
    "> - [ ] **T-96** quoted",
    "---",
    "===",
    "    indented code",
    "Do these in order:",
    "1. an ordered item",
    "- ",
    "  <div>",
)


def test_a_task_heading_above_a_code_block_that_looks_like_a_heading_is_seen(
    tmp_path: Path,
) -> None:
    """The heading's fields run to the next real heading: through the code block and the
    edited task, whose field lines it reads."""
    config = _config(tmp_path)
    head = ["# Plan", "", "## T-5: Task heading", "", "```", "# not a heading", "```", ""]
    tail = ["- [ ] **T-6** Six", "  - Owner: ana", "- [ ] **T-7** Seven", "  - Owner: bo"]
    old = "\n".join([*head, *tail]) + "\n"
    before = parse_plan("plan.md", old.encode(), config)
    new = old.replace("  - Owner: ana", "  - Owner: cy")
    assert spliced_plan(before, old.encode(), new.encode(), config) is None
    assert _check(before, old, new, config) is False


def _config(tmp_path: Path) -> Config:
    return load_config(tmp_path)


def _check(before: Plan, old: str, new: str, config: Config) -> bool:
    """Whether the splice was taken; fails when it differs from the full parse."""
    spliced = spliced_plan(before, old.encode(), new.encode(), config)
    if spliced is None:
        return False
    assert spliced == parse_plan(before.path, new.encode(), config)
    return True


def _edits(lines: list[str], task: Task) -> list[list[str]]:
    """The text after each edit of `task`: a field's value replaced, the checkbox flipped, a
    line inserted after its last line (every line of INSERTS)."""
    found: list[list[str]] = []
    for f in task.fields:
        changed = list(lines)
        row = changed[f.line - 1]
        changed[f.line - 1] = row[: f.start] + "Changed value" + row[f.end :]
        found.append(changed)
    if task.checkbox_col is not None:
        changed = list(lines)
        row = changed[task.line - 1]
        col = task.checkbox_col
        if col < len(row) and row[col] in " xX":
            changed[task.line - 1] = row[:col] + (" " if row[col] != " " else "x") + row[col + 1 :]
            found.append(changed)
    last = max([task.line, *(f.line for t in task.walk() for f in t.fields)])
    for text in INSERTS:
        found.append([*lines[:last], text, *lines[last:]])
    return found


BENCH_PLAN = "\n".join(
    [
        "---",
        "id: T",
        "title: Plan T",
        "---",
        "# Plan T",
        "",
        *(
            line
            for n in range(1, 41)
            for line in (
                f"- [{'x' if n % 3 == 0 else ' '}] **T-{n}** Task {n}",
                f"  - Status: {'Done' if n % 3 == 0 else 'Todo'}",
                "  - Owner: team",
                *([f"  - Depends: T-{n - 1}"] if n % 4 == 1 and n > 1 else []),
                *(["  - Evidence: docs/run.txt"] if n % 3 == 0 else []),
                *([f"  - [ ] **T-{n}.1** a subtask", "    - Status: Todo"] if n % 5 == 0 else []),
            )
        ),
    ]
)


def test_the_edits_charter_makes_in_a_long_plan_are_spliced(tmp_path: Path) -> None:
    config = _config(tmp_path)
    old = BENCH_PLAN + "\n"
    before = parse_plan("docs/plans/t.md", old.encode(), config)
    lines = BENCH_PLAN.split("\n")
    taken = tried = 0
    for task in before.walk():
        for edited in _edits(lines, task)[:4]:  # values, checkbox, a field line inserted
            tried += 1
            taken += _check(before, old, "\n".join(edited) + "\n", config)
    assert tried > 100
    assert taken == tried  # none of them needs the whole file


def test_every_edit_of_a_generated_plan_splices_right_or_not_at_all(tmp_path: Path) -> None:
    config = _config(tmp_path)
    old = BENCH_PLAN + "\n"
    before = parse_plan("docs/plans/t.md", old.encode(), config)
    lines = BENCH_PLAN.split("\n")
    refused = 0
    for task in list(before.walk())[::3]:
        for edited in _edits(lines, task):
            refused += not _check(before, old, "\n".join(edited) + "\n", config)
    assert refused  # the fence, heading, table and in-order lines are refused


def _documents() -> list[Path]:
    return sorted(
        p for folder in (CORPORA, EXAMPLES) if folder.is_dir() for p in folder.rglob("*.md")
    )


DOCUMENTS = _documents()


@pytest.mark.skipif(not DOCUMENTS, reason="../shared/corpora and ../shared/examples are absent")
def test_edits_of_every_real_document_splice_right_or_not_at_all(tmp_path: Path) -> None:
    config = _config(tmp_path)
    taken = 0
    for path in DOCUMENTS:
        data = path.read_bytes()
        try:
            old = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        before = parse_plan(path.name, data, config)
        tasks = list(before.walk())
        lines = old.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        for task in tasks[:: max(1, len(tasks) // 6)]:  # a few tasks of each document
            for edited in _edits(lines, task):
                taken += _check(before, old, "\n".join(edited) + "\n", config)
    assert taken  # real plans take the splice too


_LINE = st.sampled_from(
    (
        *INSERTS,
        "- [ ] **T-1** one",
        "- [x] **T-2** two",
        "  - Status: Todo",
        "  - Depends: T-1",
        "* [ ] **T-3** starred",
        "1. [ ] **T-4** numbered",
        "| T-5 | five | Todo |",
        "### T-6",
        "# a comment, or a heading",
        "  - Owner: ana",
        "Plain paragraph.",
    )
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.lists(_LINE, min_size=1, max_size=30),
    at=st.integers(min_value=0, max_value=40),
    inserted=st.lists(_LINE, min_size=0, max_size=3),
    drop=st.integers(min_value=0, max_value=2),
)
def test_any_local_change_splices_right_or_not_at_all(
    body: list[str], at: int, inserted: list[str], drop: int
) -> None:
    config = load_config(Path("/nonexistent-charter-test-root"))
    lines = ["# Plan", "", *body]
    old = "\n".join(lines) + "\n"
    before = parse_plan("plan.md", old.encode(), config)
    at = min(at, len(lines))
    edited = [*lines[:at], *inserted, *lines[at + drop :]]
    _check(before, old, "\n".join(edited) + "\n", config)
