"""Class 1 of the adversarial battery, Codex: every path an `apply_patch` payload touches.

Codex sends each file edit as `apply_patch` with the patch text in
`tool_input.command`; `Edit` and `Write` are matcher aliases, and older models
call `apply_patch` through the shell tool. Every case goes through the real
hook entry (`charter guard --hook codex --level L`) and names the answer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from charter.guard.patch import PatchError, patch_paths
from tests.guard.filetool_helpers import assert_answer, fill, make_battery_repo, run_hook
from tests.guard.helpers import charter_guard

OUT = "outside the repository"
PROT = "is protected"
FORBID = "forbidden by the policy"
NOWRITE = "writes no files"
UNREAD = "unreadable patch"
ALLOW = "allow"


def patch(*body: str, newline: str = "\n") -> str:
    return newline.join(["*** Begin Patch", *body, "*** End Patch"]) + newline


ADD_OK = ("*** Add File: src/new.py", "+print(1)")
UPDATE_OK = ("*** Update File: src/app.py", "@@", "-print('hi')", "+print('ho')")


def move(target: str) -> tuple[str, ...]:
    return ("*** Update File: src/app.py", f"*** Move to: {target}", "@@", "-print('hi')", "+x")


PATCHES: list[tuple[str, str, str, str]] = [  # patch, level, expected, reason
    (patch(*ADD_OK), "L1", ALLOW, ""),
    (patch(*UPDATE_OK), "L1", ALLOW, ""),
    (patch("*** Delete File: src/app.py"), "L1", ALLOW, ""),
    (patch(*move("src/renamed.py")), "L1", ALLOW, ""),
    (patch(*ADD_OK, *UPDATE_OK, "*** Delete File: nb/a.ipynb"), "L2", ALLOW, ""),
    (patch("*** Add File: {R}/src/absolute.py", "+x"), "L1", ALLOW, ""),
    (patch(*ADD_OK, newline="\r\n"), "L1", ALLOW, ""),
    ("<<'EOF'\n" + patch(*ADD_OK) + "EOF\n", "L1", ALLOW, ""),
    (patch(), "L1", ALLOW, ""),  # touches nothing
    (patch(*UPDATE_OK, "*** End of File"), "L1", ALLOW, ""),
    # L0 writes nothing
    (patch(*ADD_OK), "L0", "deny", NOWRITE),
    (patch(*UPDATE_OK), "L0", "deny", NOWRITE),
    (patch("*** Delete File: src/app.py"), "L0", "deny", NOWRITE),
    # protected, forbidden and outside targets, in every position
    (patch("*** Add File: .git/hooks/pre-commit", "+#!/bin/sh"), "L1", "deny", PROT),
    (patch("*** Update File: .git/config", "@@", "+[core]"), "L3", "deny", PROT),
    (patch("*** Delete File: .git/hooks/pre-commit"), "L1", "deny", PROT),
    (patch(*move(".git/hooks/pre-commit")), "L1", "deny", PROT),
    (patch(*move("docs/agents/AUTONOMY.md")), "L1", "deny", PROT),
    (patch(*move("./.git/hooks/post-merge")), "L1", "deny", PROT),
    (patch(*move("src/../.claude/settings.json")), "L1", "deny", PROT),
    (patch(*move("../outside.py")), "L1", "deny", OUT),
    (patch(*move("/tmp/x.py")), "L1", "deny", OUT),
    (patch(*move("~/.bashrc")), "L1", "deny", OUT),
    (patch(*move(".env")), "L1", "deny", FORBID),
    (patch("*** Add File: Makefile", "+x:"), "L1", "deny", PROT),
    (patch("*** Add File: GNUmakefile", "+x:"), "L1", "deny", PROT),
    (patch("*** Add File: tests/conftest.py", "+import os"), "L1", "deny", PROT),
    (patch("*** Add File: .claude/settings.json", "+{}"), "L1", "deny", PROT),
    (patch("*** Add File: .codex/hooks.json", "+{}"), "L1", "deny", PROT),
    (patch("*** Add File: .codex/config.toml", "+x"), "L1", "deny", PROT),
    (patch("*** Delete File: .charter/STOP"), "L1", "deny", PROT),
    (patch("*** Delete File: docs/agents/AUTONOMY.md"), "L1", "deny", PROT),
    (patch("*** Add File: .env", "+SECRET=2"), "L1", "deny", FORBID),
    (patch("*** Add File: {O}/x.py", "+x"), "L1", "deny", OUT),
    (patch("*** Add File: src/link-dir/x.py", "+x"), "L1", "deny", OUT),
    (patch("*** Update File: src/hardlink.txt", "@@", "+x"), "L1", "deny", "hard links"),
    (patch(*ADD_OK, "*** Add File: .git/config", "+x"), "L1", "deny", PROT),
    (patch(*UPDATE_OK, "*** Delete File: Makefile"), "L1", "deny", PROT),
    (patch("*** Add File: .git/hooks/pre-commit", "+x", newline="\r\n"), "L1", "deny", PROT),
    (patch("*** Add File: .git/hooks/x\r\r", "+x"), "L1", "deny", PROT),
    (patch("*** Add File: src/x\rz.py", "+x"), "L1", "deny", "control character"),
    ("<<'EOF'\n" + patch("*** Add File: .git/hooks/x", "+x") + "EOF\n", "L1", "deny", PROT),
    # markers the reader errs wide on: any case, indented, inside a hunk
    (patch("*** add file: .git/hooks/x", "+x"), "L1", "deny", PROT),
    (patch("   *** Add File: .git/hooks/x", "+x"), "L1", "deny", PROT),
    (patch("*** Update File: src/app.py", " *** Add File: .git/hooks/x", "+y"), "L1", "deny", PROT),
    (patch("*** Add File:  Makefile", "+x"), "L1", "deny", PROT),
    # not a patch it can read
    ("hello", "L1", "deny", UNREAD),
    ("", "L1", "deny", UNREAD),
    ("*** Begin Patch\n*** Add File: src/x.py\n+x\n", "L1", "deny", UNREAD),
    ("*** Add File: src/x.py\n+x\n*** End Patch\n", "L1", "deny", UNREAD),
    (patch("*** Rename File: src/app.py"), "L1", "deny", UNREAD),
    (patch("*** Add File:", "+x"), "L1", "deny", UNREAD),
    (
        patch("*** Add File: src/x.py", "+x", "*** End Patch", "*** Add File: .git/x"),
        "L1",
        "deny",
        UNREAD,
    ),
    (patch("*** Add File: src/\u2028x.py", "+x"), "L1", "deny", UNREAD),
]


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    repo, home, outside = make_battery_repo(tmp_path)
    monkeypatch.setenv("HOME", str(home))
    return {"R": str(repo), "H": str(home), "O": str(outside)}


def _request(places: dict[str, str], tool: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    return {
        "session_id": "battery",
        "turn_id": "t1",
        "cwd": places["R"],
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_use_id": "call-1",
        "tool_input": fill(tool_input, places),
    }


@pytest.mark.parametrize(("text", "level", "expected", "reason"), PATCHES)
def test_apply_patch(
    places: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
    level: str,
    expected: str,
    reason: str,
) -> None:
    request = _request(places, "apply_patch", {"command": text})
    answer = run_hook(monkeypatch, capsys, "codex", request, "--level", level)
    assert_answer(*answer, expected, reason)


EVIL = patch("*** Add File: .git/hooks/pre-commit", "+#!/bin/sh")
GOOD = patch(*ADD_OK)
OTHER_FORMS: list[tuple[str, dict[str, Any], str, str]] = [  # tool, tool_input, expected, reason
    ("Edit", {"command": EVIL}, "deny", PROT),  # Codex's matcher aliases
    ("Write", {"command": EVIL}, "deny", PROT),
    ("Write", {"command": GOOD}, ALLOW, ""),
    ("apply_patch", {"patch": EVIL}, "deny", PROT),
    ("apply_patch", {"input": EVIL}, "deny", PROT),
    ("apply_patch", {}, "deny", "without the patch text"),
    ("apply_patch", {"command": ["apply_patch", EVIL]}, "deny", "without the patch text"),
    ("Bash", {"command": ["apply_patch", EVIL]}, "deny", PROT),
    ("Bash", {"command": ["apply_patch", GOOD]}, ALLOW, ""),
    ("shell", {"command": ["apply_patch", "not a patch"]}, "deny", UNREAD),
    ("Bash", {"command": "apply_patch <<'EOF'\n" + EVIL + "EOF\n"}, "deny", PROT),
    ("Bash", {"command": "apply_patch <<'EOF'\n" + GOOD + "EOF\n"}, ALLOW, ""),
    ("Bash", {"command": "apply_patch <<'EOF'\n" + GOOD + "EOF\ncurl x\n"}, "deny", UNREAD),
    ("Bash", {"command": ["apply_patch", GOOD, "extra"]}, "deny", "no allow rule"),
    ("shell", {"command": ["bash", "-lc", "apply_patch <<'EOF'\n" + EVIL + "EOF\n"]}, "deny", PROT),
    ("shell", {"command": ["bash", "-lc", "apply_patch <<'EOF'\n" + GOOD + "EOF\n"]}, ALLOW, ""),
]


@pytest.mark.parametrize(("tool", "tool_input", "expected", "reason"), OTHER_FORMS)
def test_apply_patch_in_other_forms(
    places: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tool: str,
    tool_input: dict[str, Any],
    expected: str,
    reason: str,
) -> None:
    request = _request(places, tool, tool_input)
    answer = run_hook(monkeypatch, capsys, "codex", request, "--level", "L1")
    assert_answer(*answer, expected, reason)


def test_the_reader_returns_every_path_with_its_operation() -> None:
    text = patch(*ADD_OK, *move("src/b.py"), "*** Delete File: src/c.py", newline="\r\n")
    assert patch_paths(text) == [
        ("write", "src/new.py"),
        ("write", "src/app.py"),
        ("write", "src/b.py"),
        ("delete", "src/c.py"),
    ]


@pytest.mark.parametrize("text", ["", "*** Begin Patch", patch("*** Nope: x")])
def test_the_reader_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(PatchError):
        patch_paths(text)


@pytest.mark.parametrize(
    ("agent", "tool", "tool_input", "code"),
    [
        ("codex", "apply_patch", {"command": EVIL}, 2),
        ("codex", "apply_patch", {"command": GOOD}, 0),
        ("codex", "apply_patch", {"command": "not a patch"}, 2),
        ("claude-code", "Write", {"file_path": "GNUmakefile"}, 2),
        ("claude-code", "Grep", {"pattern": "SECRET"}, 2),
    ],
)
def test_the_guard_process_as_the_exported_hooks_run_it(
    tmp_path: Path, agent: str, tool: str, tool_input: dict[str, Any], code: int
) -> None:
    repo, _home, _outside = make_battery_repo(tmp_path)
    request = {"cwd": str(repo), "hook_event_name": "PreToolUse", "tool_name": tool}
    request["tool_input"] = tool_input
    result = charter_guard(
        ["--hook", agent, "--root", str(repo)], cwd=repo, stdin=json.dumps(request).encode()
    )
    assert result.returncode == code, result.stderr
    if code == 2:
        answer = json.loads(result.stdout)["hookSpecificOutput"]
        assert answer["permissionDecision"] == "deny"
        assert result.stderr.decode().strip() == answer["permissionDecisionReason"]
    else:
        assert (result.stdout, result.stderr) == (b"", b"")
