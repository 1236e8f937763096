"""charter's own outputs never fail charter's rules: CH025 knows the board, CSV and handoff."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from charter.board.regenerate import regenerate_board
from charter.checks.blob_facts import BLOB_FILE
from charter.config import Config, load_config
from charter.handoff.regenerate import write_handoff
from charter.scaffold import init_repo
from tests.conftest import check_findings

PLAN_TASKS = 25


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@x", *args],
        check=True,
        capture_output=True,
    )


def plan_text(prefix: str, count: int) -> str:
    """A plan as a team writes one: a mix of statuses, 30 % of tasks depending on the one
    before, done tasks with their evidence."""
    statuses = ("Backlog", "Todo", "In Progress", "Review", "Blocked", "Done", "Done", "Done")
    lines = ["---", f"id: {prefix}", f"title: Plan {prefix}", "owner: team", "status: active"]
    lines += ["next_review: 2099-01-01", "---", f"# Plan {prefix}", ""]
    for n in range(1, count + 1):
        status = statuses[(n * 7) % len(statuses)]
        box = "x" if status == "Done" else " "
        lines += [f"- [{box}] **{prefix}-{n}** Task {n} of plan {prefix}", f"  - Status: {status}"]
        lines += ["  - Owner: team", f"  - Priority: P{n % 4}"]
        if n > 1 and (n * 3) % 10 < 3:
            lines.append(f"  - Depends: {prefix}-{n - 1}")
        if status == "Blocked":
            lines.append("  - Blocked: waiting on a review")
        if status == "Done":
            lines.append("  - Evidence: docs/evidence/run.txt")
    return "\n".join(lines) + "\n"


def initialised(root: Path, tasks: int) -> Config:
    """`charter init`, then plans of 25 tasks, board and handoff written, all committed."""
    _git(root.parent, "init", "-q", str(root))
    init_repo(root, example=False, git_hooks=False)
    write = root / "docs" / "evidence" / "run.txt"
    write.parent.mkdir(parents=True, exist_ok=True)
    write.write_text("ok\n")
    for number in range(tasks // PLAN_TASKS):
        path = root / "docs" / "plans" / f"area-{number // 100:03d}" / f"plan-{number:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(plan_text(f"P{number}", PLAN_TASKS))
    config = load_config(root)
    regenerate_board(config, force=True)
    write_handoff(config, force=True)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "--no-verify", "-m", "plans")
    return config


def size_limit(config: Config, kb: int) -> None:
    """Set the policy's max_file_size_kb (the initialised policy has one)."""
    policy = config.path(config.policy)
    text, count = re.subn(
        r"(?m)^max_file_size_kb: \d+$", f"max_file_size_kb: {kb}", policy.read_text()
    )
    assert count == 1, "the initialised policy sets max_file_size_kb"
    policy.write_text(text)


def too_large(config: Config, *others: str) -> list[str]:
    """CH025's findings on charter's outputs (and `others`): at a limit of 1 KB the
    initialised repository's agent configs are over it too, and are not the subject here."""
    among = {config.board, config.board_csv, config.handoff, *others}
    found = check_findings(load_config(config.root))
    return sorted(d.path for d in found if d.code == "CH025" and d.path in among)


def test_charter_outputs_over_the_limit_are_not_findings(tmp_path: Path) -> None:
    config = initialised(tmp_path / "repo", 100)
    size_limit(config, 1)  # every output of 100 tasks is over 1 KB
    assert config.path(config.board).stat().st_size > 1024
    assert config.path(config.handoff).stat().st_size > 1024
    assert config.path(config.board_csv).stat().st_size > 1024
    assert too_large(config) == []


@pytest.mark.parametrize("which", ["board", "board_csv", "handoff"])
def test_an_output_edited_by_hand_is_judged_like_any_file(tmp_path: Path, which: str) -> None:
    config = initialised(tmp_path / "repo", 100)
    size_limit(config, 1)
    rel = getattr(config, which)
    path = config.path(rel)
    path.write_text(path.read_text() + "| smuggled | row |\n" + "x" * 4096 + "\n")
    _git(config.root, "add", rel)
    assert too_large(config) == [rel]


def test_the_index_is_judged_not_the_work_tree(tmp_path: Path) -> None:
    """A large blob staged at the board's path while the file on disk is charter's board."""
    config = initialised(tmp_path / "repo", 100)
    size_limit(config, 1)
    board = config.path(config.board)
    good = board.read_text()
    board.write_text("y" * 8192)
    _git(config.root, "add", config.board)
    board.write_text(good)
    # The CSV is vouched for by the board's stamp: with no stamped board it is judged too.
    assert too_large(config) == sorted([config.board, config.board_csv])


def test_other_large_files_are_still_findings(tmp_path: Path) -> None:
    config = initialised(tmp_path / "repo", 25)
    size_limit(config, 1)
    big = config.root / "docs" / "taskboard" / "dump.md"
    big.write_text("z" * 4096)
    _git(config.root, "add", "-A")
    assert too_large(config, "docs/taskboard/dump.md") == ["docs/taskboard/dump.md"]


def test_verdicts_remembered_by_blob_follow_what_is_staged(tmp_path: Path) -> None:
    """Sizes and "charter's own output" verdicts are remembered by blob id between checks
    (checks.blob_facts): a board edited and staged is a new blob, judged afresh, and the
    stamped board staged again is the remembered verdict."""
    config = initialised(tmp_path / "repo", 100)
    size_limit(config, 1)
    rel = config.board
    board = config.path(rel)
    good = board.read_text()

    def over() -> list[str]:
        among = {config.board, config.board_csv, config.handoff, "docs/dump.md"}
        answers = [
            sorted(d.path for d in found if d.code == "CH025" and d.path in among)
            for found in (
                check_findings(load_config(config.root), use_cache=True),
                check_findings(load_config(config.root), use_cache=False),
            )
        ]
        assert answers[0] == answers[1]  # remembered or not, the same answer
        return answers[0]

    assert over() == []
    assert (config.root / ".charter" / "cache" / BLOB_FILE).is_file()
    assert over() == []  # from the remembered verdicts
    board.write_text(good + "| smuggled | row |\n" + "x" * 4096 + "\n")
    _git(config.root, "add", rel)
    assert over() == [rel]
    board.write_text(good)
    _git(config.root, "add", rel)
    assert over() == []
    (config.root / "docs" / "dump.md").write_text("z" * 4096)
    _git(config.root, "add", "-A")
    assert over() == ["docs/dump.md"]


@pytest.mark.slow
def test_an_initialised_repository_of_20k_tasks_checks_clean(tmp_path: Path) -> None:
    config = initialised(tmp_path / "repo", 20_000)
    assert config.path(config.board).stat().st_size > 1024 * 1024  # over the default limit
    done = subprocess.run(
        [str(Path(sys.executable).with_name("charter")), "check"],
        cwd=config.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
