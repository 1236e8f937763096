"""The guard denies a file-tool edit of a plan's lines that belong to a task another agent
has claimed (docs/parallel.md, "The guard"), through the real hook entry."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from charter.claims import ops
from charter.guard.claimed_sections import task_sections
from tests.claims.helpers import PLAN, governed_clone, run_git
from tests.guard.filetool_helpers import run_hook
from tests.guard.helpers import POLICY, POLICY_PATH

PLAN_PATH = "docs/plans/par.md"
HELD = "which alice holds until"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = governed_clone(tmp_path, 'claims = "local"\n')
    (root / POLICY_PATH).parent.mkdir(parents=True, exist_ok=True)
    (root / POLICY_PATH).write_text(POLICY, encoding="utf-8")
    (root / "README.md").write_text("- [ ] **PAR-2** mentioned, not planned\n", encoding="utf-8")
    run_git(root, "add", "-A")
    run_git(root, "commit", "-qm", "policy")
    monkeypatch.setenv("CHARTER_NOW", "2026-01-01T10:00:00Z")
    assert ops.claim(ops.Store(root, None), "PAR-2", "alice", "1h").ok
    monkeypatch.setenv("CHARTER_AGENT", "bob")
    return root


def _hook(monkeypatch, capsys, root: Path, tool: str, tool_input: dict[str, Any]):  # type: ignore[no-untyped-def]
    request = {
        "hook_event_name": "PreToolUse",
        "cwd": str(root),
        "tool_name": tool,
        "tool_input": {"file_path": str(root / PLAN_PATH), **tool_input},
    }
    code, out, err = run_hook(monkeypatch, capsys, "claude-code", request, "--level", "L1")
    return code, out + err


def _edit(old: str, new: str) -> dict[str, Any]:
    return {"old_string": old, "new_string": new}


def _write(old: str, new: str) -> dict[str, Any]:
    return {"content": PLAN.replace(old, new)}


CASES = [
    # (tool, input, denied)
    ("Edit", _edit("  - Priority: P2", "  - Priority: P0"), True),  # a field of PAR-2
    ("Edit", _edit("**PAR-2** Second task", "**PAR-2** Second task, renamed"), True),
    ("Edit", _edit("- [ ] **PAR-2**", "- [x] **PAR-2**"), True),  # ticking it
    ("Edit", _edit("  - Priority: P2\n", "  - Priority: P2\n  - Notes: mine now\n"), True),
    (
        "Edit",
        _edit("- [ ] **PAR-2** Second task\n  - Status: Not started\n  - Priority: P2\n", ""),
        True,
    ),
    ("Write", _write("Second task", "Second task (rewritten)"), True),
    (
        "MultiEdit",
        {"edits": [_edit("  - Priority: P1", "  - Priority: P0"), _edit("P2", "P3")]},
        True,
    ),
    ("Edit", _edit("  - Priority: P1", "  - Priority: P0"), False),  # PAR-1: nobody holds it
    ("Edit", _edit("  - Priority: P3", "  - Priority: P0"), False),  # PAR-3
    ("Write", _write("Third task", "Third task (rewritten)"), False),
    ("Write", {"content": PLAN + "- [ ] **PAR-4** A new task\n"}, False),
    ("Edit", _edit("# Parallel work\n", "# Parallel work, in parallel\n"), False),
    ("Edit", _edit("not in the file", "x"), False),  # the tool itself fails: nothing to guard
]


@pytest.mark.parametrize(("tool", "tool_input", "denied"), CASES)
def test_edits_of_another_agents_claimed_task_are_denied(
    repo: Path, monkeypatch, capsys, tool: str, tool_input: dict[str, Any], denied: bool
) -> None:  # type: ignore[no-untyped-def]
    code, said = _hook(monkeypatch, capsys, repo, tool, tool_input)
    if denied:
        assert code == 2, said
        assert f"PAR-2 ({PLAN_PATH}:" in said and HELD in said and "you are bob" in said
    else:
        assert code == 0, said


def test_the_holder_may_edit_its_task(repo: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CHARTER_AGENT", "alice")
    code, said = _hook(monkeypatch, capsys, repo, "Edit", _edit("P2", "P0"))
    assert code == 0, said


def test_the_agent_is_the_active_sessions(repo: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    state = repo / ".charter" / "active-session.json"
    state.parent.mkdir(exist_ok=True)
    session = {"id": "2026-01-01_session-0001", "level": "L1", "agent": "alice", "task": "PAR-2"}
    state.write_text(json.dumps(session), encoding="utf-8")  # bob's environment, alice's session
    code, said = _hook(monkeypatch, capsys, repo, "Edit", _edit("P2", "P0"))
    assert code == 0, said
    session["agent"] = "carol"
    state.write_text(json.dumps(session), encoding="utf-8")
    code, said = _hook(monkeypatch, capsys, repo, "Edit", _edit("P2", "P0"))
    assert code == 2 and "you are carol" in said


def test_an_expired_claim_no_longer_holds(repo: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CHARTER_NOW", "2026-01-01T11:02:00Z")  # past expiry and the skew
    code, said = _hook(monkeypatch, capsys, repo, "Edit", _edit("P2", "P0"))
    assert code == 0, said


def test_a_markdown_file_that_is_no_plan_is_not_judged(repo: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    request = {
        "hook_event_name": "PreToolUse",
        "cwd": str(repo),
        "tool_name": "Edit",
        "tool_input": {"file_path": str(repo / "README.md"), **_edit("mentioned", "said")},
    }
    code, out, err = run_hook(monkeypatch, capsys, "claude-code", request, "--level", "L1")
    assert code == 0, out + err


def test_claims_that_cannot_be_read_deny_the_edit(repo: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    (repo / "charter.toml").write_text('claims = "remote"\n', encoding="utf-8")
    run_git(repo, "remote", "add", "origin", str(repo.parent / "nowhere.git"))
    code, said = _hook(monkeypatch, capsys, repo, "Edit", _edit("P2", "P0"))
    assert code == 2 and "cannot be checked" in said and "cannot reach the claims remote" in said
    # lines of no task need no claims: still allowed
    code, said = _hook(monkeypatch, capsys, repo, "Edit", _edit("# Parallel work\n", "# Work\n"))
    assert code == 0, said


ID = re.compile(r"[A-Z]+-\d+")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- [ ] **A-1** x\n  - Status: y\n\n- [ ] **A-2** z\n", [("A-1", 0, 2), ("A-2", 3, 4)]),
        ("1. A-1 x\n   more\n2. A-2\n", [("A-1", 0, 2), ("A-2", 2, 3)]),
        ("## A-1 Title\ntext\n### sub\n## A-2\n", [("A-1", 0, 3), ("A-2", 3, 4)]),
        ("| ID | T |\n|---|---|\n| A-1 | x |\n| `A-2` | y |\n", [("A-1", 2, 3), ("A-2", 3, 4)]),
        ("| [ ] | A-7 | x |\n", [("A-7", 0, 1)]),
        ("- see A-1 for details\n", []),  # a mention, not a task
    ],
)
def test_task_sections(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert task_sections(text, ID) == expected


def _patch(body: str) -> str:
    return f"*** Begin Patch\n{body}*** End Patch\n"


PATCHES = [
    # (patch, denied)
    (
        _patch(
            f"*** Update File: {PLAN_PATH}\n@@\n   - Status: Not started\n-  - Priority: P2\n+  - Priority: P0\n"
        ),
        True,
    ),
    (_patch(f"*** Update File: {PLAN_PATH}\n@@\n-  - Priority: P1\n+  - Priority: P0\n"), False),
    (_patch(f"*** Update File: {PLAN_PATH}\n@@\n-  - Priority: P3\n+  - Priority: P0\n"), False),
    (_patch(f"*** Update File: {PLAN_PATH}\n@@\n   - Priority: P2\n+  - Notes: mine\n"), True),
    # context not in the file: which lines change cannot be told, every task counts
    (_patch(f"*** Update File: {PLAN_PATH}\n@@\n-no such line\n+x\n"), True),
    (_patch(f"*** Delete File: {PLAN_PATH}\n"), True),
    (_patch(f"*** Update File: {PLAN_PATH}\n*** Move to: docs/plans/moved.md\n"), True),
    (_patch(f"*** Add File: {PLAN_PATH}\n+# Replaced\n"), True),
    (_patch("*** Add File: docs/plans/new.md\n+- [ ] **PAR-2** again\n"), False),
    (_patch("*** Update File: src/app.py\n@@\n-x\n+y\n"), False),
]


@pytest.mark.parametrize(("patch", "denied"), PATCHES)
def test_codex_patches_of_another_agents_claimed_task_are_denied(
    repo: Path, monkeypatch, capsys, patch: str, denied: bool
) -> None:  # type: ignore[no-untyped-def]
    request = {
        "hook_event_name": "PreToolUse",
        "cwd": str(repo),
        "tool_name": "apply_patch",
        "tool_input": {"command": patch},
    }
    code, out, err = run_hook(monkeypatch, capsys, "codex", request, "--level", "L1")
    said = out + err
    if denied:
        assert code == 2, said
        assert "PAR-2" in said and HELD in said, said
    else:
        assert code == 0, said
