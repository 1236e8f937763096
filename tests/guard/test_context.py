"""charter.guard.context and .api: the repository, the level, and failing closed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charter.errors import CharterError
from charter.guard.api import check_command
from charter.guard.context import resolve_level
from charter.state.active import ACTIVE_SESSION, read_active_session
from tests.guard.helpers import compiled


def _session(repo: Path, data: object) -> None:
    path = repo / ACTIVE_SESSION
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")


SESSION = {
    "id": "2026-11-21_session-0001",
    "log": "docs/agents/sessions/2026-11-21_session-0001.md",
    "task": "CH-X-1",
    "level": "L2",
    "approved_by": "alice",
    "agent": "claude-code",
    "started": "2026-11-21T10:00:00+00:00",
}


@pytest.mark.parametrize(
    ("explicit", "session", "level"),
    [
        (None, None, "L1"),
        ("L0", None, "L0"),
        ("L3", SESSION, "L3"),  # an explicit level wins (charter guard --level)
        (None, SESSION, "L2"),
        (None, {**SESSION, "level": "L0", "approved_by": ""}, "L0"),  # lowering needs no approval
        (None, {**SESSION, "level": "L1", "approved_by": None}, "L1"),
    ],
)
def test_level_resolution(explicit: str | None, session: dict[str, str] | None, level: str) -> None:
    assert resolve_level(compiled(), explicit, session)[0] == level


@pytest.mark.parametrize(
    ("explicit", "session", "message"),
    [
        ("L9", None, "unknown level 'L9'"),
        (None, {**SESSION, "level": "L9"}, "not in the policy"),
        (None, {**SESSION, "approved_by": ""}, "without an approval"),
        (None, {k: v for k, v in SESSION.items() if k != "approved_by"}, "without an approval"),
    ],
)
def test_level_resolution_refuses(
    explicit: str | None, session: dict[str, str] | None, message: str
) -> None:
    with pytest.raises(CharterError, match=message):
        resolve_level(compiled(), explicit, session)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        (json.dumps({**SESSION, "level": 2}), "no 'level'"),
        (json.dumps({k: v for k, v in SESSION.items() if k != "id"}), "no 'id'"),
        (json.dumps({**SESSION, "id": "../../etc"}), "not a plain name"),
        ("\xff", "not valid JSON"),
    ],
)
def test_a_damaged_active_session_is_an_error(repo: Path, content: str, message: str) -> None:
    _session(repo, content)
    with pytest.raises(CharterError, match=message):
        read_active_session(str(repo))


def test_no_active_session(repo: Path) -> None:
    assert read_active_session(str(repo)) is None


def test_the_active_session_sets_the_level(repo: Path) -> None:
    _session(repo, SESSION)
    outcome = check_command("make bench", cwd=str(repo))
    assert outcome.decision.allowed
    assert outcome.decision.level == "L2"
    assert outcome.decision.level_source == "active session 2026-11-21_session-0001"


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda r: _session(r, "{broken"), "not valid JSON"),
        (lambda r: _session(r, {**SESSION, "approved_by": ""}), "without an approval"),
        (lambda r: (r / "docs/agents/AUTONOMY.md").write_text("---\nx: 1\n---\n"), "unknown key"),
        (lambda r: (r / "docs/agents/AUTONOMY.md").unlink(), "no autonomy policy"),
        (lambda r: (r / "charter.toml").write_text("policy = 5\n"), "policy"),
    ],
)
def test_every_command_is_denied_when_the_setup_is_broken(
    repo: Path, setup: object, reason: str
) -> None:
    setup(repo)  # type: ignore[operator]
    decision = check_command("git status", cwd=str(repo)).decision
    assert not decision.allowed
    assert reason in decision.reason
    assert "every command is denied" in decision.reason


def test_a_working_directory_outside_the_repository_is_denied(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    decision = check_command("git status", cwd=str(outside), root=str(repo)).decision
    assert not decision.allowed
    assert "outside the repository" in decision.reason


def test_a_subdirectory_resolves_paths_from_there(repo: Path) -> None:
    assert check_command("cat app.py", cwd=str(repo / "src")).decision.allowed
    assert not check_command("cat ../.env", cwd=str(repo / "src")).decision.allowed


def test_the_policy_path_comes_from_the_configuration(repo: Path) -> None:
    (repo / "governance").mkdir()
    (repo / "docs/agents/AUTONOMY.md").rename(repo / "governance/policy.md")
    (repo / "charter.toml").write_text('policy = "governance/policy.md"\n', encoding="utf-8")
    outcome = check_command("git status", cwd=str(repo))
    assert outcome.decision.allowed
    assert outcome.policy_path == "governance/policy.md"
    # editing the configuration is seen at once (the cached policy path is keyed by it)
    (repo / "charter.toml").write_text('policy = "missing.md"\n', encoding="utf-8")
    assert not check_command("git status", cwd=str(repo)).decision.allowed
