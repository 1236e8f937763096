"""The board and task edits on real governance corpora (../shared/corpora)."""

from __future__ import annotations

import csv
import difflib
import io
import shutil
import tomllib
from pathlib import Path

import pytest

from charter.board.parts import board_files, render_parts
from charter.board.render import CSV_HEADER
from charter.config import Config, config_from_table
from charter.parse.plans import parse_plan
from charter.repo import RepoModel, load_repo
from charter.tasks import edit


def render_board(repo: RepoModel, *, html: str | None = None) -> dict[str, str]:
    """Every board file's text as `charter board` would write it."""
    return board_files(repo.config, render_parts(repo, html=html), html)


TESTS = Path(__file__).resolve().parents[1]
CORPORA = TESTS.parent / ".." / "shared" / "corpora"
NAMES = sorted(p.stem for p in (TESTS / "corpora").glob("*.toml"))


def corpus_config(name: str, root: Path | None = None) -> Config:
    source = CORPORA / name
    if not source.is_dir():
        pytest.skip(f"corpus {name} is not present beside the repository (../shared/corpora)")
    table = tomllib.loads((TESTS / "corpora" / f"{name}.toml").read_text())
    return config_from_table(root or source, table, TESTS / "corpora" / f"{name}.toml")


@pytest.mark.parametrize("name", NAMES)
def test_board_renders_real_corpora_stably(name: str) -> None:
    config = corpus_config(name)
    repo = load_repo(config, use_cache=False)
    first = render_board(repo)
    assert render_board(load_repo(config, use_cache=False)) == first
    rows = list(csv.reader(io.StringIO(first[config.board_csv])))
    assert tuple(rows[0]) == CSV_HEADER
    with_id = len({t.id for t in repo.tasks() if t.id})  # one row per ID, not per mention
    anonymous = (
        sum(1 for p in repo.plans for t in p.tasks if not t.id) if config.anonymous_tasks else 0
    )
    assert len(rows) - 1 == with_id + anonymous
    assert all(len(r) == len(CSV_HEADER) for r in rows)


def test_edits_on_real_plans_touch_only_the_task(tmp_path: Path) -> None:
    name = "Kbediako__CO"
    config = corpus_config(name)
    shutil.copytree(CORPORA / name, tmp_path / name)
    config = corpus_config(name, tmp_path / name)
    index = load_repo(config, use_cache=False).task_index()
    edited = 0
    for task_id, tasks in sorted(index.items()):
        if len(tasks) != 1:
            continue  # duplicated IDs are refused (tested elsewhere)
        path = config.root / tasks[0].path
        before = path.read_bytes()  # earlier edits may have moved the task: read it afresh
        task = next(t for t in parse_plan(tasks[0].path, before, config).walk() if t.id == task_id)
        edit.set_status(config, task_id, "Review", owner="Reviewer")
        after = path.read_bytes()
        new_task = next(t for t in parse_plan(task.path, after, config).walk() if t.id == task_id)
        assert new_task.status == "Review" and new_task.owner == "Reviewer"
        assert not new_task.checked
        old_lines = before.decode().split("\n")
        new_lines = after.decode().split("\n")
        mine = {task.line - 1} | {f.line - 1 for f in task.fields}
        theirs = {new_task.line - 1} | {f.line - 1 for f in new_task.fields}
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_lines, b=new_lines).get_opcodes():
            if op != "equal":
                assert set(range(i1, i2)) <= mine and set(range(j1, j2)) <= theirs
        edited += 1
    assert edited >= 10
