"""The generated handoff: its content (golden), the execution order, byte stability,
--check, and refusing to overwrite a hand edit.

    CHARTER_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/sessions/test_handoff.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from charter.commands.handoff import handoff as handoff_command
from charter.config import Config, load_config
from charter.errors import CharterError
from charter.handoff.regenerate import check_handoff, render_handoff, write_handoff
from charter.handoff.render import (
    MAX_GRAPH_TASKS,
    handoff_context,
    mermaid_label,
    priority_rank,
)
from charter.repo import load_repo
from tests.sessions.helpers import POLICY, check_golden, write

ALPHA = """\
---
id: ALPHA
title: Alpha
---
# Alpha

- [x] **AL-1** Foundations
  - Evidence: `docs/plans/alpha.md`, `.runs/*/manifest.json`
- [ ] **AL-2** Parser "v2" <fast>
  - Status: In Progress
  - Depends: AL-1
- [ ] **AL-3** Low-priority polish
  - Priority: low
- [ ] **AL-4** Urgent fix
  - Priority: P0
  - Depends: AL-5
- [ ] **AL-5** Prerequisite of the urgent fix
- [ ] **AL-6** Needs the blocked task
  - Depends: BE-2
- [ ] **AL-7** Stalled
  - Status: Blocked
  - Blocked reason: vendor API down
"""

BETA = """\
---
id: BETA
title: Beta
---
# Beta

| ID | Title | Status | Priority | Depends |
|----|-------|--------|----------|---------|
| BE-1 | Table task | Todo | high | |
| BE-2 | Waiting on a decision | On hold | | |
| BE-3 | Dropped idea | Won't do | | |
| BE-4 | Loop one | Todo | | BE-5 |
| BE-5 | Loop two | Todo | | BE-4 |
"""


def session_log(number: int, task: str, status: str, outcome: str) -> str:
    return (
        f"---\nid: 2026-01-{number:02d}_session-{number:04d}\ndate: 2026-01-{number:02d}\n"
        f"agent: codex\ntask: {task}\nlevel: L1\nstatus: {status}\n---\n\n"
        f"## Outcome\n\n{outcome}\n\n<!-- a note -->\n"
    )


@pytest.fixture
def rich(tmp_path: Path) -> Config:
    root = tmp_path / "rich"
    write(root, "charter.toml", "[tool.charter]\n")
    write(root, "Makefile", "session-start:\n\t@true\ncheck:\n\t@true\n")
    write(root, "docs/agents/AUTONOMY.md", POLICY)
    write(root, "docs/plans/alpha.md", ALPHA)
    write(root, "docs/plans/beta.md", BETA)
    for number in range(1, 8):
        status = "active" if number == 7 else ("blocked" if number == 3 else "done")
        outcome = "(fill in: what happened)" if number == 7 else f"Outcome of session {number}."
        write(
            root,
            f"docs/agents/sessions/2026-01-{number:02d}_session-{number:04d}.md",
            session_log(number, "AL-2" if number == 7 else "AL-1", status, outcome),
        )
    return load_config(root)


def test_the_handoff_matches_its_golden_file(rich: Config) -> None:
    check_golden("handoff/SESSION_HANDOFF.md", render_handoff(load_repo(rich, use_cache=False)))


def test_the_execution_order(rich: Config) -> None:
    order = handoff_context(load_repo(rich))["order"]
    assert [o["id"] for o in order] == [
        "AL-5",
        "AL-4",  # the P0 fix, after the task it depends on
        "BE-1",  # high
        "AL-3",  # low
        "AL-2",
        "AL-6",  # no priority: plan order (alpha before beta)
        "BE-4",
        "BE-5",  # a cycle, broken in plan order
    ]
    waits = {o["id"]: o["waits_on"] for o in order}
    assert waits["AL-6"] == ["BE-2 (Blocked)"] and waits["AL-4"] == ["AL-5 (Backlog)"]
    assert waits["AL-5"] == [] and waits["BE-4"] == ["BE-5 (Backlog)"]


def test_how_to_continue_names_the_first_ready_task_and_the_active_session(rich: Config) -> None:
    context = handoff_context(load_repo(rich))["continue"]
    assert context["start"] == "make session-start TASK=AL-5"
    assert context["active"][0]["id"] == "2026-01-07_session-0007"


@pytest.mark.parametrize(
    ("text", "rank"),
    [
        ("P0", 0),
        ("p2", 2),
        ("**High**", 1),
        ("medium - next sprint", 2),
        ("low", 3),
        ("3", 3),
        ("", 99),
        (None, 99),
        ("someday", 99),
    ],
)
def test_priority_ranks(text: str | None, rank: int) -> None:
    assert priority_rank(text) == rank


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ('Parser "v2" <fast>', "Parser #quot;v2#quot; #lt;fast#gt;"),
        ("Fix #12 `now`", "Fix #35;12 now"),
        ("x" * 60, "x" * 47 + "…"),
    ],
)
def test_mermaid_labels_are_escaped(text: str, label: str) -> None:
    assert mermaid_label(text) == label


def test_the_handoff_is_byte_stable_across_runs_and_checkouts(rich: Config, tmp_path: Path) -> None:
    first = render_handoff(load_repo(rich, use_cache=False))
    assert render_handoff(load_repo(rich, use_cache=True)) == first
    copy = tmp_path / "elsewhere" / "checkout"
    shutil.copytree(rich.root, copy)
    assert render_handoff(load_repo(load_config(copy), use_cache=False)) == first


def test_check_writes_nothing_and_reports_drift(rich: Config) -> None:
    path = rich.root / rich.handoff
    runner = CliRunner()
    args = ["--check", "--repo", str(rich.root)]
    stale = runner.invoke(handoff_command, args, standalone_mode=False)
    assert stale.return_value == 1 and not path.exists()
    assert check_handoff(rich).diff.startswith("--- /dev/null")
    assert write_handoff(rich) is True and write_handoff(rich) is False
    assert runner.invoke(handoff_command, args, standalone_mode=False).return_value == 0
    write(rich.root, "docs/plans/alpha.md", ALPHA.replace("Urgent fix", "Urgent fix!"))
    assert runner.invoke(handoff_command, args, standalone_mode=False).return_value == 1


def test_a_hand_edit_is_not_overwritten_without_force(rich: Config) -> None:
    write_handoff(rich)
    path = rich.root / rich.handoff
    edited = path.read_text("utf-8").replace("## Done", "## Done (my note)")
    path.write_text(edited, "utf-8")
    with pytest.raises(CharterError, match="edited by hand"):
        write_handoff(rich)
    assert path.read_text("utf-8") == edited
    assert check_handoff(rich).refusal is not None
    assert write_handoff(rich, force=True) is True


def test_a_hand_written_handoff_is_not_overwritten(rich: Config) -> None:
    path = write(rich.root, rich.handoff, "# Our own handoff\n")
    with pytest.raises(CharterError, match="not generated by charter"):
        write_handoff(rich)
    assert path.read_text("utf-8") == "# Our own handoff\n"


def test_a_large_graph_is_cut_and_counted(tmp_path: Path) -> None:
    tasks = "".join(f"- [ ] **BIG-{n}** Task {n}\n" for n in range(1, MAX_GRAPH_TASKS + 11))
    write(tmp_path, "charter.toml", "[tool.charter]\n")
    write(tmp_path, "docs/plans/big.md", f"---\nid: BIG\ntitle: Big\n---\n{tasks}")
    context = handoff_context(load_repo(load_config(tmp_path)))
    assert len(context["order"]) == MAX_GRAPH_TASKS + 10
    assert len(context["graph"]["nodes"]) == MAX_GRAPH_TASKS
    assert context["graph"]["omitted"] == 10
    assert "10 more open tasks not drawn" in render_handoff(load_repo(load_config(tmp_path)))


CORPUS_CONFIGS = Path(__file__).resolve().parents[1] / "corpora"


@pytest.mark.parametrize("name", sorted(p.stem for p in CORPUS_CONFIGS.glob("*.toml")))
def test_real_corpora_render_stably_with_dependencies_first(name: str) -> None:
    import tomllib

    from charter.config import config_from_table

    root = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpora" / name
    if not root.is_dir():
        pytest.skip(f"corpus {name} is not present beside the repository (../shared/corpora)")
    source = CORPUS_CONFIGS / f"{name}.toml"
    config = config_from_table(root, tomllib.loads(source.read_text()), source)
    repo = load_repo(config, use_cache=False)
    text = render_handoff(repo)
    assert text == render_handoff(load_repo(config, use_cache=False))
    order = handoff_context(repo)["order"]
    position = {o["id"]: n for n, o in enumerate(order)}
    depends = {t.id: set(t.depends) for t in repo.tasks() if t.id in position}

    def reaches(start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        while stack:
            current = stack.pop()
            if current == goal:
                return True
            if current not in seen:
                seen.add(current)
                stack.extend(depends.get(current, ()))
        return False

    for task_id, deps in depends.items():
        for dep in deps & set(position):
            # an open dependency comes first, unless the two are in a cycle
            assert position[dep] < position[task_id] or reaches(dep, task_id), (dep, task_id)
