"""Class 1 of the adversarial battery: every file tool is judged by the level.

Each case goes through the real hook entry (`charter guard --hook AGENT --level L`,
the PreToolUse JSON on stdin) and names the expected answer: an allow is exit 0
with no output (the agent's own prompt still applies), a denial is exit 2 with
the JSON denial and the reason named next to the case, so a case cannot pass by
failing for another reason. The example policy: L0 inherits nothing, so its
file tools write nothing; L1 and above edit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.guard.filetool_helpers import assert_answer, fill, make_battery_repo, run_hook

FORBID = "forbidden by the policy"
OUT = "outside the repository"
PROT = "is protected"
NOWRITE = "writes no files"
SPECIAL = "special file"
HARD = "other hard links"
WALK = "would read"
GLOB = "could match files forbidden"
UNREAD = "unreadable patch"
ALLOW = "allow"

Case = tuple[str, dict[str, Any], str, str, str]  # tool, tool_input, level, expected, reason

CLAUDE_READS: list[Case] = [
    ("Read", {"file_path": "{R}/src/app.py"}, "L0", ALLOW, ""),
    ("Read", {"file_path": "{R}/src/app.py"}, "L1", ALLOW, ""),
    ("Read", {"file_path": "src/app.py"}, "L0", ALLOW, ""),
    ("Read", {"file_path": "{R}/.git/config"}, "L0", ALLOW, ""),  # reading protected is fine
    ("Read", {"file_path": "{R}/docs/agents/AUTONOMY.md"}, "L0", ALLOW, ""),
    ("Read", {"file_path": "{R}/Makefile"}, "L0", ALLOW, ""),
    ("Read", {"file_path": "/dev/null"}, "L0", ALLOW, ""),
    ("Read", {"file_path": "{R}/.env"}, "L0", "deny", FORBID),
    ("Read", {"file_path": "{R}/.env"}, "L3", "deny", FORBID),
    ("Read", {"file_path": "{R}/.ENV"}, "L1", "deny", FORBID),
    ("Read", {"file_path": "{R}/src/../.env"}, "L1", "deny", FORBID),
    ("Read", {"file_path": "{R}/src/./../.env"}, "L1", "deny", FORBID),
    ("Read", {"file_path": "{R}/.env/"}, "L1", "deny", FORBID),
    ("Read", {"file_path": "{R}/.env."}, "L1", "deny", FORBID),
    ("Read", {"file_path": "{R}/.env "}, "L1", "deny", FORBID),
    ("Read", {"file_path": "{R}//.env"}, "L1", "deny", FORBID),
    ("Read", {"file_path": "{R}/config/.env.local"}, "L1", "deny", FORBID),
    ("Read", {"file_path": "{R}/keys/server.pem"}, "L1", "deny", FORBID),
    ("Read", {"file_path": "{R}/keys/SERVER.PEM"}, "L1", "deny", FORBID),
    ("Read", {"file_path": "{R}/logs/raw/a.log"}, "L1", "deny", FORBID),
    ("Read", {"file_path": "{R}/logs/RAW/a.log"}, "L1", "deny", FORBID),
    ("Read", {"file_path": "{H}/.ssh/id_rsa"}, "L1", "deny", FORBID),
    ("Read", {"file_path": "~/.ssh/id_rsa"}, "L1", "deny", FORBID),
    ("Read", {"file_path": "~/.aws/credentials"}, "L1", "deny", OUT),
    ("Read", {"file_path": "{H}/.aws/credentials"}, "L3", "deny", OUT),
    ("Read", {"file_path": "~/.claude/.credentials.json"}, "L1", "deny", OUT),
    ("Read", {"file_path": "~"}, "L1", "deny", OUT),
    ("Read", {"file_path": "/etc/passwd"}, "L1", "deny", OUT),
    ("Read", {"file_path": "{O}/secret.txt"}, "L1", "deny", OUT),
    ("Read", {"file_path": "{R}/../outside/secret.txt"}, "L1", "deny", OUT),
    ("Read", {"file_path": "../outside/secret.txt"}, "L1", "deny", OUT),
    ("Read", {"file_path": "{R}/src/link-out"}, "L1", "deny", OUT),  # symlink pointing out
    ("Read", {"file_path": "{R}/src/link-dir/secret.txt"}, "L1", "deny", OUT),
    ("Read", {"file_path": "{R}/src/link-dir/../outside/secret.txt"}, "L1", "deny", OUT),
    ("Read", {"file_path": "{R}/src/link-hooks/../config"}, "L1", ALLOW, ""),  # .git/config
    ("Read", {"file_path": "/dev/tcp/127.0.0.1/80"}, "L1", "deny", SPECIAL),
    ("Read", {"file_path": "/proc/self/environ"}, "L1", "deny", SPECIAL),
    ("Read", {"file_path": "/sys/kernel/notes"}, "L1", "deny", SPECIAL),
    ("Read", {"file_path": ""}, "L1", "deny", "without a path"),
    ("Read", {"file_path": "   "}, "L1", "deny", "an empty path"),
    ("Read", {"file_path": 5}, "L1", "deny", "without a path"),
    ("Read", {}, "L1", "deny", "without a path"),
    ("Read", {"file_path": "{R}/src/app\u200b.py"}, "L1", "deny", "invisible character"),
    ("Read", {"file_path": "{R}/src/a\x00.py"}, "L1", "deny", "NUL"),
    ("Read", {"file_path": "{R}/src/a\n.env"}, "L1", "deny", "line break"),
    ("Read", {"file_path": "{R}/src/a\u202e.py"}, "L1", "deny", "invisible character"),
    ("NotebookRead", {"notebook_path": "{R}/nb/a.ipynb"}, "L0", ALLOW, ""),
    ("NotebookRead", {"notebook_path": "{R}/.env"}, "L0", "deny", FORBID),
    ("NotebookRead", {"notebook_path": "{O}/secret.txt"}, "L0", "deny", OUT),
]

CLAUDE_WRITES: list[Case] = [
    ("Write", {"file_path": "{R}/src/new.py", "content": "x"}, "L1", ALLOW, ""),
    (
        "Edit",
        {"file_path": "{R}/src/app.py", "old_string": "a", "new_string": "b"},
        "L1",
        ALLOW,
        "",
    ),
    ("MultiEdit", {"file_path": "{R}/src/app.py", "edits": []}, "L2", ALLOW, ""),
    ("NotebookEdit", {"notebook_path": "{R}/nb/a.ipynb", "new_source": "x"}, "L1", ALLOW, ""),
    ("Write", {"file_path": "src/relative.py"}, "L1", ALLOW, ""),
    ("Write", {"file_path": "{R}/AGENTS.md"}, "L1", ALLOW, ""),
    ("Write", {"file_path": "{R}/config/app.yaml"}, "L1", ALLOW, ""),
    ("Write", {"file_path": "{R}/src/templates/page.html"}, "L1", ALLOW, ""),
    # lookalikes name other files, which no program reads in place of the real ones
    ("Write", {"file_path": "{R}/.\u0441laude/settings.json"}, "L1", ALLOW, ""),
    ("Write", {"file_path": "{R}/\uff2dakefile"}, "L1", ALLOW, ""),
    # L0 writes nothing, whatever the path
    ("Write", {"file_path": "{R}/src/new.py"}, "L0", "deny", NOWRITE),
    ("Edit", {"file_path": "{R}/src/app.py"}, "L0", "deny", NOWRITE),
    ("MultiEdit", {"file_path": "{R}/src/app.py"}, "L0", "deny", NOWRITE),
    ("NotebookEdit", {"notebook_path": "{R}/nb/a.ipynb"}, "L0", "deny", NOWRITE),
    ("Write", {"file_path": "src/relative.py"}, "L0", "deny", NOWRITE),
    ("Write", {"file_path": "{R}/.env"}, "L0", "deny", FORBID),
    # outside the repository
    ("Write", {"file_path": "{O}/x.txt"}, "L1", "deny", OUT),
    ("Write", {"file_path": "/tmp/charter-battery.txt"}, "L3", "deny", OUT),
    ("Write", {"file_path": "~/.bashrc"}, "L1", "deny", OUT),
    ("Edit", {"file_path": "{H}/.claude/settings.json"}, "L1", "deny", OUT),
    ("Write", {"file_path": "{R}/../x.py"}, "L1", "deny", OUT),
    ("Write", {"file_path": "../x.py"}, "L1", "deny", OUT),
    ("Write", {"file_path": "{R}/src/link-out"}, "L1", "deny", OUT),
    ("Write", {"file_path": "{R}/src/link-dir/new.py"}, "L1", "deny", OUT),
    # `..` after a symlink climbs from the link's target, not from the folder holding it
    ("Write", {"file_path": "{R}/src/link-dir/../x.py"}, "L1", "deny", OUT),
    ("Edit", {"file_path": "src/link-dir/../outside/secret.txt"}, "L1", "deny", OUT),
    ("Write", {"file_path": "{R}"}, "L1", "deny", "holds protected files"),
    ("Write", {"file_path": "{R}/docs/agents"}, "L1", "deny", "holds protected files"),
    # forbidden and protected inside it
    ("Write", {"file_path": "{R}/.env"}, "L1", "deny", FORBID),
    ("Edit", {"file_path": "{R}/.git/hooks/pre-commit"}, "L1", "deny", PROT),
    ("Write", {"file_path": "./.git/hooks/post-checkout"}, "L1", "deny", PROT),
    ("Write", {"file_path": "{R}/.GIT/hooks/pre-push"}, "L1", "deny", PROT),
    ("Write", {"file_path": "{R}/.git./hooks/pre-push"}, "L1", "deny", PROT),
    ("Write", {"file_path": "{R}/.git /hooks/pre-push"}, "L1", "deny", PROT),
    ("Write", {"file_path": "{R}/src/../.git/config"}, "L1", "deny", PROT),
    ("Write", {"file_path": "{R}/src/link-hooks/pre-commit"}, "L1", "deny", PROT),
    ("Write", {"file_path": "{R}/.git"}, "L1", "deny", PROT),
    ("Write", {"file_path": "{R}/.git/"}, "L1", "deny", PROT),
    ("Write", {"file_path": "{R}/docs/agents/AUTONOMY.md"}, "L1", "deny", PROT),
    ("Edit", {"file_path": "{R}/docs/agents/autonomy.md"}, "L1", "deny", PROT),
    ("Write", {"file_path": "{R}/docs/agents/AUTONOMY.md."}, "L1", "deny", PROT),
    ("Write", {"file_path": "{R}/.claude/settings.json"}, "L3", "deny", PROT),
    ("Write", {"file_path": "{R}/.claude/settings.local.json"}, "L1", "deny", PROT),
    ("Edit", {"file_path": "{R}/.CLAUDE/settings.json"}, "L1", "deny", PROT),
    ("Write", {"file_path": "{R}/.codex/hooks.json"}, "L1", "deny", PROT),
    ("Write", {"file_path": "{R}/.charter/active-session.json"}, "L1", "deny", PROT),
    ("Write", {"file_path": "{R}/.charter/cache/policy.json"}, "L1", "deny", PROT),
    ("NotebookEdit", {"notebook_path": "{R}/.claude/x.ipynb"}, "L1", "deny", PROT),
    ("MultiEdit", {"file_path": "{R}/Makefile"}, "L1", "deny", PROT),
    ("Write", {"file_path": "{R}/src/hardlink.txt"}, "L1", "deny", HARD),
    ("Write", {"file_path": "{R}/src/app\u200b.py"}, "L1", "deny", "invisible character"),
    ("Write", {"file_path": 7}, "L1", "deny", "without a path"),
    ("NotebookEdit", {"file_path": "{R}/nb/a.ipynb"}, "L1", "deny", "without a path"),
]

CLAUDE_SEARCHES: list[Case] = [
    ("Grep", {"pattern": "x", "path": "{R}/src"}, "L0", ALLOW, ""),
    ("Grep", {"pattern": "x", "path": "{R}/src", "glob": "*.py"}, "L0", ALLOW, ""),
    ("Grep", {"pattern": "x", "path": "{R}/src/app.py"}, "L0", ALLOW, ""),
    ("Grep", {"pattern": "SECRET"}, "L0", "deny", WALK),  # no path: the cwd, holding .env
    ("Grep", {"pattern": "SECRET", "path": "{R}"}, "L1", "deny", WALK),
    ("Grep", {"pattern": "x", "path": "{R}/keys"}, "L1", "deny", WALK),
    ("Grep", {"pattern": "x", "path": "{R}/logs"}, "L1", "deny", WALK),
    ("Grep", {"pattern": "x", "path": "{R}/.env"}, "L1", "deny", FORBID),
    ("Grep", {"pattern": "x", "path": "{H}"}, "L1", "deny", OUT),
    ("Grep", {"pattern": "x", "path": "~/.ssh"}, "L1", "deny", OUT),
    ("Grep", {"pattern": "x", "path": "/"}, "L1", "deny", OUT),
    ("Grep", {"pattern": "x", "path": "{R}/src/link-dir"}, "L1", "deny", OUT),
    ("Grep", {"pattern": "x", "path": "{R}/src", "glob": "*.pem"}, "L1", "deny", GLOB),
    ("Grep", {"pattern": "x", "path": "{R}/src", "glob": "**/.env*"}, "L1", "deny", GLOB),
    ("Grep", {"pattern": "x", "path": "{R}/src", "glob": "../../**"}, "L1", "deny", OUT),
    ("Grep", {"pattern": "x", "path": "{R}/src", "glob": 3}, "L1", "deny", "must be text"),
    ("Glob", {"pattern": "**/*.py", "path": "{R}/src"}, "L0", ALLOW, ""),
    ("Glob", {"pattern": "src/*.py"}, "L0", ALLOW, ""),
    ("Glob", {"pattern": "**/.env"}, "L0", "deny", GLOB),
    ("Glob", {"pattern": "**/*.key", "path": "{R}"}, "L1", "deny", GLOB),
    ("Glob", {"pattern": "../../**", "path": "{R}/src"}, "L1", "deny", OUT),
    ("Glob", {"pattern": "/etc/*"}, "L1", "deny", OUT),
    ("Glob", {"pattern": "{H}/.ssh/*"}, "L1", "deny", OUT),
    ("Glob", {"pattern": "*", "path": "{O}"}, "L1", "deny", OUT),
    ("LS", {"path": "{R}/src"}, "L0", ALLOW, ""),
    ("LS", {"path": "{R}"}, "L0", ALLOW, ""),  # names only: nothing is read
    ("LS", {"path": "/etc"}, "L1", "deny", OUT),
    ("LS", {"path": "{H}"}, "L1", "deny", OUT),
    ("LS", {"path": "~/.aws"}, "L1", "deny", OUT),
    ("LS", {"path": "{R}/.."}, "L1", "deny", OUT),
    ("LS", {}, "L1", "deny", "without a path"),
]


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    repo, home, outside = make_battery_repo(tmp_path)
    monkeypatch.setenv("HOME", str(home))
    return {"R": str(repo), "H": str(home), "O": str(outside)}


def _request(places: dict[str, str], tool: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    return {
        "session_id": "battery",
        "cwd": places["R"],
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": fill(tool_input, places),
    }


@pytest.mark.parametrize(("tool", "tool_input", "level", "expected", "reason"), CLAUDE_READS)
def test_claude_code_reads(
    places: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tool: str,
    tool_input: dict[str, Any],
    level: str,
    expected: str,
    reason: str,
) -> None:
    request = _request(places, tool, tool_input)
    answer = run_hook(monkeypatch, capsys, "claude-code", request, "--level", level)
    assert_answer(*answer, expected, reason)


@pytest.mark.parametrize(("tool", "tool_input", "level", "expected", "reason"), CLAUDE_WRITES)
def test_claude_code_writes(
    places: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tool: str,
    tool_input: dict[str, Any],
    level: str,
    expected: str,
    reason: str,
) -> None:
    request = _request(places, tool, tool_input)
    answer = run_hook(monkeypatch, capsys, "claude-code", request, "--level", level)
    assert_answer(*answer, expected, reason)


@pytest.mark.parametrize(("tool", "tool_input", "level", "expected", "reason"), CLAUDE_SEARCHES)
def test_claude_code_searches(
    places: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tool: str,
    tool_input: dict[str, Any],
    level: str,
    expected: str,
    reason: str,
) -> None:
    request = _request(places, tool, tool_input)
    answer = run_hook(monkeypatch, capsys, "claude-code", request, "--level", level)
    assert_answer(*answer, expected, reason)


def _git(repo: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("ignored", ALLOW),  # ripgrep skips what .gitignore ignores
        ("untracked", "deny"),  # ...and reads what git would add
        ("tracked", "deny"),
        ("nested-repo", "deny"),  # git lists only the folder of a repository inside
    ],
)
def test_a_search_reads_what_ripgrep_would_read(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    setup: str,
    expected: str,
) -> None:
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "docs/agents").mkdir(parents=True)
    _git(repo, "init", "-q")
    from tests.guard.helpers import POLICY, POLICY_PATH

    (repo / POLICY_PATH).write_text(POLICY, encoding="utf-8")
    (repo / "src/app.py").write_text("x\n", encoding="utf-8")
    secret = repo / "src/.env"
    if setup == "nested-repo":
        secret = repo / "src/vendor/server.pem"
        secret.parent.mkdir()
        _git(secret.parent, "init", "-q")
    secret.write_text("SECRET\n", encoding="utf-8")
    if setup == "ignored":
        (repo / ".gitignore").write_text(".env\n", encoding="utf-8")
    if setup == "tracked":
        _git(repo, "add", "-f", "src/.env")
    places = {"R": str(repo), "H": str(tmp_path), "O": str(tmp_path)}
    request = _request(places, "Grep", {"pattern": "SECRET", "path": "{R}/src"})
    answer = run_hook(monkeypatch, capsys, "claude-code", request, "--level", "L1")
    assert_answer(*answer, expected, WALK)
