"""The worked examples in docs/board.md and docs/tasks.md run as printed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


def example(page: str) -> str:
    text = (DOCS / page).read_text("utf-8")
    match = re.search(r"## Try it.*?```sh\n(.*?)```", text, re.S)
    assert match is not None, f"{page} has no '## Try it' shell example"
    return match.group(1)


def run_example(page: str, tmp_path: Path) -> str:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    proc = subprocess.run(
        ["bash", "-c", example(page)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr
    return proc.stdout + proc.stderr


def test_board_example(tmp_path: Path) -> None:
    output = run_example("board.md", tmp_path)
    assert output.count("exit 0") == 1 and output.count("exit 1") == 1
    assert "+ST-B-2,Trial reduced ceilings,Review," in output
    csv_text = (tmp_path / "board-demo/docs/taskboard/TaskBoard.csv").read_text()
    assert "ST-B-2,Trial reduced ceilings,Review,Ingestion" in csv_text


def test_tasks_example(tmp_path: Path) -> None:
    output = run_example("tasks.md", tmp_path)
    assert "ST-B-4\tlow\tTidy the dashboards" in output
    assert "+- [x] **ST-B-2** Trial reduced ceilings" in output
    assert "| ST-C-1 | Table task | QA | Blocked | waiting for the vendor |" in output
    assert "does not exist" in output and "exit 2" in output.splitlines()
    plan = (tmp_path / "tasks-demo/docs/plans/ingest.md").read_bytes()
    assert plan.count(b"\r\n") == plan.count(b"\n")  # still CRLF throughout


def test_patch_example_after_the_first(tmp_path: Path) -> None:
    """The example under "After an edit, only the edited plans' rows" runs in the repository
    the "Try it" example made, and a full render without caches agrees with the patch."""
    run_example("board.md", tmp_path)
    text = (DOCS / "board.md").read_text("utf-8")
    match = re.search(r"## After an edit, only.*?```sh\n(.*?)```", text, re.S)
    assert match is not None
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    proc = subprocess.run(
        ["bash", "-c", match.group(1)],
        cwd=tmp_path / "board-demo",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output
    assert [line for line in output.splitlines() if line.startswith("exit")] == [
        "exit 1",
        "exit 0",
    ]
    assert (
        "ST-C-3,Table task,Review,QA"
        in (tmp_path / "board-demo/docs/taskboard/TaskBoard.csv").read_text()
    )
