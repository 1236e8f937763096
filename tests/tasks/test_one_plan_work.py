"""The work a task edit does in one long plan (every task in one file), counted: the plan is
parsed at most once per command (the model before the edit), the model after it is the
changed task's piece spliced in (charter.parse.splice), and the board and handoff that
follow take that model (charter.model_memo); a second edit in the same process parses
nothing. The board written is what a full `board --force` writes, byte for byte."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import charter.cache
import charter.parse.plans
import charter.parse.splice
import charter.tasks.edit
from charter import model_memo
from charter.board.regenerate import regenerate_board
from charter.checks.edit_gate import edit_validator
from charter.config import Config, load_config
from charter.repo import load_repo
from charter.tasks import edit
from tests.board.conftest import GovernedRepo

GIT = ("git", "-c", "user.name=t", "-c", "user.email=t@example.com")
TASKS = 3_000  # over model_memo.LONG_FILE: the plan is kept by every load


def _plan() -> str:
    lines = ["---", "id: T", "title: One long plan", "---", "# One long plan", ""]
    for n in range(1, TASKS + 1):
        status = ("Backlog", "Todo", "In Progress", "Review")[n % 4]
        lines += [f"- [ ] **T-{n}** Task {n} of the plan", f"  - Status: {status}"]
        lines += ["  - Owner: team", f"  - Priority: P{n % 4}"]
        if n % 3 == 0 and n > 1:
            lines.append(f"  - Depends: T-{n - 1}")
    return "\n".join(lines) + "\n"


def _counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Full parses of a plan (wherever parse_plan was imported from), models decoded from
    the model cache, and splices taken."""
    counts = {"parsed": 0, "decoded": 0, "spliced": 0}

    def counting(module: object, name: str, kind: str) -> None:
        original: Callable[..., object] = getattr(module, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            result = original(*args, **kwargs)
            counts[kind] += result is not None
            return result

        monkeypatch.setattr(module, name, wrapper)

    counting(charter.parse.plans, "parse_plan", "parsed")  # repo.parse_file's import
    counting(charter.parse.splice, "parse_plan", "parsed")
    counting(charter.tasks.edit, "parse_plan", "parsed")
    counting(charter.tasks.edit, "spliced_plan", "spliced")
    counting(charter.cache.ModelCache, "get", "decoded")
    return counts


def _full_board(config: Config, tmp_path: Path) -> tuple[bytes, bytes]:
    """What `charter board --force` writes from scratch (no caches, no old board)."""
    copy = tmp_path / "scratch"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(config.root, copy, ignore=shutil.ignore_patterns(".charter", "TaskBoard.*"))
    model_memo.forget()  # a fresh process
    fresh = load_config(copy)
    regenerate_board(fresh, force=True)
    return _board(fresh)


def _board(config: Config) -> tuple[bytes, bytes]:
    return config.path(config.board).read_bytes(), config.path(config.board_csv).read_bytes()


@pytest.fixture
def one_plan(governed: GovernedRepo) -> Config:
    config = governed({"all.md": _plan()})
    regenerate_board(config)
    subprocess.run([*GIT, "-C", str(config.root), "add", "-A"], check=True)
    subprocess.run([*GIT, "-C", str(config.root), "commit", "-qm", "plan"], check=True)
    model_memo.forget()  # each command is a new process
    return config


EDITS: dict[str, Callable[[Config], object]] = {
    "task set (a value replaced)": lambda c: edit.set_status(
        c, "T-8", "In Progress", validate=edit_validator(c)
    ),
    "task done (a line inserted, the tasks below moved)": lambda c: edit.mark_done(
        c, "T-8", ".runs/ST-B-1/manifest.json", validate=edit_validator(c)
    ),
    "task block (a value and a new line)": lambda c: edit.block(
        c, "T-2999", "waiting", validate=edit_validator(c)
    ),
}


@pytest.mark.parametrize("cached", [True, False], ids=["model cached", "no cache"])
@pytest.mark.parametrize("change", EDITS.values(), ids=list(EDITS))
def test_an_edit_in_one_long_plan_reads_it_once_and_the_board_is_the_full_one(
    one_plan: Config,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[Config], object],
    cached: bool,
) -> None:
    if not cached:
        shutil.rmtree(one_plan.root / ".charter" / "cache")
    counts = _counted(monkeypatch)
    change(one_plan)
    regenerate_board(one_plan, edited=True)
    # The model before the edit, decoded (the board wrote the model cache) or parsed; after
    # it, a piece parsed; the board takes the model the edit kept.
    read = {"parsed": 0, "decoded": 1} if cached else {"parsed": 1, "decoded": 0}
    assert counts == {**read, "spliced": 1}
    assert _board(one_plan) == _full_board(one_plan, tmp_path)


def test_a_second_edit_in_the_same_command_parses_nothing(
    one_plan: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`session start` edits the task it starts after its preconditions loaded the plans."""
    load_repo(one_plan)  # the preconditions: the long plan's model is kept
    counts = _counted(monkeypatch)
    edit.set_status(one_plan, "T-8", "In Progress", validate=edit_validator(one_plan))
    regenerate_board(one_plan, edited=True)
    edit.mark_done(one_plan, "T-9", ".runs/ST-B-1/manifest.json")
    regenerate_board(one_plan, edited=True)
    assert counts == {"parsed": 0, "decoded": 0, "spliced": 2}
    assert _board(one_plan) == _full_board(one_plan, tmp_path)
