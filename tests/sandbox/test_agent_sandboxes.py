"""`charter export codex|claude-code`: the agents' own sandboxes, from the policy.

The generated files parse (TOML, JSON), carry the keys the tools document,
and never widen a sandbox: no execpolicy `allow` rule (in Codex it runs a
command outside the sandbox), no excluded command, no escape hatch. When the
Codex CLI is on PATH, its own `codex execpolicy check` loads the rules (which
runs their match/not_match examples) and judges commands with them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from charter.cli import main
from charter.errors import CharterError
from charter.guard.policy import parse_policy
from charter.sandbox.agents import (
    codex_sandbox_mode,
    render_codex_config,
    render_codex_rules,
)
from tests.guard.helpers import POLICY, POLICY_PATH, make_repo

L3_DEFAULT = POLICY.replace("default_level: L1", "default_level: L3").replace(
    "network: true", "network: [pypi.org]"
)


def _export(repo: Path, *args: str) -> int:
    return main(["export", *args, "--repo", str(repo), "--python", sys.executable])


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def test_codex_config_confines_the_default_level(repo: Path) -> None:
    assert _export(repo, "codex") == 0
    config = tomllib.loads((repo / ".codex/config.toml").read_text(encoding="utf-8"))
    assert config["sandbox_mode"] == "workspace-write"
    workspace = config["sandbox_workspace_write"]
    assert workspace["network_access"] is False
    assert workspace["writable_roots"] == []
    assert config["web_search"] == "disabled"  # a level without the network searches nothing
    assert _export(repo, "codex", "--check") == 0


def test_codex_config_opens_the_network_only_at_a_network_level() -> None:
    text = render_codex_config(parse_policy(L3_DEFAULT, POLICY_PATH), None, "config.toml")
    assert tomllib.loads(text)["sandbox_workspace_write"]["network_access"] is True
    # its own index, never live fetches from hosts the level does not list
    assert tomllib.loads(text)["web_search"] == "cached"


@pytest.mark.parametrize(
    ("level", "mode"), [("L0", "read-only"), ("L1", "workspace-write"), ("L3", "workspace-write")]
)
def test_codex_sandbox_mode_per_level(level: str, mode: str) -> None:
    assert codex_sandbox_mode(parse_policy(POLICY, POLICY_PATH), level) == mode


def test_codex_config_keeps_the_users_keys_and_refuses_a_clash() -> None:
    policy = parse_policy(POLICY, POLICY_PATH)
    mine = 'model = "o3"\n\n[mcp_servers.docs]\ncommand = "docs-server"\n'
    text = render_codex_config(policy, mine, "config.toml")
    assert tomllib.loads(text)["model"] == "o3"
    assert render_codex_config(policy, text, "config.toml") == text  # byte-stable
    with pytest.raises(CharterError, match="clashes"):
        render_codex_config(policy, 'sandbox_mode = "danger-full-access"\n', "config.toml")


def test_codex_rules_never_allow() -> None:
    text = render_codex_rules(parse_policy(POLICY, POLICY_PATH))
    decisions = [line.strip() for line in text.splitlines() if "decision" in line]
    assert decisions and set(decisions) == {'decision = "forbidden",'}
    assert 'pattern = ["git", "push", "--force"]' in text
    assert 'pattern = ["pytest"]' not in text  # allowed commands are the hook's to decide


def test_claude_sandbox_settings(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".claude").mkdir()
    (repo / ".claude/settings.json").write_text('{"model": "opus"}', encoding="utf-8")
    assert _export(repo, "claude-code") == 0
    settings = json.loads((repo / ".claude/settings.json").read_text(encoding="utf-8"))
    assert settings["model"] == "opus"
    sandbox = settings["sandbox"]
    assert sandbox["enabled"] is True
    assert sandbox["allowUnsandboxedCommands"] is False
    assert sandbox["excludedCommands"] == []
    assert "**/.env" in sandbox["filesystem"]["denyRead"]
    assert "/logs/raw/**" in sandbox["filesystem"]["denyRead"]
    assert "/.git/**" in sandbox["filesystem"]["denyWrite"]
    assert "/docs/agents/AUTONOMY.md" in sandbox["filesystem"]["denyWrite"]
    assert sandbox["network"]["allowedDomains"] == []
    assert "Read(**/.env)" in settings["permissions"]["deny"]
    assert _export(repo, "claude-code", "--check") == 0
    capsys.readouterr()


def test_claude_sandbox_lists_the_hosts_of_a_network_level(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", L3_DEFAULT)
    assert _export(repo, "claude-code") == 0
    settings = json.loads((repo / ".claude/settings.json").read_text(encoding="utf-8"))
    assert settings["sandbox"]["network"]["allowedDomains"] == ["pypi.org"]


CODEX = shutil.which("codex")


@pytest.mark.skipif(
    CODEX is None,
    reason="the Codex CLI is not on PATH (npm install -g @openai/codex): its execpolicy check "
    "did not run",
)
@pytest.mark.parametrize(
    ("command", "decision"),
    [
        (["git", "push", "--force", "origin"], "forbidden"),
        (["rg", "--pre", "x"], "forbidden"),
        (["pytest", "-q"], None),  # no rule: Codex runs it in its sandbox, after the hook
        (["git", "status"], None),
    ],
)
def test_codex_loads_the_rules_and_agrees(
    repo: Path, command: list[str], decision: str | None
) -> None:
    assert _export(repo, "codex") == 0
    assert CODEX is not None
    rules = str(repo / ".codex/rules/charter.rules")
    result = subprocess.run(
        [CODEX, "execpolicy", "check", "--rules", rules, *command],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict.get("decision") == decision


@pytest.mark.skipif(CODEX is None, reason="the Codex CLI is not on PATH: check not run")
def test_codex_rejects_rules_whose_examples_do_not_hold(tmp_path: Path) -> None:
    """The control for the test above: Codex's loader really runs the examples."""
    broken = tmp_path / "broken.rules"
    broken.write_text(
        'prefix_rule(\n    pattern = ["git", "push"],\n    decision = "forbidden",\n'
        '    match = [["git", "pull"]],\n)\n',
        encoding="utf-8",
    )
    assert CODEX is not None
    result = subprocess.run(
        [CODEX, "execpolicy", "check", "--rules", str(broken), "git", "push"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "expected every example to match" in result.stderr
