"""After an edit to one plan, `charter handoff --check` decodes the cached facts of
only the plans whose tasks it shows again, not of every plan.

Counted, not timed: each plan whose cached task facts are decoded
(charter.handoff.table) is recorded. After one plan of 300 changes, the render
looks into that plan and into the plans of the tasks it draws afresh (the
dependency graph's first tasks, the next task to start); the other plans'
rows come from their kept text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from charter.config import Config, load_config
from charter.handoff import incremental
from charter.handoff.regenerate import check_handoff, render_handoff, write_handoff
from charter.handoff.render import MAX_GRAPH_TASKS
from charter.repo import load_repo
from tests.sessions.helpers import POLICY, write

PLANS = 300
STATUSES = ("Done", "Todo", "In Progress", "Blocked", "Backlog", "Done")


def _repository(root: Path) -> Config:
    write(root, "charter.toml", "[tool.charter]\n")
    write(root, "Makefile", "session-start:\n\t@true\ncheck:\n\t@true\n")
    write(root, "docs/agents/AUTONOMY.md", POLICY)
    for n in range(PLANS):
        lines = ["---", f"id: P{n}", f"title: Plan {n}", "---", f"# Plan {n}", ""]
        for t, status in enumerate(STATUSES, 1):
            box = "x" if status == "Done" else " "
            lines += [f"- [{box}] **P{n}-{t}** Task {t} of plan {n}", f"  - Status: {status}"]
            lines.append(f"  - Priority: P{(n + t) % 3}")
            if t > 1 and (n + t) % 3 == 0:
                lines.append(f"  - Depends: P{n}-{t - 1}")
        write(root, f"docs/plans/area-{n % 7}/plan-{n:03d}.md", "\n".join(lines) + "\n")
    return load_config(root)


def test_one_edit_decodes_the_plans_it_shows_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _repository(tmp_path / "repo")
    write_handoff(config, force=True)
    edited = config.root / "docs/plans/area-3/plan-150.md"
    text = edited.read_text("utf-8")
    edited.write_text(text.replace("Status: Todo", "Status: In Progress", 1), "utf-8")

    decoded: list[str] = []
    original = incremental._decode_tasks

    def counted(path: str, tasks: str) -> tuple[incremental.TaskFacts, ...]:
        decoded.append(path)
        return original(path, tasks)

    monkeypatch.setattr(incremental, "_decode_tasks", counted)
    result = check_handoff(config)
    assert not result.up_to_date
    expected = render_handoff(load_repo(config, use_cache=False))
    assert "In Progress" in result.diff and "P150-2" in result.diff

    # Each plan at most once, and only those of the tasks drawn afresh: the graph's
    # first tasks (and what they wait on, in their own plans here).
    assert 0 < len(decoded) == len(set(decoded))
    order = re.findall(r"^\d+\. \*\*(P\d+)-\d+\*\*", expected, re.M)
    shown = set(order[:MAX_GRAPH_TASKS])
    plans = {re.sub(r".*plan-0*(\d+)\.md$", r"P\1", path) for path in decoded}
    assert plans <= shown, plans - shown
    assert len(decoded) <= MAX_GRAPH_TASKS < PLANS // 4
    # and what it would write is the full render
    write_handoff(config)
    assert config.path(config.handoff).read_text("utf-8") == expected
