"""Plans that say "execute in order": each step waits on the one before; `#` steps."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from charter.config import load_config
from charter.parse.plans import parse_plan
from charter.tasks.edit import find_task
from tests.conftest import EXAMPLES

HEAD = "---\nid: LS\ntitle: Plan\n---\n# Plan\n\n"


def _tasks(tmp_path: Path, body: str) -> dict[str, tuple[str, ...]]:
    plan = parse_plan("docs/plans/p.md", (HEAD + body).encode(), load_config(tmp_path))
    return {t.id or "": t.depends for t in plan.walk()}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (  # a heading says so; a named dependency is kept and the chain added
            "## Roadmap (execute in order)\n\n- [ ] LS-1 a\n- [ ] LS-2 b\n"
            "- [ ] LS-3 c\n  - Depends: LS-9\n\n## Later\n\n- [ ] LS-4 d\n",
            {"LS-1": (), "LS-2": ("LS-1",), "LS-3": ("LS-9", "LS-2"), "LS-4": ()},
        ),
        (  # a sentence right before the list says so
            "Do these in sequence:\n\n- [ ] LS-1 a\n- [ ] LS-2 b\n\n- [ ] LS-3 c\n",
            {"LS-1": (), "LS-2": ("LS-1",), "LS-3": ()},
        ),
        (  # "in order to" is not an order
            "## Steps in order to ship\n\n- [ ] LS-1 a\n- [ ] LS-2 b\n",
            {"LS-1": (), "LS-2": ()},
        ),
        (  # a `#` column numbers the plan's steps; the Task column is the title
            "## Roadmap (in order)\n\n| # | Task |\n|---|---|\n| 1 | a |\n| 2 | b |\n",
            {"LS-1": (), "LS-2": ("LS-1",)},
        ),
        (  # a real ID column wins over `#`
            "| # | ID | Task |\n|---|---|---|\n| 1 | AB-7 | a |\n",
            {"AB-7": ()},
        ),
    ],
)
def test_in_order_chains(tmp_path: Path, body: str, expected: dict[str, tuple[str, ...]]) -> None:
    assert _tasks(tmp_path, body) == expected


def test_the_long_session_example_is_one_chain(tmp_path: Path) -> None:
    example = EXAMPLES / "long-session-plan.md"
    if not example.is_file():
        pytest.skip(f"{example} is absent (../shared/examples is not mounted)")
    copy = tmp_path / "plan.md"
    shutil.copy(example, copy)
    tasks = _tasks(tmp_path, copy.read_text("utf-8"))
    assert list(tasks) == [f"LS-{n}" for n in range(1, 13)]
    assert tasks["LS-1"] == ()
    assert all(tasks[f"LS-{n}"] == (f"LS-{n - 1}",) for n in range(2, 13))


def test_a_numbered_step_can_be_edited_by_its_id(tmp_path: Path) -> None:
    (tmp_path / "docs" / "plans").mkdir(parents=True)
    body = "| # | Task | Status |\n|---|---|---|\n| 1 | a | Backlog |\n| 2 | b | Backlog |\n"
    (tmp_path / "docs" / "plans" / "p.md").write_text(HEAD + body, "utf-8")
    path, task = find_task(load_config(tmp_path), "LS-2")
    assert path.name == "p.md" and (task.title, task.status) == ("b", "Backlog")
