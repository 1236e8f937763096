"""`charter guard --hook claude-code|codex`: PreToolUse JSON in, a decision out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charter.guard.hooks import handle
from tests.guard.helpers import charter_guard


def _request(repo: Path, command: object, tool: str = "Bash", **extra: object) -> bytes:
    data = {
        "session_id": "abc123",
        "transcript_path": "/tmp/transcript.jsonl",
        "cwd": str(repo),
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": {"command": command, "description": "test"},
        **extra,
    }
    return json.dumps(data).encode()


def test_claude_code_allow_leaves_the_prompt_to_claude_code(repo: Path) -> None:
    result = charter_guard(["--hook", "claude-code"], cwd=repo, stdin=_request(repo, "git status"))
    # no decision: Claude Code's own permission rules and prompt still apply
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")


def test_claude_code_allow_outright_is_a_policy_choice(repo: Path) -> None:
    policy = repo / "docs/agents/AUTONOMY.md"
    policy.write_text(
        policy.read_text(encoding="utf-8").replace(
            "charter_policy: 1\n", "charter_policy: 1\nallow_outright: true\n"
        ),
        encoding="utf-8",
    )
    result = charter_guard(["--hook", "claude-code"], cwd=repo, stdin=_request(repo, "git status"))
    assert result.returncode == 0
    output = json.loads(result.stdout)["hookSpecificOutput"]
    assert output["hookEventName"] == "PreToolUse"
    assert output["permissionDecision"] == "allow"
    assert "L0 allow: git status" in output["permissionDecisionReason"]
    assert result.stderr == b""


def test_claude_code_deny(repo: Path) -> None:
    request = _request(repo, "git status; curl evil.example")
    result = charter_guard(["--hook", "claude-code"], cwd=repo, stdin=request)
    assert result.returncode == 2
    output = json.loads(result.stdout)["hookSpecificOutput"]
    assert output["permissionDecision"] == "deny"
    assert "curl evil.example" in output["permissionDecisionReason"]
    assert b"curl evil.example: no allow rule" in result.stderr


def test_codex_allow_is_silent(repo: Path) -> None:
    request = _request(repo, "git status", turn_id="t1", model="gpt-5", tool_use_id="c1")
    result = charter_guard(["--hook", "codex"], cwd=repo, stdin=request)
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")


def test_codex_deny(repo: Path) -> None:
    result = charter_guard(["--hook", "codex"], cwd=repo, stdin=_request(repo, "cat .env"))
    assert result.returncode == 2
    output = json.loads(result.stdout)["hookSpecificOutput"]
    assert set(output) == {"hookEventName", "permissionDecision", "permissionDecisionReason"}
    assert output["permissionDecision"] == "deny"
    assert b".env is forbidden" in result.stderr


@pytest.mark.parametrize("agent", ["claude-code", "codex"])
@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "not JSON"),
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[]", "JSON object"),
        (b'{"tool_name": "Bash", "tool_input": {"command": "ls"}}', "cwd"),
        (b'{"cwd": "relative", "tool_name": "Bash", "tool_input": {"command": "ls"}}', "cwd"),
        (b'{"cwd": "/", "tool_name": "Bash"}', "tool_input"),
        (b'{"cwd": "/", "tool_name": "Bash", "tool_input": {"command": 5}}', "string"),
        (
            b'{"cwd": "/", "hook_event_name": "Notification", "tool_name": "Bash",'
            b' "tool_input": {"command": "ls"}}',
            "PreToolUse",
        ),
        (b" " * (1024 * 1024 + 1), "1 MiB"),
    ],
)
def test_malformed_requests_deny(agent: str, raw: bytes, reason: str) -> None:
    result = handle(agent, raw)
    assert result.exit_code == 2
    assert reason in result.stderr


@pytest.mark.parametrize("agent", ["claude-code", "codex"])
def test_a_bug_denies(agent: str, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr("charter.guard.api.check_command", broken)
    result = handle(agent, _request(repo, "git status"))
    assert result.exit_code == 2
    assert "charter guard failed (KeyError" in result.stderr


def test_a_broken_policy_denies_through_the_hook(repo: Path) -> None:
    (repo / "docs/agents/AUTONOMY.md").write_text("---\ncharter_policy: 7\n---\n")
    result = handle("claude-code", _request(repo, "git status"))
    assert result.exit_code == 2
    assert "docs/agents/AUTONOMY.md:2: charter_policy must be 1" in result.stderr


def test_the_root_can_be_pinned(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "other"
    (elsewhere / ".git").mkdir(parents=True)
    request = _request(elsewhere, "git status")
    assert handle("claude-code", request, root=str(repo)).exit_code == 2  # cwd outside root
    assert handle("claude-code", _request(repo, "git status"), root=str(repo)).exit_code == 0


def test_level_and_environment_apply(repo: Path) -> None:
    request = _request(repo, "pip install x")
    assert handle("claude-code", request, level="L3", env={}).exit_code == 2
    allowed = handle("claude-code", request, level="L3", env={"CHARTER_ALLOW_NET": "1"})
    assert allowed.exit_code == 0


def test_an_argv_command_from_codex(repo: Path) -> None:
    assert handle("codex", _request(repo, ["git", "status"])).exit_code == 0
    assert handle("codex", _request(repo, ["bash", "-lc", "curl x"])).exit_code == 2


@pytest.mark.parametrize(
    ("tool", "path", "code"),
    [
        ("Read", "src/app.py", 0),
        ("Read", ".env", 2),
        ("Edit", "src/app.py", 0),
        ("Write", "docs/agents/AUTONOMY.md", 2),
        ("Edit", ".charter/active-session.json", 2),
        ("MultiEdit", ".git/hooks/pre-commit", 2),
        ("Write", "/tmp/outside.txt", 2),
        ("Read", "/etc/hostname", 2),
        ("Read", "logs/raw/x.log", 2),
    ],
)
def test_claude_code_file_tools(repo: Path, tool: str, path: str, code: int) -> None:
    target = path if path.startswith("/") else str(repo / path)
    request = {
        "cwd": str(repo),
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": {"file_path": target},
    }
    result = handle("claude-code", json.dumps(request).encode())
    assert result.exit_code == code, result.stderr
    if code == 0:
        assert result.stdout == ""  # no decision: the agent's own permissions apply


def test_other_tools_are_left_to_the_agent(repo: Path) -> None:
    request = {"cwd": str(repo), "tool_name": "TodoWrite", "tool_input": {"todos": []}}
    result = handle("claude-code", json.dumps(request).encode())
    assert (result.exit_code, result.stdout) == (0, "")
