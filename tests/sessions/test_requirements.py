"""A level's `requires_checks`: `charter session end` verifies them from the recorded commands."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from charter.config import load_config
from charter.errors import CharterError
from charter.guard.policy import parse_policy
from charter.sessions.requirements import requirement_gaps
from charter.state.commandlog import record_command
from charter.state.session import ActiveSession, write_active

EXAMPLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "examples" / "autonomy-plan.md"

# The autonomy example's L1 row ("Modify code/docs, run tests | Must attach telemetry + task
# board update") and its Reporting list ("Every autonomous run must update ... the session
# log"), written as checks instead of prose.
POLICY = """\
---
charter_policy: 1
default_level: L1
test_commands: ["pytest", "make test"]
levels:
  L0:
    title: Observe
    allow: [ls]
  L1:
    title: Edit & test
    inherits: L0
    allow: [pytest]
    requires_checks:
      - tests_passed_after_last_change: true
      - files_updated: [docs/taskboard/TaskBoard.csv]
---
# Autonomy
"""


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "docs/agents").mkdir(parents=True)
    (root / "docs/taskboard").mkdir()
    (root / "src").mkdir()
    _git(root, "init", "-q")
    (root / "charter.toml").write_text("[tool.charter]\n", encoding="utf-8")
    (root / "docs/agents/AUTONOMY.md").write_text(POLICY, encoding="utf-8")
    (root / "docs/taskboard/TaskBoard.csv").write_text("id\n", encoding="utf-8")
    (root / "src/app.py").write_text("x = 1\n", encoding="utf-8")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "base")
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 5))
    write_active(
        root,
        ActiveSession("s-1", "docs/agents/sessions/s-1.md", "T-1", "L1", None, "codex", started),
    )
    return root


def _session(root: Path) -> ActiveSession:
    from charter.state.session import read_active

    session = read_active(root)
    assert session is not None
    return session


def _messages(root: Path) -> list[str]:
    config = load_config(root)
    return [g.message for g in requirement_gaps(config, _session(root))]


def _ran(root: Path, command: str, exit_code: int, at: float) -> None:
    record_command(
        root,
        {
            "command": command,
            "exit_code": exit_code,
            "decision": "allow",
            "level": "L1",
            "started": "2026-01-01T00:00:00+00:00",
            "t": at,
        },
    )


def test_a_session_that_ran_no_test_cannot_claim_its_requirements(repo: Path) -> None:
    assert _messages(repo) == [
        "level L1 requires tests_passed_after_last_change: no test command (pytest, make test) "
        "ran and exited 0 in this session",
        "level L1 requires files_updated: not updated in this session: "
        "docs/taskboard/TaskBoard.csv",
    ]


def test_a_passing_run_after_the_last_change_meets_it(repo: Path) -> None:
    (repo / "src/app.py").write_text("x = 2\n", encoding="utf-8")
    (repo / "docs/taskboard/TaskBoard.csv").write_text("id\nT-1\n", encoding="utf-8")
    _ran(repo, "pytest -q", 1, time.time() + 1)  # a failing run is no evidence
    assert "no test command" in _messages(repo)[0]
    _ran(repo, "python -m pytest -q", 0, time.time() + 1)
    assert _messages(repo) == []


def test_a_change_after_the_last_passing_run_needs_the_tests_again(repo: Path) -> None:
    _ran(repo, "pytest", 0, time.time())
    (repo / "docs/taskboard/TaskBoard.csv").write_text("id\nT-1\n", encoding="utf-8")
    later = time.time() + 60
    (repo / "src/app.py").write_text("x = 3\n", encoding="utf-8")
    os.utime(repo / "src/app.py", (later, later))
    (message,) = _messages(repo)
    assert message == (
        "level L1 requires tests_passed_after_last_change: the last passing test run started "
        "before the last change to a source file (src/app.py): run the tests again"
    )


def test_a_commit_in_the_session_counts_as_an_update(repo: Path) -> None:
    _ran(repo, "make test", 0, time.time() + 600)
    (repo / "docs/taskboard/TaskBoard.csv").write_text("id\nT-1\n", encoding="utf-8")
    _git(repo, "add", "-A")
    dated = {
        **os.environ,
        "GIT_COMMITTER_DATE": "2099-01-01T00:00:00",
        "GIT_AUTHOR_DATE": "2099-01-01T00:00:00",
    }
    subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-q",
            "-m",
            "board",
        ],
        check=True,
        env=dated,
        capture_output=True,
    )
    assert (
        "docs/taskboard/TaskBoard.csv"
        not in subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True
        ).stdout
    )
    assert _messages(repo) == []


@pytest.mark.parametrize(
    ("checks", "message"),
    [
        ("requires_checks: yes", "requires_checks must be a list"),
        ("requires_checks: [tests_passed_after_last_change]", "a mapping with one key"),
        ("requires_checks: [{tests_passed: true}]", "unknown requirement 'tests_passed'"),
        ("requires_checks: [{tests_passed_after_last_change: 1}]", "must be true or false"),
        ("requires_checks: [{files_updated: []}]", "needs at least one path"),
        ("requires_checks: [{files_updated: 3}]", "must be a list"),
    ],
)
def test_bad_requirements_name_file_and_line(checks: str, message: str) -> None:
    text = POLICY.replace(
        "    requires_checks:\n      - tests_passed_after_last_change: true\n"
        "      - files_updated: [docs/taskboard/TaskBoard.csv]\n",
        f"    {checks}\n",
    )
    with pytest.raises(CharterError, match=message) as raised:
        parse_policy(text, "docs/agents/AUTONOMY.md")
    assert raised.value.path is not None and "AUTONOMY.md" in str(raised.value.path)
    assert raised.value.line == 13  # the requires_checks line


def test_the_autonomy_example_states_what_the_checks_encode() -> None:
    if not EXAMPLE.exists():
        pytest.skip("../shared/examples is not here: the example is read, never written")
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "Modify code/docs, run tests" in text and "task board update" in text
