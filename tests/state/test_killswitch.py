"""The kill switch: every decision denies, at once, whatever the level, cache or agent does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from charter.cli import main
from charter.config import Config
from charter.guard.api import check_command
from charter.guard.hooks import handle
from charter.state.events import read_events
from charter.state.killswitch import engage, read_stop
from tests.safety.helpers import NOW, charter_process, notified, start, wait_for

STOPPED = "the kill switch is engaged"


def _guard(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The guard as the generated hooks run it: `python -I -m charter.guard`."""
    return subprocess.run(
        [sys.executable, "-I", "-m", "charter.guard", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("content", "reason", "problem"),
    [
        ('{"reason": "deploy freeze", "by": "alice", "at": "T"}', "deploy freeze", None),
        ("", "(no reason given)", None),
        ('{"reason": "  "}', "(no reason given)", None),
        ("{garbled", "(reason unknown)", ".charter/STOP is not a JSON object"),
        ('["a list"]', "(reason unknown)", ".charter/STOP is not a JSON object"),
        (b"\xff\xfe", "(reason unknown)", ".charter/STOP is not a JSON object"),
    ],
)
def test_any_stop_file_stops(
    tmp_path: Path, content: str | bytes, reason: str, problem: str | None
) -> None:
    (tmp_path / ".charter").mkdir()
    data = content if isinstance(content, bytes) else content.encode()
    (tmp_path / ".charter/STOP").write_bytes(data)
    stop = read_stop(str(tmp_path))
    assert stop is not None
    assert (stop.reason, stop.problem) == (reason, problem)


def test_an_unreadable_stop_file_stops(tmp_path: Path) -> None:
    (tmp_path / ".charter/STOP").mkdir(parents=True)  # a directory cannot be read as a file
    stop = read_stop(str(tmp_path))
    assert stop is not None and stop.problem is not None
    assert "it stops everything all the same" in stop.denial()


def test_no_stop_file_no_stop(tmp_path: Path) -> None:
    assert read_stop(str(tmp_path)) is None


@pytest.mark.parametrize("level", ["L0", "L1", None])
def test_every_command_is_denied_at_every_level(repo: Config, level: str | None) -> None:
    assert check_command(["ls"], level=level).decision.allowed  # warms the policy cache
    engage(str(repo.root), reason="deploy freeze", by="alice", at=NOW)
    for command in (["ls"], "git status", ["true"]):
        decision = check_command(command, level=level).decision
        assert not decision.allowed
        assert decision.reason.startswith(
            f"{STOPPED} by alice at {NOW}: deploy freeze. Every command and file change is "
            "denied until a person runs `charter resume --approved-by NAME`: stop now"
        )
    wait_for(lambda: notified(repo.root))  # let the detached escalation finish


def test_it_denies_even_with_a_broken_policy(repo: Config) -> None:
    (repo.root / repo.policy).write_text("not a policy\n", "utf-8")
    (repo.root / ".charter").mkdir(exist_ok=True)
    (repo.root / ".charter/STOP").write_text("", "utf-8")
    decision = check_command(["ls"]).decision
    assert not decision.allowed and decision.reason.startswith(STOPPED)


def test_the_hook_process_denies_shell_and_file_tools(repo: Config) -> None:
    assert _guard(repo.root, "--", "ls").returncode == 0
    engage(str(repo.root), reason="audit", by="ops", at=NOW)
    result = _guard(repo.root, "--", "ls")
    assert result.returncode == 2
    assert f"{STOPPED} by ops at {NOW}: audit" in result.stderr
    for tool, tool_input in (
        ("Bash", {"command": "ls"}),
        ("Read", {"file_path": "README.md"}),
        ("Edit", {"file_path": "README.md"}),
    ):
        request = {"cwd": str(repo.root), "tool_name": tool, "tool_input": tool_input}
        answer = handle("claude-code", json.dumps(request).encode(), root=str(repo.root))
        assert answer.exit_code == 2
        decision = json.loads(answer.stdout)["hookSpecificOutput"]
        assert decision["permissionDecision"] == "deny"
        assert STOPPED in decision["permissionDecisionReason"]
    wait_for(lambda: notified(repo.root))


def test_it_takes_effect_on_the_next_decision_of_a_running_session(
    repo: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    session = start(repo)
    assert main(["run", "--", "true"]) == 0
    assert main(["stop", "--reason", "wrong branch", "--by", "alice"]) == 0
    out = capsys.readouterr().out
    assert "charter stop: kill switch engaged by alice: every command is denied" in out
    assert "charter stop: escalated (kill-switch): CO-1 blocked; notified" in out
    assert main(["run", "--", "true"]) == 2
    assert main(["guard", "--", "ls"]) == 2
    assert f"{STOPPED} by alice at {NOW}: wrong branch" in capsys.readouterr().err
    assert main(["resume", "--approved-by", "bob"]) == 0
    out = capsys.readouterr().out
    assert "charter resume: kill switch lifted (it said: wrong branch)" in out
    assert "CO-1 is still Blocked" in out
    assert main(["run", "--", "true"]) == 0
    events = [(e["event"], e["by"]) for e in read_events(repo.root, session.id)]
    assert events == [("stop", "alice"), ("kill-switch", "alice"), ("resume", "bob")]
    log = (repo.root / session.log).read_text("utf-8")
    assert "| 2 | 2026-03-04T05:06:07Z | kill-switch | alice | kill switch: wrong branch |" in log
    assert "| 3 | 2026-03-04T05:06:07Z | resume | bob | kill switch lifted" in log
    (payload,) = notified(repo.root)
    assert payload["event"] == "kill-switch" and payload["reason"] == "kill switch: wrong branch"


def test_stop_while_a_command_runs_denies_the_one_after_it(repo: Config) -> None:
    """A running command is not killed; the agent's next command is denied."""
    start(repo)
    marker = repo.root / "started"
    script = f"import pathlib, time; pathlib.Path({str(marker)!r}).touch(); time.sleep(1.5)"
    # the policy does not allow python: run it directly, as an already-running agent command
    running = subprocess.Popen([sys.executable, "-c", script], cwd=repo.root)
    wait_for(marker.exists)
    assert main(["stop", "--reason", "runaway", "--by", "ops"]) == 0
    assert running.wait(timeout=30) == 0
    assert not check_command(["ls"]).decision.allowed


def test_a_touched_stop_file_escalates_exactly_once(repo: Config) -> None:
    start(repo)
    (repo.root / ".charter/STOP").write_text("", "utf-8")
    processes = [charter_process(repo.root, "guard", "--", "ls") for _ in range(6)]
    assert [p.wait(timeout=120) for p in processes] == [2] * 6
    wait_for(lambda: notified(repo.root))
    wait_for(lambda: any(e["event"] == "kill-switch" for e in _events(repo)))
    assert main(["guard", "--", "ls"]) == 2
    (payload,) = notified(repo.root)
    assert payload["reason"] == "kill switch: (no reason given)"
    assert [e["by"] for e in _events(repo)] == ["charter"]


def _events(repo: Config) -> list[dict[str, object]]:
    active = json.loads((repo.root / ".charter/active-session.json").read_text("utf-8"))
    return read_events(repo.root, active["id"])


def test_a_second_stop_changes_nothing(repo: Config, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stop", "--reason", "first", "--by", "a"]) == 0
    before = (repo.root / ".charter/STOP").read_bytes()
    assert main(["stop", "--reason", "second", "--by", "b"]) == 0
    assert "already engaged (by a at" in capsys.readouterr().out
    assert (repo.root / ".charter/STOP").read_bytes() == before
    assert len(notified(repo.root)) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["resume"], "Missing option '--approved-by'"),
        (["resume", "--approved-by", "  "], "--approved-by needs a value"),
        (["stop", "--reason", ""], "--reason needs a value"),
    ],
)
def test_usage_errors(
    repo: Config, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_resume_without_a_stop_is_an_error(
    repo: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["resume", "--approved-by", "bob"]) == 2
    assert "the kill switch is not engaged: there is nothing to resume" in capsys.readouterr().err


def test_agents_cannot_resume_or_lift_the_switch(repo: Config) -> None:
    engage(str(repo.root), reason="x", by="ops", at=NOW)
    (repo.root / ".charter/STOP").unlink()  # judge the commands themselves, not the switch
    for command in (
        "charter resume --approved-by me",
        "rm .charter/STOP",
        "cat README.md > .charter/STOP",
    ):
        decision = check_command(command, level="L1").decision
        assert not decision.allowed, command
    assert os.path.exists(repo.root / ".charter")


def test_the_stop_hook_lets_a_stopped_agent_stop(
    repo: Config, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claude Code's Stop hook blocks stopping while the log is incomplete, except when the
    kill switch is engaged: the guard then denies the edits that would complete it."""
    import io

    start(repo)
    stdin = '{"stop_hook_active": false}'
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main(["session", "check", "--hook", "claude-code"]) == 0
    assert '"decision": "block"' in capsys.readouterr().out
    engage(str(repo.root), reason="stop", by="ops", at=NOW)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main(["session", "check", "--hook", "claude-code"]) == 0
    assert capsys.readouterr().out == ""
