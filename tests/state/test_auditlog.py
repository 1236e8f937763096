"""The guard's audit trail: hook and guard decisions, and post-tool exit codes, in the log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charter.errors import CharterError
from charter.guard.hooks import handle
from charter.state.auditlog import audit_path
from charter.state.commandlog import fold_commands, read_trail, record_command
from tests.guard.helpers import charter_guard, make_repo

SESSION = {"id": "s-1", "log": "docs/agents/sessions/s-1.md", "level": "L1"}
REGION = "<!-- charter:begin commands -->\n<!-- charter:end commands -->\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    (root / ".charter").mkdir(exist_ok=True)
    (root / ".charter/active-session.json").write_text(json.dumps(SESSION), encoding="utf-8")
    log = root / SESSION["log"]
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("# Log\n\n" + REGION, encoding="utf-8")
    return root


def _hook(repo: Path, command: str, event: str = "PreToolUse", **extra: object) -> bytes:
    data = {
        "session_id": "abc",
        "cwd": str(repo),
        "hook_event_name": event,
        "tool_name": "Bash",
        "tool_input": {"command": command},
        **extra,
    }
    return json.dumps(data).encode()


def test_hook_decisions_allowed_and_denied_reach_the_log(repo: Path) -> None:
    assert handle("claude-code", _hook(repo, "git status")).exit_code == 0
    assert handle("codex", _hook(repo, "curl evil.example")).exit_code == 2
    trail = read_trail(repo, "s-1")
    assert [(r["command"], r["decision"], r["via"]) for r in trail] == [
        ("git status", "allow", "hook:claude-code"),
        ("curl evil.example", "deny", "hook:codex"),
    ]
    assert all(r["level"] == "L1" and r["rule"] for r in trail)
    assert fold_commands(repo) == 2
    table = (repo / SESSION["log"]).read_text(encoding="utf-8")
    assert "| hook:codex | `curl evil.example` |  |  | deny | L1 |" in table


@pytest.mark.parametrize(
    ("event", "response", "shown"),
    [
        ("PostToolUse", {"stdout": "", "exit_code": 0}, "0"),
        ("PostToolUse", {"stdout": "", "exitCode": 3}, "3"),
        ("PostToolUse", {"stdout": "", "interrupted": True}, "interrupted"),
        ("PostToolUseFailure", {"error": "exit status 1"}, "failed"),
        ("PostToolUse", {"stdout": "no code here"}, "unknown"),
    ],
)
def test_post_tool_hooks_record_the_outcome_never_a_guess(
    repo: Path, event: str, response: dict[str, object], shown: str
) -> None:
    handle("claude-code", _hook(repo, "git status"))
    result = handle("claude-code", _hook(repo, "git status", event, tool_response=response))
    assert (result.exit_code, result.stdout) == (0, "")  # a post-tool hook never blocks
    (only,) = read_trail(repo, "s-1")
    assert str(only["exit_code"]) == shown


def test_a_post_hook_without_a_decision_gets_its_own_row(repo: Path) -> None:
    handle("claude-code", _hook(repo, "make", "PostToolUse", tool_response={"exit_code": 1}))
    (only,) = read_trail(repo, "s-1")
    assert (only["decision"], only["exit_code"]) == ("(not seen by the guard)", 1)


def test_charter_run_through_the_hook_is_left_to_charter_run(repo: Path) -> None:
    """`charter run CMD` records CMD itself: the hook's decision on the wrapper is no row."""
    handle("claude-code", _hook(repo, "charter run -- git status"))
    assert read_trail(repo, "s-1") == []


def test_guard_cli_records_but_explain_does_not(repo: Path) -> None:
    assert charter_guard(["--", "git", "status"], cwd=repo).returncode == 0
    assert charter_guard(["--explain", "--", "git", "log"], cwd=repo).returncode == 0
    assert [r["command"] for r in read_trail(repo, "s-1")] == ["git status"]


def test_no_session_no_trail(repo: Path) -> None:
    (repo / ".charter/active-session.json").unlink()
    handle("claude-code", _hook(repo, "git status"))
    assert not Path(audit_path(str(repo), "s-1")).exists()


def test_run_records_and_hook_decisions_interleave_in_time(repo: Path) -> None:
    handle("claude-code", _hook(repo, "git status"))
    record_command(
        repo,
        {
            "command": "make test",
            "exit_code": 0,
            "decision": "allow",
            "started": "2999-01-01T00:00:00+00:00",
        },
    )
    handle("claude-code", _hook(repo, "git diff"))
    commands = [r["command"] for r in read_trail(repo, "s-1")]
    assert commands == ["git status", "git diff", "make test"]


def test_a_garbled_trail_line_is_an_error_naming_file_and_line(repo: Path) -> None:
    handle("claude-code", _hook(repo, "git status"))
    path = Path(audit_path(str(repo), "s-1"))
    path.write_text(path.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    with pytest.raises(CharterError) as raised:
        read_trail(repo, "s-1")
    assert "guard.jsonl" in str(raised.value) and "2" in str(raised.value)
