"""CH050: an agent's own configuration that widens its sandbox is reported at its line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from charter.cli import main
from tests.guard.helpers import make_repo


def _check(repo: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    main(["check", "--repo", str(repo)])
    out = capsys.readouterr().out
    return [line for line in out.splitlines() if " CH050 " in line]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def test_the_exported_configs_pass(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for agent in ("codex", "claude-code"):
        assert main(["export", agent, "--repo", str(repo), "--python", sys.executable]) == 0
    assert _check(repo, capsys) == []


@pytest.mark.parametrize(
    ("path", "text", "line", "says"),
    [
        (
            ".codex/rules/default.rules",
            '# added by Codex\nprefix_rule(\n    pattern = ["make", "test"],\n'
            '    decision = "allow",\n)\n',
            2,
            "has `allow`",
        ),
        (
            ".codex/rules/default.rules",
            'prefix_rule(pattern = ["pytest"], justification = "a (paren) # and more")\n'
            'prefix_rule(pattern = ["rm"], decision = "forbidden")\n',
            1,
            "no decision (it defaults to allow)",
        ),
        (".codex/config.toml", 'model = "o3"\nsandbox_mode = "danger-full-access"\n', 2, "danger"),
        (
            ".codex/config.toml",
            'sandbox_mode = "workspace-write"\n[sandbox_workspace_write]\nnetwork_access = true\n',
            3,
            "grants no network",
        ),
        (".claude/settings.json", {"sandbox": {"enabled": False}}, 3, "switched off"),
        (
            ".claude/settings.local.json",
            {"sandbox": {"enabled": True, "allowUnsandboxedCommands": True}},
            4,
            "dangerouslyDisableSandbox",
        ),
        (
            ".claude/settings.json",
            {"sandbox": {"enabled": True, "excludedCommands": ["docker", "git"]}},
            4,
            "docker, git",
        ),
    ],
)
def test_a_widening_is_reported_at_its_line(
    repo: Path, capsys: pytest.CaptureFixture[str], path: str, text: object, line: int, says: str
) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    body = text if isinstance(text, str) else json.dumps(text, indent=2)
    target.write_text(body, encoding="utf-8")
    (finding,) = _check(repo, capsys)
    assert finding.startswith(f"{path}:{line}:1: CH050 ")
    assert says in finding


def test_forbidden_and_prompt_rules_pass(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = repo / ".codex/rules/team.rules"
    rules.parent.mkdir(parents=True)
    rules.write_text(
        'prefix_rule(pattern = ["git", "push"], decision = "prompt")\n'
        "prefix_rule(\n    pattern = [\"curl\"],\n    decision = 'forbidden',\n)\n",
        encoding="utf-8",
    )
    assert _check(repo, capsys) == []
