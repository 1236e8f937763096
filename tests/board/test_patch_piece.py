"""After a task edit in a plan too big to redo row by row, the board redoes the edited task's
rows and moves the line links below it (charter.board.patch_piece): the bytes a full
`charter board --force` writes from scratch, and the rows redone counted, so that the
patch cannot quietly become whole-plan again."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

import charter.board.patch
import charter.board.regenerate
from charter import piece_memo
from charter.board.regenerate import regenerate_board
from charter.config import Config
from charter.errors import CharterError
from charter.tasks import edit
from tests.board.conftest import GovernedRepo
from tests.governed import board_bytes as _board
from tests.governed import full_board

TASKS = 60
STATUSES = ("Backlog", "Todo", "In Progress", "Review", "Blocked", "Done")


def _plan() -> str:
    """One plan of checklist tasks, some with subtasks and dependencies, statuses mixed."""
    lines = ["---", "id: W", "title: One big plan", "---", "# One big plan", ""]
    for n in range(1, TASKS + 1):
        status = STATUSES[(n * 5) % len(STATUSES)]
        box = "x" if status == "Done" else " "
        lines += [f"- [{box}] **W-{n}** Task {n} | piped", f"  - Status: {status}"]
        if n % 3 == 0:
            lines.append(f"  - Depends: W-{n - 1}")
        if status == "Done":
            lines.append("  - Evidence: `proof.txt`")
        if n % 7 == 0:
            lines += [f"  - [ ] **W-{n}a** Step of {n}", "    - Status: Backlog"]
    return "\n".join(lines) + "\n"


def _full_board(
    config: Config, tmp_path: Path, counts: dict[str, int] | None = None
) -> tuple[bytes, bytes]:
    """What `charter board --force` writes from scratch (no caches, no old board); its work
    is not in `counts`."""
    if counts is None:
        return full_board(config, tmp_path)
    counts["paused"] = 1
    try:
        return full_board(config, tmp_path)
    finally:
        counts["paused"] = 0


def _counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Plans parsed by the patch, full regenerations, and board rows made by the patch."""
    counts = {"parsed": 0, "full": 0, "rows": 0, "paused": 0}

    def wrap(module: object, name: str, count: Callable[[object], int], key: str) -> None:
        original: Callable[..., object] = getattr(module, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            result = original(*args, **kwargs)
            if not counts["paused"]:
                counts[key] += count(result)
            return result

        monkeypatch.setattr(module, name, wrapper)

    wrap(charter.board.patch, "parse_file", lambda _: 1, "parsed")
    wrap(charter.board.regenerate, "build_repo", lambda _: 1, "full")
    wrap(charter.board.patch, "board_rows", lambda rows: len(rows), "rows")  # type: ignore[arg-type]
    return counts


EDITS: list[tuple[str, Callable[[Config, str], object]]] = [
    ("set a status", lambda c, t: edit.set_status(c, t, "Review")),
    ("set done (an evidence line inserted)", lambda c, t: edit.mark_done(c, t, "proof.txt")),
    ("block (a reason line inserted)", lambda c, t: edit.block(c, t, "waiting")),
    ("set the owner (a line inserted)", lambda c, t: edit.set_field(c, t, "owner", "ann")),
    ("set back to the backlog", lambda c, t: edit.set_status(c, t, "Backlog")),
]


@pytest.mark.parametrize("name,change", EDITS, ids=[name for name, _ in EDITS])
def test_a_task_edit_in_a_big_plan_redoes_its_rows_alone(
    name: str,
    change: Callable[[Config, str], object],
    governed: GovernedRepo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = governed({"big.md": _plan()}, files={"proof.txt": "ok\n"})
    regenerate_board(config)
    monkeypatch.setattr(charter.board.patch, "MAX_ROWS", 5)  # the plan gives 68 rows
    counts = _counted(monkeypatch)
    for task_id in ("W-1", "W-14", "W-30", f"W-{TASKS}", "W-29"):
        try:
            change(config, task_id)
        except CharterError:
            continue  # refused by the edit itself (nothing to compare)
        regenerate_board(config, edited=True)
        assert _board(config) == _full_board(config, tmp_path, counts), (name, task_id)
    # No plan parsed, no full regeneration, and only the edited tasks' rows made (W-14 has
    # a subtask: two rows).
    assert counts["parsed"] == 0 and counts["full"] == 0, counts
    assert 0 < counts["rows"] <= 6, counts


@pytest.mark.parametrize("seed", range(6))
def test_random_edits_in_a_row_match_a_full_regeneration(
    seed: int, governed: GovernedRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    config = governed({"big.md": _plan()}, files={"proof.txt": "ok\n"})
    regenerate_board(config)
    monkeypatch.setattr(charter.board.patch, "MAX_ROWS", 5)
    counts = _counted(monkeypatch)
    ids = [f"W-{n}" for n in range(1, TASKS + 1)] + [f"W-{n}a" for n in range(7, TASKS, 7)]
    for _ in range(6):
        _name, change = rng.choice(EDITS)
        try:
            change(config, rng.choice(ids))
        except CharterError:
            continue
        regenerate_board(config, edited=True)
        assert _board(config) == _full_board(config, tmp_path, counts)
    assert counts["full"] == 0 and counts["parsed"] == 0, counts


def test_without_the_edit_s_record_the_plan_is_regenerated_whole(
    governed: GovernedRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = governed({"big.md": _plan()}, files={"proof.txt": "ok\n"})
    regenerate_board(config)
    monkeypatch.setattr(charter.board.patch, "MAX_ROWS", 5)
    counts = _counted(monkeypatch)
    edit.block(config, "W-20", "waiting")
    piece_memo.forget()  # another process: nothing says which rows the edit changed
    regenerate_board(config, edited=True)
    assert _board(config) == _full_board(config, tmp_path, counts)
    assert counts["full"] == 1


def test_a_title_holding_the_plan_s_link_text_is_regenerated_whole(
    governed: GovernedRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _plan().replace("Task 40 | piped", "Task 40 see [docs/plans/big.md:3](x)")
    config = governed({"big.md": text}, files={"proof.txt": "ok\n"})
    regenerate_board(config)
    monkeypatch.setattr(charter.board.patch, "MAX_ROWS", 5)
    counts = _counted(monkeypatch)
    edit.block(config, "W-2", "waiting")  # a line inserted: the links below move
    regenerate_board(config, edited=True)
    assert _board(config) == _full_board(config, tmp_path, counts)
    assert counts["full"] == 1  # the link text cannot be told apart from the rows' own
