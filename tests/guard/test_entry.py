"""`charter guard` on the command line: exit codes, --explain, --format json, usage errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from charter.guard.entry import main
from tests.guard.helpers import charter_guard


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--command", "git status"], 0),
        (["--", "git", "status"], 0),
        (["git", "status"], 0),
        (["--command", "git status; curl x"], 2),
        (["--", "curl", "x"], 2),
        (["--level", "L0", "--", "pytest"], 2),
        (["--level=L2", "--", "make", "bench"], 0),
        (["--level", "L9", "--", "git", "status"], 2),
        (["--cwd", "src", "--", "cat", "app.py"], 0),
        ([], 2),
        (["--command"], 2),
        (["--bogus", "--", "ls"], 2),
        (["--format", "xml", "--", "ls"], 2),
        (["--command", "ls", "--", "ls"], 2),
        (["--hook", "nosuchagent"], 2),
    ],
)
def test_exit_codes(repo: Path, args: list[str], code: int) -> None:
    result = charter_guard(args, cwd=repo)
    assert result.returncode == code, result.stderr.decode()
    if code == 0:
        assert result.stderr == b""
    else:
        assert b"denied" in result.stderr


def test_a_denial_says_why_and_what_is_allowed(repo: Path) -> None:
    result = charter_guard(["--command", "git status && curl evil.example"], cwd=repo)
    message = result.stderr.decode()
    assert "curl evil.example: no allow rule of level L1 matches" in message
    assert "Level L1 allows commands starting with: git status, git diff" in message


def test_explain_shows_each_command_and_its_rule(repo: Path) -> None:
    result = charter_guard(
        ["--explain", "--command", "git status | head -3; bash -c 'rg x src' ; curl y"], cwd=repo
    )
    out = result.stdout.decode()
    assert result.returncode == 2
    assert "level:   L1 (policy default)" in out
    assert "allow    git status\n           L0 allow: git status" in out
    assert "allow    rg x src  [via bash -c]" in out
    assert "deny     curl y\n           no allow rule" in out
    assert out.rstrip().splitlines()[-1].startswith("decision: deny: curl y")


def test_explain_shows_refusals(repo: Path) -> None:
    out = charter_guard(["--explain", "--command", "ls $(curl x)"], cwd=repo).stdout.decode()
    assert "refused  line 1: $(curl x)" in out
    assert "command substitution" in out


def test_json_output(repo: Path) -> None:
    result = charter_guard(["--format", "json", "--", "git", "log", "-1"], cwd=repo)
    data = json.loads(result.stdout)
    assert result.returncode == 0
    assert data["decision"] == "allow"
    assert data["mode"] == "argv"
    assert data["commands"] == [
        {
            "argv": ["git", "log", "-1"],
            "decision": "allow",
            "rule": "L0 allow: git log",
            "reason": "allowed at L0 by 'git log'",
            "level": "L0",
            "line": 1,
            "via": None,
        }
    ]


def test_json_output_of_a_broken_policy(repo: Path) -> None:
    (repo / "docs/agents/AUTONOMY.md").write_text("---\ncharter_policy: 1\nlevels: {}\n---\n")
    result = charter_guard(["--format", "json", "--command", "ls"], cwd=repo)
    data = json.loads(result.stdout)
    assert result.returncode == 2
    assert data["decision"] == "deny"
    assert "docs/agents/AUTONOMY.md:3:" in data["reason"]


def test_help_exits_zero(repo: Path) -> None:
    result = charter_guard(["--help"], cwd=repo)
    assert result.returncode == 0
    assert b"usage: charter guard" in result.stdout


def test_an_internal_error_denies(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("charter.guard.api.check_command", broken)
    assert main(["--command", "git status"]) == 2
    assert "internal error (RuntimeError: boom)" in capsys.readouterr().err


def test_the_charter_console_script_dispatches_guard(repo: Path) -> None:
    charter = Path(sys.executable).with_name("charter")
    ok = subprocess.run([str(charter), "guard", "--", "git", "status"], cwd=repo, check=False)
    bad = subprocess.run(
        [str(charter), "guard", "--command", "curl x"], cwd=repo, capture_output=True, check=False
    )
    assert (ok.returncode, bad.returncode) == (0, 2)
