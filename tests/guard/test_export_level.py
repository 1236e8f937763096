"""`charter export claude-code|codex --level L`: the agents' settings for a session at L."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from charter.cli import main
from charter.guard.network.hosts import DEFAULT_HOSTS


def _export(repo: Path, *args: str) -> int:
    return main(["export", *args, "--repo", str(repo), "--python", sys.executable])


def _settings(repo: Path) -> dict[str, object]:
    data = json.loads((repo / ".claude/settings.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_claude_code_at_the_online_level(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _export(repo, "claude-code") == 0
    default = _settings(repo)
    assert _export(repo, "claude-code", "--level", "L3") == 0
    online = _settings(repo)
    assert "Bash(pip install:*)" not in json.dumps(default)
    assert "Bash(pip install:*)" in json.dumps(online)
    sandbox = online["sandbox"]
    assert isinstance(sandbox, dict)
    # `network: true` at L3: the package registries, as the guard reads it
    assert sandbox["network"]["allowedDomains"] == list(DEFAULT_HOSTS)
    assert ".claude/settings.json: written" in capsys.readouterr().err


def test_codex_at_the_online_level_opens_the_network(repo: Path) -> None:
    assert _export(repo, "codex") == 0
    assert "network_access = false" in (repo / ".codex/config.toml").read_text("utf-8")
    assert _export(repo, "codex", "--level", "L3") == 0
    assert "network_access = true" in (repo / ".codex/config.toml").read_text("utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["claude-code", "--level", "L9"], "unknown level 'L9'"),
        (["autonomy", "--level", "L3"], "--level applies to claude-code and codex"),
    ],
)
def test_a_bad_level_is_an_error(
    repo: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert _export(repo, *args) == 2
    assert message in capsys.readouterr().err
