"""Class 5, Claude Code's own prompt, and the policy keys the file tools are judged by.

An `allow` from a PreToolUse hook skips Claude Code's permission prompt. By
default the hook answers nothing on allow (exit 0, no JSON), so Claude Code's own
rules and prompt still apply; `allow_outright: true` in the policy makes it
answer `allow`. A denial is a denial either way.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from charter.errors import CharterError
from charter.guard.export import render_claude_settings, render_codex_hooks
from charter.guard.policy import parse_policy
from tests.guard.filetool_helpers import assert_answer, fill, make_battery_repo, run_hook
from tests.guard.helpers import POLICY, POLICY_PATH, charter_guard

OUTRIGHT = POLICY.replace("charter_policy: 1\n", "charter_policy: 1\nallow_outright: true\n")

ALLOWED_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("Bash", {"command": "git status"}),
    ("Read", {"file_path": "{R}/src/app.py"}),
    ("Write", {"file_path": "{R}/src/new.py", "content": "x"}),
    ("Edit", {"file_path": "{R}/src/app.py"}),
    ("Grep", {"pattern": "x", "path": "{R}/src"}),
    ("Glob", {"pattern": "*.py", "path": "{R}/src"}),
    ("LS", {"path": "{R}/src"}),
]
DENIED_CALLS: list[tuple[str, dict[str, Any], str]] = [
    ("Bash", {"command": "curl x"}, "no allow rule"),
    ("Read", {"file_path": "{R}/.env"}, "forbidden"),
    ("Write", {"file_path": "{R}/.claude/settings.json"}, "protected"),
]


def _setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, policy: str) -> dict[str, str]:
    repo, home, outside = make_battery_repo(tmp_path, policy)
    monkeypatch.setenv("HOME", str(home))
    return {"R": str(repo), "H": str(home), "O": str(outside)}


def _request(places: dict[str, str], tool: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    return {
        "session_id": "s",
        "cwd": places["R"],
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": fill(tool_input, places),
    }


@pytest.mark.parametrize(("tool", "tool_input"), ALLOWED_CALLS)
def test_an_allowed_call_gets_no_decision_by_default(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tool: str,
    tool_input: dict[str, Any],
) -> None:
    places = _setup(tmp_path, monkeypatch, POLICY)
    request = _request(places, tool, tool_input)
    code, out, err = run_hook(monkeypatch, capsys, "claude-code", request, "--level", "L1")
    assert (code, out, err) == (0, "", "")


@pytest.mark.parametrize(("tool", "tool_input"), ALLOWED_CALLS)
def test_allow_outright_answers_allow(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tool: str,
    tool_input: dict[str, Any],
) -> None:
    places = _setup(tmp_path, monkeypatch, OUTRIGHT)
    request = _request(places, tool, tool_input)
    code, out, err = run_hook(monkeypatch, capsys, "claude-code", request, "--level", "L1")
    assert code == 0 and err == ""
    decision = json.loads(out)["hookSpecificOutput"]
    assert decision["hookEventName"] == "PreToolUse"
    assert decision["permissionDecision"] == "allow"
    assert "charter guard" in decision["permissionDecisionReason"]


@pytest.mark.parametrize("policy", [POLICY, OUTRIGHT], ids=["default", "allow_outright"])
@pytest.mark.parametrize(("tool", "tool_input", "reason"), DENIED_CALLS)
def test_a_denial_is_a_denial_either_way(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    policy: str,
    tool: str,
    tool_input: dict[str, Any],
    reason: str,
) -> None:
    places = _setup(tmp_path, monkeypatch, policy)
    request = _request(places, tool, tool_input)
    answer = run_hook(monkeypatch, capsys, "claude-code", request, "--level", "L1")
    assert_answer(*answer, "deny", reason)


@pytest.mark.parametrize("policy", [POLICY, OUTRIGHT], ids=["default", "allow_outright"])
def test_codex_never_gets_an_allow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], policy: str
) -> None:
    places = _setup(tmp_path, monkeypatch, policy)
    patch = "*** Begin Patch\n*** Add File: src/x.py\n+x\n*** End Patch\n"
    for tool, tool_input in [
        ("Bash", {"command": "git status"}),
        ("apply_patch", {"command": patch}),
    ]:
        request = _request(places, tool, tool_input)
        assert run_hook(monkeypatch, capsys, "codex", request, "--level", "L1") == (0, "", "")


@pytest.mark.parametrize(("policy", "decided"), [(POLICY, False), (OUTRIGHT, True)])
def test_the_guard_process_answers_as_the_policy_says(
    tmp_path: Path, policy: str, decided: bool
) -> None:
    repo, _home, _outside = make_battery_repo(tmp_path, policy)
    request = {
        "cwd": str(repo),
        "hook_event_name": "PreToolUse",
        "tool_name": "Read",
        "tool_input": {"file_path": str(repo / "src/app.py")},
    }
    result = charter_guard(["--hook", "claude-code"], cwd=repo, stdin=json.dumps(request).encode())
    assert result.returncode == 0, result.stderr
    assert bool(result.stdout) is decided


def test_file_tools_are_denied_while_the_kill_switch_is_engaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    places = _setup(tmp_path, monkeypatch, POLICY)
    (Path(places["R"]) / ".charter").mkdir()
    (Path(places["R"]) / ".charter/STOP").write_text("stop\n", encoding="utf-8")
    request = _request(places, "Read", {"file_path": "{R}/src/app.py"})
    code, _out, err = run_hook(monkeypatch, capsys, "claude-code", request)
    assert code == 2 and "Read" in err


def test_read_outside_lists_what_may_be_read_outside_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside"
    policy = POLICY.replace(
        "forbidden_paths:", f'read_outside: ["{outside}/docs/**", "~/.cache/**"]\nforbidden_paths:'
    )
    places = _setup(tmp_path, monkeypatch, policy)
    (Path(places["H"]) / ".cache").mkdir()
    (Path(places["H"]) / ".cache/x").write_text("x", encoding="utf-8")
    for path, expected in [
        ("{O}/docs/a.md", "allow"),
        ("~/.cache/x", "allow"),
        ("{O}/secret.txt", "deny"),
        ("{O}/docs/../secret.txt", "deny"),
        ("~/.ssh/id_rsa", "deny"),
    ]:
        request = _request(places, "Read", {"file_path": path})
        answer = run_hook(monkeypatch, capsys, "claude-code", request, "--level", "L0")
        assert_answer(*answer, expected, "")
    request = _request(places, "Write", {"file_path": "{O}/docs/a.md"})
    answer = run_hook(monkeypatch, capsys, "claude-code", request, "--level", "L1")
    assert_answer(*answer, "deny", "outside the repository")


@pytest.mark.parametrize(
    ("l0", "l1", "writes"),
    [("", "", (False, True)), ("write_files: true", "", (True, True)),
     ("", "write_files: false", (False, False))],
)  # fmt: skip
def test_write_files_per_level(l0: str, l1: str, writes: tuple[bool, bool]) -> None:
    text = POLICY.replace("    title: Observe\n", f"    title: Observe\n    {l0}\n").replace(
        "    title: Edit & test\n", f"    title: Edit & test\n    {l1}\n"
    )
    policy = parse_policy(text, POLICY_PATH)
    assert (policy.level("L0").writes_files, policy.level("L1").writes_files) == writes


INVALID = [
    ("allow_outright: yes-please\n", "allow_outright must be true", 2),
    ('unprotected_paths: [".git/**"]\n', "which no policy can unprotect", 2),
    ('unprotected_paths: [".claude/settings.json"]\n', "which no policy can unprotect", 2),
    ('unprotected_paths: ["charter.toml"]\n', "which no policy can unprotect", 2),
    ('read_outside: ["docs/**"]\n', "absolute or home-relative", 2),
    ('read_outside: ["/"]\n', "absolute or home-relative", 2),
    ('read_outside: ["~/**"]\n', "absolute or home-relative", 2),
    ('read_outside: ["/usr/../etc/**"]\n', "absolute or home-relative", 2),
]


@pytest.mark.parametrize(("line", "message", "number"), INVALID)
def test_new_policy_keys_are_validated(line: str, message: str, number: int) -> None:
    text = POLICY.replace("charter_policy: 1\n", "charter_policy: 1\n" + line)
    with pytest.raises(CharterError, match=re.escape(message)) as raised:
        parse_policy(text, POLICY_PATH)
    assert raised.value.line == number + 1


def test_write_files_must_be_a_flag() -> None:
    text = POLICY.replace("    title: Observe\n", "    title: Observe\n    write_files: maybe\n")
    with pytest.raises(CharterError, match="write_files must be true or false"):
        parse_policy(text, POLICY_PATH)


CLAUDE_FILE_TOOLS = [
    "Read", "Write", "Edit", "MultiEdit", "NotebookEdit", "NotebookRead", "Grep", "Glob", "LS"
]  # fmt: skip


def test_the_exported_claude_code_hook_matches_every_file_tool() -> None:
    policy = parse_policy(POLICY, POLICY_PATH)
    settings = json.loads(render_claude_settings(policy, None, "guard"))
    (entry,) = settings["hooks"]["PreToolUse"]
    matcher = re.compile(entry["matcher"])
    for tool in [*CLAUDE_FILE_TOOLS, "Bash", "WebFetch", "WebSearch"]:
        assert matcher.fullmatch(tool), tool
    assert not matcher.fullmatch("TodoWrite")
    deny = settings["permissions"]["deny"]
    assert "Edit(**/conftest.py)" in deny and "Edit(**/GNUmakefile)" in deny


def test_the_exported_codex_hook_matches_apply_patch() -> None:
    hooks = json.loads(render_codex_hooks(None, "guard"))
    (entry,) = hooks["hooks"]["PreToolUse"]
    matcher = re.compile(entry["matcher"])
    for tool in ["Bash", "apply_patch", "Edit", "Write"]:
        assert matcher.fullmatch(tool), tool


def test_the_hook_module_imports_nothing_heavy_for_a_file_tool(tmp_path: Path) -> None:
    repo, _home, _outside = make_battery_repo(tmp_path)
    request = {
        "cwd": str(repo),
        "hook_event_name": "PreToolUse",
        "tool_name": "Write",
        "tool_input": {"file_path": str(repo / "src/new.py")},
    }
    script = (
        "import sys, runpy; sys.argv = ['charter.guard', '--hook', 'claude-code'];\n"
        "try:\n    runpy.run_module('charter.guard', run_name='__main__')\n"
        "except SystemExit: pass\n"
        "heavy = {'click', 'jinja2', 'markdown_it', 'pandas', 'watchdog', 'yaml'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    import subprocess

    charter_guard(["--hook", "claude-code"], cwd=repo, stdin=json.dumps(request).encode())
    result = subprocess.run(
        [sys.executable, "-I", "-c", script],
        cwd=repo,
        input=json.dumps(request).encode(),
        capture_output=True,
        check=False,
    )
    assert result.stdout.decode().strip().endswith("[]"), result.stdout + result.stderr
