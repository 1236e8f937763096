"""`charter session abort --reason`: a session that cannot end can be left, losing nothing."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from charter.commands.session import session as session_group
from charter.config import Config
from charter.errors import CharterError
from charter.sessions.abort import abort_session
from charter.sessions.end import end_session
from charter.sessions.preconditions import Request
from charter.sessions.start import start_session
from charter.state.session import ACTIVE_FILE, read_active


def _start(repo: Config, task: str = "CO-2") -> str:
    result = start_session(repo, Request(task, agent="codex"), {})
    assert result.session is not None, [str(f) for f in result.findings.failures]
    return result.session.log


def test_a_session_with_placeholders_cannot_end_but_can_be_aborted(repo: Config) -> None:
    log = _start(repo)
    path = repo.root / log
    path.write_text(path.read_text("utf-8") + "\nnotes the agent wrote\n", "utf-8")
    before = path.read_text("utf-8")
    plans_before = (repo.root / "docs/plans/core.md").read_bytes()
    assert not end_session(repo).ended
    assert not end_session(repo, blocked="no idea").ended

    result = abort_session(repo, "  started by mistake\n during the tour ")

    assert read_active(repo.root) is None and not (repo.root / ACTIVE_FILE).exists()
    after = path.read_text("utf-8")
    assert (
        "status: aborted" in after and "aborted_reason: started by mistake during the tour" in after
    )
    assert "ended: " in after
    # nothing lost: every line the session had is still there, in order
    kept = [
        line
        for line in after.splitlines()
        if not line.startswith(("status:", "ended:", "aborted_reason:"))
    ]
    assert [
        line for line in before.splitlines() if not line.startswith(("status:", "ended:"))
    ] == kept
    assert (repo.root / "docs/plans/core.md").read_bytes() == plans_before
    assert log in result.written
    # and a new session can start
    _start(repo)


def test_the_aborted_log_passes_charter_check(repo: Config) -> None:
    from charter.cli import main

    log = _start(repo)
    abort_session(repo, "agent crashed")
    assert main(["check", str(repo.root / log), "--repo", str(repo.root)]) == 0


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_abort_needs_a_reason(repo: Config, reason: str) -> None:
    _start(repo)
    with pytest.raises(CharterError, match="--reason needs a text"):
        abort_session(repo, reason)
    assert read_active(repo.root) is not None


def test_abort_without_a_session_says_so(repo: Config) -> None:
    with pytest.raises(CharterError, match="no active session"):
        abort_session(repo, "nothing to abort")


def test_a_missing_log_still_lets_the_session_go(repo: Config) -> None:
    log = _start(repo)
    (repo.root / log).unlink()
    result = abort_session(repo, "log deleted")
    assert not result.log_closed and read_active(repo.root) is None


def test_the_command_reports_what_it_wrote(repo: Config) -> None:
    log = _start(repo)
    runner = CliRunner()
    out = runner.invoke(
        session_group,
        ["abort", "--reason", "tour", "--format", "json", "--repo", str(repo.root)],
        standalone_mode=False,
    )
    assert out.return_value == 0, out.output
    data = json.loads(out.output)
    assert data["status"] == "aborted" and data["log"] == log and log in data["written"]
    missing = runner.invoke(session_group, ["abort", "--repo", str(repo.root)])
    assert missing.exit_code == 2 and "--reason" in missing.output
