"""Wiring of `charter board`, `charter task` and the charter-board pre-commit hook."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from charter.cli import COMMANDS, _build_group, main
from tests.board.conftest import PLAN, GovernedRepo

REPO_ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(_build_group(), list(args), standalone_mode=False)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    code = result.return_value if isinstance(result.return_value, int) else result.exit_code
    return code, result.stdout, result.stderr


def test_commands_are_registered() -> None:
    for name in ("board", "task", "watch"):
        assert name in COMMANDS


def test_board_then_check(governed: GovernedRepo) -> None:
    config = governed()
    repo = str(config.root)
    code, out, _ = run("board", "--repo", repo)
    assert code == 0 and "wrote docs/taskboard/TaskBoard.md" in out
    code, out, err = run("board", "--check", "--repo", repo)
    assert code == 0 and out == "" and "up to date (5 tasks)" in err
    plan = config.root / "docs/plans/ingest.md"
    plan.write_text(PLAN.replace("Trial reduced ceilings", "Trial lower ceilings"))
    code, out, err = run("board", "--check", "--repo", repo)
    assert code == 1 and "+ST-B-2,Trial lower ceilings" in out and "out of date" in err


def test_refusal_is_exit_2_with_the_place_and_no_traceback(
    governed: GovernedRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    config = governed()
    assert main(["board", "--repo", str(config.root)]) == 0
    board = config.root / "docs/taskboard/TaskBoard.md"
    board.write_text(board.read_text().replace("Another table task", "Renamed by hand"))
    capsys.readouterr()
    assert main(["board", "--repo", str(config.root)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("charter: error: docs/taskboard/TaskBoard.md:")
    assert "Traceback" not in err
    assert main(["board", "--force", "--repo", str(config.root)]) == 0
    assert "overridden by --force" in capsys.readouterr().err


def test_task_show_and_next_json(governed: GovernedRepo) -> None:
    config = governed(PLAN_WITH_PRIORITIES)
    repo = str(config.root)
    code, out, _ = run("task", "show", "ST-B-2", "--format", "json", "--repo", repo)
    shown = json.loads(out)
    assert code == 0 and shown["column"] == "In Progress" and shown["plan"] == "docs/plans/p.md"
    assert shown["depends"] == [{"id": "ST-B-1", "column": "Done"}]
    code, out, _ = run("task", "next", "--format", "json", "--repo", repo)
    assert [t["id"] for t in json.loads(out)["tasks"]] == ["N-4", "N-2", "N-5", "N-3", "N-6"]
    code, out, _ = run("task", "next", "-n", "2", "--repo", repo)
    assert [line.split("\t")[0] for line in out.splitlines()] == ["N-4", "N-2"]


PLAN_WITH_PRIORITIES = {
    "p.md": PLAN.split("| ID |")[0]
    + """
- [ ] **N-1** Waits for ST-B-2, not done
  - Depends: ST-B-2
  - Priority: P0
- [ ] **N-2** High
  - Priority: high
  - Depends: ST-B-1
- [ ] **N-3** No priority, earlier in the plan
- [ ] **N-4** P0
  - Priority: P0
- [ ] **N-5** Integer 2
  - Priority: 2
- [ ] **N-6** No priority, later
- [ ] **N-7** Already in progress
  - Status: In Progress
"""
}


def test_task_edits_regenerate_the_board(governed: GovernedRepo) -> None:
    config = governed()
    repo = str(config.root)
    run("board", "--repo", repo)
    code, out, _ = run(
        "task",
        "set",
        "ST-B-10",
        "--status",
        "Review",
        "--owner",
        "Docs",
        "--field",
        "priority=P2",
        "--repo",
        repo,
    )
    assert code == 0 and "wrote docs/taskboard/TaskBoard.csv" in out
    code, out, _ = run(
        "task",
        "done",
        "ST-C-3",
        "--evidence",
        ".runs/ST-B-1/manifest.json",
        "--hash",
        "--repo",
        repo,
    )
    assert code == 0
    code, out, _ = run("task", "block", "ST-C-4", "--reason", "vendor", "--repo", repo)
    assert code == 0
    csv_text = (config.root / config.board_csv).read_text()
    assert "ST-B-10,Write the report,Review,Docs," in csv_text
    assert (
        "ST-C-3,Table task,Done,QA" in csv_text and "ST-C-4,Another table task,Blocked" in csv_text
    )
    plan = (config.root / "docs/plans/ingest.md").read_text()
    assert "| ST-C-3 | Table task | QA | Done | | `.runs/ST-B-1/manifest.json` (sha256: " in plan
    code, _, _ = run("board", "--check", "--repo", repo)
    assert code == 0


def test_task_errors_exit_2(governed: GovernedRepo, capsys: pytest.CaptureFixture[str]) -> None:
    config = governed()
    repo = str(config.root)
    assert main(["task", "done", "ST-B-2", "--evidence", "missing.json", "--repo", repo]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["task", "show", "ST-B-20", "--repo", repo]) == 2
    assert "did you mean ST-B-2" in capsys.readouterr().err
    assert main(["task", "set", "ST-B-2", "--repo", repo]) == 2  # nothing to set


def test_edit_succeeds_even_when_the_board_is_refused(
    governed: GovernedRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    config = governed()
    main(["board", "--repo", str(config.root)])
    board = config.root / "docs/taskboard/TaskBoard.md"
    board.write_text(board.read_text() + "\nA note someone added.\n")
    code = main(["task", "set", "ST-B-10", "--status", "Review", "--repo", str(config.root)])
    assert code == 1
    err = capsys.readouterr().err
    assert "docs/plans/ingest.md was written; the board was NOT regenerated" in err
    assert "- Status: Review" in (config.root / "docs/plans/ingest.md").read_text()
    assert board.read_text().endswith("A note someone added.\n")


def test_pre_commit_hook_runs_board_check(governed: GovernedRepo) -> None:
    """The charter-board hook as declared in .pre-commit-hooks.yaml, run by pre-commit itself."""
    pre_commit = Path(sys.executable).with_name("pre-commit")
    if not pre_commit.exists():
        pytest.skip("pre-commit is not installed (pip install '.[test]')")
    hooks = {h["id"]: h for h in yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())}
    hook = hooks["charter-board"]
    assert hook["entry"] == "charter board --check" and hook["pass_filenames"] is False
    charter = shutil.which("charter", path=str(Path(sys.executable).parent))
    assert charter is not None
    local = {**hook, "language": "system", "entry": f"{charter} board --check"}
    config = governed()
    (config.root / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]})
    )
    env = {**os.environ, "PRE_COMMIT_HOME": str(config.root.parent / "pc-home")}

    def hook_run() -> subprocess.CompletedProcess[str]:
        subprocess.run(["git", "add", "-A"], cwd=config.root, check=True)
        return subprocess.run(
            [str(pre_commit), "run", "--all-files"],
            cwd=config.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    stale = hook_run()
    assert stale.returncode == 1 and "out of date" in stale.stdout, stale.stdout
    assert main(["board", "--repo", str(config.root)]) == 0
    fresh = hook_run()
    assert fresh.returncode == 0, fresh.stdout
