"""The briefing's, `charter session status`'s and the handoff's account of the enforcement layers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from charter.cli import main
from charter.guard.policy import load_policy
from charter.sandbox.layers import handoff_line, repository_layers
from charter.sandbox.system import capabilities
from tests.sandbox.conftest import start_session


def _status(repo: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["session", "status", "--repo", str(repo), *args]) == 0
    return capsys.readouterr().out


def test_status_names_each_layer(governed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start_session(governed, "L1")
    data = json.loads(_status(governed, capsys, "--format", "json"))["layers"]
    assert data["guard"] == {"hooks": []}
    assert data["agent_sandboxes"] == {"claude-code": None, "codex": None}
    system = capabilities()
    assert data["os_sandbox"] == {
        "mode": "auto",
        "kind": system.best_kind(),
        "landlock_abi": system.landlock_abi,
        "user_namespaces": system.user_namespaces,
        "network": False,
        "level": "L1",
    }
    assert main(["export", "codex", "--repo", str(governed), "--python", sys.executable]) == 0
    assert main(["export", "claude-code", "--repo", str(governed), "--python", sys.executable]) == 0
    capsys.readouterr()
    text = _status(governed, capsys)
    assert (
        "  enforcement layers:\n    guard: `charter run` and the claude-code, codex hooks\n" in text
    )
    assert "codex workspace-write, network off" in text
    assert "claude-code on, network to no host" in text


def test_status_at_l3_follows_the_opt_in(
    governed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    start_session(governed, "L3")
    monkeypatch.delenv("CHARTER_ALLOW_NET", raising=False)
    assert not json.loads(_status(governed, capsys, "--format", "json"))["layers"]["os_sandbox"][
        "network"
    ]
    monkeypatch.setenv("CHARTER_ALLOW_NET", "1")
    assert json.loads(_status(governed, capsys, "--format", "json"))["layers"]["os_sandbox"][
        "network"
    ]


def test_a_sandbox_switched_off_is_reported(
    governed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = governed / "docs/agents/AUTONOMY.md"
    policy.write_text(
        policy.read_text().replace("default_level: L1", "default_level: L1\nsandbox: off")
    )
    start_session(governed, "L1")
    assert "OS sandbox under `charter run`: off (the policy says so)" in _status(governed, capsys)


def test_the_handoff_line_depends_on_the_repository_only(governed: Path) -> None:
    policy = load_policy(governed / "docs/agents/AUTONOMY.md")
    line = handoff_line(repository_layers(governed, policy))
    assert line == (
        "guard: `charter run` only (no agent hook exported: `charter export`); "
        "agent sandboxes: none exported; OS sandbox under `charter run`: `sandbox: auto` "
        "in the policy"
    )
