"""`charter task set/done/block` as a person runs them: the edit holds the board's locks,
reads every plan once, and the board it patches from those bytes is, after every edit of
a sequence, byte for byte what a full `charter board --force` writes from scratch, on a
generated repository (the growth benchmark's layout) and on examples/demo."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

import charter.board.memo
import charter.board.patch
import charter.board.regenerate
import charter.tasks.edit
from charter.board.regenerate import regenerate_board
from charter.cli import _build_group
from charter.config import load_config
from tests.conftest import REPO_ROOT
from tests.governed import board_bytes as _board
from tests.governed import count_calls
from tests.governed import full_board as _full_board

BENCH = REPO_ROOT / "tools" / "bench"
DEMO = REPO_ROOT / "examples" / "demo"


def _bench_growth() -> ModuleType:
    sys.path.insert(0, str(BENCH))  # the benchmarks import their sibling `timing`
    spec = importlib.util.spec_from_file_location("charter_bench_growth", BENCH / "bench_growth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


def _charter(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.chdir(root)
    result = CliRunner().invoke(_build_group(), list(args), standalone_mode=False)
    assert result.exception is None, result.output
    assert result.return_value in (0, None), result.output
    return result.output


def _counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Every listing of the plans (each one a read of every plan), plans parsed by the
    board, and whole repositories built."""
    counts = {"read": 0, "board parse": 0, "repo": 0}
    count_calls(monkeypatch, counts, charter.tasks.edit, "plan_listing", "read")
    count_calls(monkeypatch, counts, charter.board.memo, "plan_listing", "read")
    count_calls(monkeypatch, counts, charter.board.patch, "parse_file", "board parse")
    count_calls(monkeypatch, counts, charter.board.regenerate, "build_repo", "repo")
    return counts


# A sequence of edits as a team makes them: each is followed by a comparison.
GENERATED_EDITS = [
    ("task", "set", "P3-5", "--status", "In Progress"),
    ("task", "block", "P3-8", "--reason", "waiting on the vendor"),
    ("task", "done", "P7-6", "--evidence", "docs/evidence/run.txt"),
    ("task", "set", "P3-5", "--status", "Review", "--owner", "zoë | co"),
    ("task", "set", "P11-4", "--field", "priority=P1"),
    ("task", "set", "P3-8", "--status", "Backlog"),
]


def test_edits_on_a_generated_repository_patch_what_a_full_board_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _bench_growth().make_repo(tmp_path / "growth", 500, "many")
    config = load_config(root)
    for args in GENERATED_EDITS:
        counts = _counted(monkeypatch)
        output = _charter(root, monkeypatch, *args)
        assert ": updated in" in output or ": blocked in" in output or ": done" in output
        # The edit read the plans once; the board patched the edited plan's rows alone.
        assert counts == {"read": 1, "board parse": 1, "repo": 0}, args
        assert _board(config) == _full_board(config, tmp_path), args


def test_edits_on_the_demo_write_what_a_full_board_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".charter"))
    config = load_config(root)
    regenerate_board(config, force=True)
    plans = sorted(p for p in (root / "docs" / "plans").rglob("*.md"))
    ids = [
        line.split("**")[1]
        for line in plans[0].read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith("- [") and line.count("**") >= 2
    ]
    assert len(ids) >= 2, "the demo's first plan holds checklist tasks"
    proof = plans[1].relative_to(root).as_posix()  # any file of the repository will do
    edits = [
        ("task", "set", ids[0], "--status", "In Progress"),
        ("task", "block", ids[1], "--reason", "waiting"),
        ("task", "set", ids[1], "--status", "Backlog"),
        ("task", "done", ids[0], "--evidence", proof, "--no-hash"),
    ]
    for args in edits:
        _charter(root, monkeypatch, *args)
        assert _board(config) == _full_board(config, tmp_path), args


def test_an_edit_that_changes_nothing_still_leaves_the_board_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No bytes written, no plans handed over: the board reads them under its locks."""
    root = _bench_growth().make_repo(tmp_path / "growth", 100, "many")
    config = load_config(root)
    _charter(root, monkeypatch, "task", "set", "P1-2", "--status", "Review")
    output = _charter(root, monkeypatch, "task", "set", "P1-2", "--status", "Review")
    assert "wrote" not in output
    assert _board(config) == _full_board(config, tmp_path)


def test_an_edit_splits_only_the_columns_its_row_leaves_and_enters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan's other rows read as they did: their columns are written as they were."""
    root = _bench_growth().make_repo(tmp_path / "growth", 500, "many")
    config = load_config(root)
    split: list[str] = []
    original = charter.board.patch._Column.pieces

    def pieces(column: charter.board.patch._Column) -> object:
        if column.moved:
            split.append(column.name)
        return original(column)

    monkeypatch.setattr(charter.board.patch._Column, "pieces", pieces)
    plan = next((root / "docs" / "plans").rglob("plan-00003.md")).read_text(encoding="utf-8")
    status = plan.split("**P3-5**", 1)[1].split("Status: ", 1)[1].split("\n", 1)[0]
    target = "Review" if status.strip() != "Review" else "Blocked"
    _charter(root, monkeypatch, "task", "set", "P3-5", "--status", target)
    assert set(split) <= {config.column_for_status(status.strip()), target}
    assert len(split) == len(set(split)) >= 1
    assert _board(config) == _full_board(config, tmp_path)


@pytest.mark.parametrize("board_file", ["markdown", "csv"])
def test_a_board_edited_by_hand_between_two_edits_is_left_as_the_person_wrote_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, board_file: str
) -> None:
    """The edit after a hand edit of the board writes its plan and refuses the board: the
    hand edit stays byte for byte, and `board --force` then writes the full board."""
    root = _bench_growth().make_repo(tmp_path / "growth", 500, "many")
    config = load_config(root)
    _charter(root, monkeypatch, "task", "set", "P3-5", "--status", "Review")
    rel = config.board if board_file == "markdown" else config.board_csv
    path = config.path(rel)
    text = path.read_text(encoding="utf-8")
    row = "P4-2 |" if board_file == "markdown" else "P4-2,"
    at = text.index(row)
    edited = text[:at] + row + " (hand)" + text[at + len(row) :]
    path.write_text(edited, encoding="utf-8")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(
        _build_group(),
        ["task", "set", "P3-8", "--status", "Blocked"],
        standalone_mode=False,
    )
    assert result.return_value == 1, result.output
    assert "P3-8: updated in" in result.output
    assert "the board was NOT regenerated" in result.output
    assert path.read_text(encoding="utf-8") == edited
    plan = next((root / "docs" / "plans").rglob("plan-00003.md")).read_text(encoding="utf-8")
    assert plan.split("**P3-8**", 1)[1].split("Status: ", 1)[1].startswith("Blocked\n")
    _charter(root, monkeypatch, "board", "--force")
    assert _board(config) == _full_board(config, tmp_path)
