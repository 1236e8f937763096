"""The Claude Code Stop hook: block with the reason while the log is incomplete, let the
agent stop once it is (or when stop_hook_active says it is already continuing)."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from charter.commands.session import session as session_group
from charter.config import Config
from charter.sessions.hook import SessionCheck, check_session, claude_stop_decision, read_payload
from charter.sessions.logfile import Gap
from charter.sessions.preconditions import Request
from charter.sessions.start import start_session
from charter.state.session import ACTIVE_FILE
from tests.sessions.helpers import write


@pytest.mark.parametrize(
    ("payload", "state", "decision"),
    [
        ({"stop_hook_active": True}, "incomplete", None),
        ({"stop_hook_active": False}, "incomplete", "block"),
        ({}, "incomplete", "block"),
        ({"stop_hook_active": False}, "complete", None),
        ({"stop_hook_active": False}, "no session", None),
        ({"stop_hook_active": False}, "error", "block"),
        ({"stop_hook_active": True}, "error", None),
    ],
)
def test_the_stop_decision(payload: dict[str, object], state: str, decision: str | None) -> None:
    from charter.errors import CharterError
    from charter.state.session import ActiveSession

    active = ActiveSession("2026-01-02_session-0001", "docs/s.md", "CO-2", "L1", None, "a", "t")
    result: SessionCheck | Exception = {
        "incomplete": SessionCheck(active, (Gap("docs/s.md", 9, "empty section: Plan"),)),
        "complete": SessionCheck(active, ()),
        "no session": SessionCheck(None, ()),
        "error": CharterError("not valid JSON", ACTIVE_FILE),
    }[state]
    answer = claude_stop_decision(payload, result)
    assert (answer or {}).get("decision") == decision
    if answer is not None:
        assert answer["reason"]
    if state == "incomplete" and answer is not None:
        assert "docs/s.md:9: empty section: Plan" in answer["reason"]
        assert "charter session end" in answer["reason"]


@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        ('{"stop_hook_active": true}', {"stop_hook_active": True}),
        ("not json", {}),
        ("[1, 2]", {}),
        ("", {}),
    ],
)
def test_an_unreadable_payload_reads_as_empty(stdin: str, expected: dict[str, object]) -> None:
    assert read_payload(stdin) == expected


def test_the_hook_command_blocks_then_allows(repo: Config) -> None:
    result = start_session(repo, Request("CO-2"), {})
    assert result.session is not None
    runner = CliRunner()
    args = ["check", "--hook", "claude-code", "--repo", str(repo.root)]

    blocked = runner.invoke(
        session_group, args, input='{"stop_hook_active": false}', standalone_mode=False
    )
    answer = json.loads(blocked.output)
    assert answer["decision"] == "block"
    assert f"{result.session.log}:" in answer["reason"]

    looping = runner.invoke(
        session_group, args, input='{"stop_hook_active": true}', standalone_mode=False
    )
    assert looping.output == ""

    log = repo.root / result.session.log
    log.write_text(re.sub(r"\(fill in[^)]*\)", "Done.", log.read_text("utf-8")), "utf-8")
    complete = runner.invoke(session_group, args, input="{}", standalone_mode=False)
    assert (complete.output, complete.return_value) == ("", 0)
    assert check_session(repo).complete


def test_the_hook_uses_the_payload_cwd_when_no_repo_is_given(
    repo: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    start_session(repo, Request("CO-2"), {})
    monkeypatch.chdir(repo.root.parent)
    payload = json.dumps({"stop_hook_active": False, "cwd": str(repo.root / "docs")})
    out = CliRunner().invoke(
        session_group, ["check", "--hook", "claude-code"], input=payload, standalone_mode=False
    )
    assert json.loads(out.output)["decision"] == "block"


def test_a_damaged_active_session_blocks_once_with_the_error(repo: Config) -> None:
    write(repo.root, ACTIVE_FILE, "{not json")
    out = CliRunner().invoke(
        session_group,
        ["check", "--hook", "claude-code", "--repo", str(repo.root)],
        input="{}",
        standalone_mode=False,
    )
    answer = json.loads(out.output)
    assert answer["decision"] == "block" and "not valid JSON" in answer["reason"]


def test_check_without_a_hook_exits_1_while_incomplete(repo: Config) -> None:
    runner = CliRunner()
    args = ["check", "--repo", str(repo.root)]
    assert runner.invoke(session_group, args, standalone_mode=False).return_value == 0
    start_session(repo, Request("CO-2"), {})
    result = runner.invoke(session_group, args, standalone_mode=False)
    assert result.return_value == 1 and "placeholder still in the log" in result.output
