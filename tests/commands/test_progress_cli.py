"""The long commands show progress on a terminal's stderr, and none in a pipe or with --quiet.

The check and gates have their own tests (tests/commands/test_check_plain.py,
tests/gates/test_gates_eval.py); these cover board (with --html), reconcile and
import, each run through click as a person runs it, with stderr made to look
like a terminal where the case needs one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from charter import progress
from charter.cli import _build_group
from tests.conftest import write_files

PLANS = 60  # more than one batch of parsing (charter.repo.PROGRESS_STEP)


def _repo(root: Path) -> Path:
    files: dict[str, str | bytes] = {
        f"docs/plans/plan-{n:03d}.md": (
            f"---\nid: P{n}\ntitle: Plan {n}\nowner: team\nstatus: active\nlevel: L1\n---\n"
            f"# Plan {n}\n\n- [ ] P{n}-1: write the thing\n  - Status: Todo\n"
        )
        for n in range(PLANS)
    }
    files["specs/001-search/tasks.md"] = "# Tasks\n\n- [ ] T001 Index the pages\n- [x] T002 Rank\n"
    write_files(root, files)
    (root / "charter.toml").write_text("", encoding="utf-8")
    return root


COMMANDS = [
    (["board", "--html", "site/board.html"], "charter board: reading plans"),
    (["reconcile"], "charter reconcile: reading plans"),
    (["import", "speckit", "{root}/specs", "--out", "docs/imported"], "charter import speckit:"),
]


def _run(root: Path, args: list[str]) -> str:
    result = CliRunner().invoke(_build_group(), [*args, "--repo", str(root)], standalone_mode=False)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.stderr


@pytest.mark.parametrize(("args", "label"), COMMANDS, ids=["board", "reconcile", "import"])
@pytest.mark.parametrize(
    ("terminal", "quiet", "shown"),
    [(True, False, True), (True, True, False), (False, False, False)],
    ids=["terminal", "quiet", "pipe"],
)
def test_long_commands_show_progress_only_on_a_terminal(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    label: str,
    terminal: bool,
    quiet: bool,
    shown: bool,
) -> None:
    root = _repo(tmp_path / "repo")
    if args[0] == "reconcile":
        _run(root, ["board", "--quiet"])  # a board to compare the plans with
        shutil.rmtree(root / ".charter" / "cache")  # so that the plans are read again
    if args[0] == "import":
        (root / "charter.toml").write_text('preset = "speckit"\n', encoding="utf-8")
    monkeypatch.setattr(progress, "_is_terminal", lambda stream: terminal)
    monkeypatch.setattr(progress, "DELAY", 0.0)  # as if the work had taken over a second
    args = [a.replace("{root}", str(root)) for a in args]
    stderr = _run(root, [*args, *(["--quiet"] if quiet else [])])
    assert (label in stderr) is shown, stderr
    assert ("\r" in stderr) is shown
    if shown:
        assert "\r" + " " * 10 in stderr, "the line is cleared before the command's own output"
