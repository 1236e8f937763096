"""The execution order: what a task waits on, the order's rules, and its growth."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from charter.config import load_config
from charter.model import Field, Task
from charter.tasks.order import Ops, execution_order
from charter.tasks.waits import waits_on


def _task(
    tid: str,
    *,
    status: str = "Backlog",
    depends: tuple[str, ...] = (),
    priority: str = "",
    parent: str | None = None,
    line: int = 1,
) -> Task:
    fields = [Field("status", status, line, 0, 0)]
    if priority:
        fields.append(Field("priority", priority, line, 0, 0))
    return Task(
        tid, f"title {tid}", "docs/plans/p.md", line, 1, "checklist", False,
        fields=tuple(fields), depends=depends, parent=parent,
    )  # fmt: skip


@pytest.fixture
def config(tmp_path: Path):  # type: ignore[no-untyped-def]
    return load_config(tmp_path)


def _order(tasks: list[Task], config, ops: Ops | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    open_tasks = [t for t in tasks if t.status in ("Backlog", "In Progress")]
    return [t.id or "" for t in execution_order(open_tasks, tasks, config, {}, ops)]


def test_a_subtask_waits_on_what_its_parents_wait_on() -> None:
    epic = _task("E-2", depends=("E-1",))
    issue = _task("I-1", parent="E-2", depends=("I-9",))
    sub = _task("S-1", parent="I-1")
    by_id = {t.id or "": t for t in (epic, issue, sub)}
    assert waits_on(sub, by_id) == ("I-9", "E-1")
    assert waits_on(issue, by_id) == ("I-9", "E-1")
    # never on its own ancestors
    assert waits_on(_task("S-2", parent="E-2", depends=("E-2",)), by_id) == ("E-1",)


def test_an_epics_issues_come_after_what_the_epic_waits_on(config) -> None:  # type: ignore[no-untyped-def]
    tasks = [
        _task("I-1", parent="E-6", priority="P0", line=1),
        _task("E-6", depends=("E-2",), line=2),
        _task("E-2", priority="P3", line=3),
    ]
    assert _order(tasks, config) == ["E-2", "I-1", "E-6"]


def test_a_task_waiting_on_a_blocked_one_never_comes_first(config) -> None:  # type: ignore[no-untyped-def]
    tasks = [
        _task("A-1", depends=("B-1",), priority="P0", line=1),
        _task("A-2", depends=("A-1",), priority="P0", line=2),
        _task("B-1", status="Blocked", line=3),
        _task("C-1", priority="P3", line=4),
    ]
    assert _order(tasks, config) == ["C-1", "A-1", "A-2"]


def test_a_cycle_is_broken_and_every_task_listed_once(config) -> None:  # type: ignore[no-untyped-def]
    tasks = [
        _task("A-1", depends=("A-3",), line=1),
        _task("A-2", depends=("A-1",), line=2),
        _task("A-3", depends=("A-2",), line=3),
        _task("A-4", line=4),
    ]
    assert _order(tasks, config) == ["A-4", "A-1", "A-2", "A-3"]


def _synthetic(n: int, seed: int = 0) -> list[Task]:
    """The benchmark corpus' shape: 30 % of tasks depend on the one before, some on a
    random earlier one, priorities spread, a few blocked."""
    rng = random.Random(seed)
    tasks = []
    for i in range(n):
        depends: tuple[str, ...] = ()
        roll = rng.random()
        if i and roll < 0.3:
            depends = (f"T-{i - 1}",)
        elif i and roll < 0.4:
            depends = (f"T-{rng.randrange(i)}",)
        status = "Blocked" if rng.random() < 0.02 else "Backlog"
        priority = rng.choice(["P0", "P1", "P2", "P3", ""])
        tasks.append(_task(f"T-{i}", status=status, depends=depends, priority=priority, line=i))
    return tasks


def test_the_order_grows_no_faster_than_n_log_n(config) -> None:  # type: ignore[no-untyped-def]
    """Operation counts, not wall time: the ratio to n log n must not grow with n.
    (The former order visited every waiting task each time one was placed.)
    """
    ratios = []
    for n in (500, 1_000, 2_000, 4_000, 8_000):
        ops = Ops()
        order = _order(_synthetic(n), config, ops)
        assert len(order) == len(set(order))
        ratios.append(ops.steps / (n * math.log2(n)))
    assert max(ratios) <= 1.25 * ratios[0], ratios


def test_the_order_respects_every_dependency(config) -> None:  # type: ignore[no-untyped-def]
    tasks = _synthetic(3_000, seed=7)
    order = _order(tasks, config)
    position = {tid: n for n, tid in enumerate(order)}
    for task in tasks:
        for dep in task.depends:
            if task.id in position and dep in position:
                assert position[dep] < position[task.id or ""]
