"""Concurrent writers: 8 processes x 50 task edits, with board regenerations, lose nothing."""

from __future__ import annotations

import csv
import io
import multiprocessing
from pathlib import Path

import pytest

from charter.board.regenerate import regenerate_board
from charter.config import load_config
from charter.parse.plans import parse_plan
from charter.stamps import inspect_file
from charter.tasks import edit

WORKERS = 8
EDITS = 50
PLANS = 8  # every worker edits tasks in every plan, so writers meet on each file
EVIDENCE = ".runs/proof.json"


def task_id(worker: int, n: int) -> str:
    return f"W{worker}-{n}"


def plan_of(n: int) -> int:
    return n % PLANS


def write_repo(root: Path) -> None:
    (root / "charter.toml").write_text("")
    (root / ".runs").mkdir()
    (root / EVIDENCE).write_text("{}\n")
    for p in range(PLANS):
        lines = [f"---\nid: p{p}\ntitle: Plan {p}\n---\n# Plan {p}\n"]
        for w in range(WORKERS):
            for n in range(EDITS):
                if plan_of(n) == p:
                    lines.append(f"- [ ] **{task_id(w, n)}** Task {n} of worker {w}\n")
        path = root / "docs" / "plans" / f"p{p}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(lines))


def expected(worker: int, n: int) -> dict[str, str | None]:
    """The field values task (worker, n) must end with: each edit kind in turn."""
    kind = n % 4
    if kind == 0:
        return {"status": "In Progress", "owner": f"worker {worker}"}
    if kind == 1:  # a task without a Status field gets only its box ticked and evidence
        return {"status": None, "evidence": f"`{EVIDENCE}`"}
    if kind == 2:
        return {"status": "Blocked", "blocked_reason": f"blocked by worker {worker}"}
    return {"status": None, "priority": f"P{worker}"}


def work(root: str, worker: int) -> None:
    config = load_config(Path(root))
    for n in range(EDITS):
        tid = task_id(worker, n)
        kind = n % 4
        if kind == 0:
            edit.set_status(config, tid, "In Progress", owner=f"worker {worker}")
        elif kind == 1:
            edit.mark_done(config, tid, EVIDENCE)
        elif kind == 2:
            edit.block(config, tid, f"blocked by worker {worker}")
        else:
            edit.set_field(config, tid, "priority", f"P{worker}")
        if n % 10 == 9:
            regenerate_board(config)


@pytest.mark.slow
def test_eight_writers_lose_no_update(tmp_path: Path) -> None:
    write_repo(tmp_path)
    config = load_config(tmp_path)
    regenerate_board(config)
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=work, args=(str(tmp_path), w)) for w in range(WORKERS)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=240)
    assert [p.exitcode for p in processes] == [0] * WORKERS

    tasks = {}
    for p in range(PLANS):
        rel = f"docs/plans/p{p}.md"
        plan = parse_plan(rel, (tmp_path / rel).read_bytes(), config)
        tasks.update({t.id: t for t in plan.walk()})
    assert len(tasks) == WORKERS * EDITS
    lost = []
    for w in range(WORKERS):
        for n in range(EDITS):
            task = tasks[task_id(w, n)]
            for name, value in expected(w, n).items():
                if task.value(name) != value:
                    lost.append(f"{task_id(w, n)} {name}={task.value(name)!r}, wanted {value!r}")
            if n % 4 == 1 and not task.checked:
                lost.append(f"{task_id(w, n)} not ticked")
    assert lost == []

    # The last regeneration a worker ran saw every edit that finished before it; one more
    # brings the board level with the plans, and the board files are whole and stamped.
    regenerate_board(config)
    board = (tmp_path / config.board).read_text()
    assert inspect_file(board).state == "generated"
    rows = list(csv.reader(io.StringIO((tmp_path / config.board_csv).read_text())))
    assert len(rows) == 1 + WORKERS * EDITS
    columns = {r[0]: r[2] for r in rows[1:]}
    assert columns[task_id(3, 1)] == "Done" and columns[task_id(5, 2)] == "Blocked"
    assert not list(tmp_path.rglob("*.tmp"))
