"""Session budgets: counted under a lock, exact at the limit, and every later command denied."""

from __future__ import annotations

import json
import time

import pytest

from charter.cli import main
from charter.config import Config
from charter.guard.api import check_command
from charter.state import budget
from charter.state.events import read_events
from tests.safety.helpers import charter_process, notified, set_policy, start, wait_for

DENIED = "budget spent: stop and escalate"


def _state(config: Config, session_id: str) -> dict[str, object]:
    return budget.read_state(str(config.root), session_id)


@pytest.mark.parametrize(
    ("state", "limits", "expected"),
    [
        ({"commands": 4}, {"max_commands": 5}, None),
        (
            {"commands": 5},
            {"max_commands": 5},
            "the session has run 5 of 5 commands (max_commands)",
        ),
        (
            {"consecutive_failures": 3},
            {"max_consecutive_failures": 3},
            "the last 3 commands failed in a row (max_consecutive_failures: 3)",
        ),
        ({"consecutive_failures": 2}, {"max_consecutive_failures": 3}, None),
        (
            {"test_failures": 2},
            {"max_test_failures": 2},
            "the tests failed 2 times (max_test_failures: 2)",
        ),
        ({}, {"max_minutes": 61}, None),
        ({}, {"max_minutes": 60}, "the session started 60 minutes ago (max_minutes: 60)"),
        ({"commands": 99}, {}, None),
    ],
)
def test_each_budget_is_spent_exactly_at_its_limit(
    state: dict[str, int], limits: dict[str, int], expected: str | None
) -> None:
    full = {**budget.empty_state(), **state}
    started = "2026-01-01T10:00:00Z"
    now = 1767261600.0 + 60 * 60  # 2026-01-01T10:00:00Z plus one hour
    reason = budget.spent_reason(full, limits, started, now, "L1")
    if expected is None:
        assert reason is None
    else:
        assert reason == f"at level L1, {expected}"


def test_the_denial_says_tests_still_fail() -> None:
    state = {
        **budget.empty_state(),
        "test_failures": 3,
        "last_test": {"command": "make test", "exit_code": 2, "at": "2026-03-04T05:06:07Z"},
    }
    reason = budget.spent_reason(state, {"max_test_failures": 3}, None, 0.0, "L1")
    assert reason is not None
    assert budget.denial(reason) == (
        "budget spent: stop and escalate: at level L1, the tests failed 3 times "
        "(max_test_failures: 3). Tests still failing: `make test` exited 2 at "
        "2026-03-04T05:06:07Z. The task is escalated to a person: record in the session log "
        "what you did, what failed (with its output) and what is left, then stop"
    )


def test_an_allowed_command_counts_once_and_a_denied_one_not_at_all(repo: Config) -> None:
    session = start(repo)
    assert check_command(["git", "status"]).decision.allowed
    assert not check_command(["curl", "example.com"]).decision.allowed
    assert check_command("ls && cat README.md").decision.allowed  # one decision, one command
    assert _state(repo, session.id)["commands"] == 2


def test_explain_and_a_charter_run_wrapper_are_not_counted(repo: Config) -> None:
    """`charter run CMD` is counted by charter run's own decision on CMD, not by the hook's."""
    session = start(repo)
    assert check_command(["charter", "run", "--", "ls"]).decision.allowed
    assert _state(repo, session.id)["commands"] == 0
    assert main(["guard", "--explain", "--", "ls"]) == 0
    assert _state(repo, session.id)["commands"] == 0
    assert main(["run", "--", "true"]) == 0
    assert _state(repo, session.id)["commands"] == 1


def test_without_a_session_nothing_is_counted(repo: Config) -> None:
    set_policy(repo, "{max_commands: 1}")
    for _ in range(3):
        assert check_command(["ls"]).decision.allowed
    assert not (repo.root / ".charter" / "sessions").exists()


def test_a_command_budget_denies_the_next_command_and_is_recorded(
    repo: Config, capfd: pytest.CaptureFixture[str]
) -> None:
    set_policy(repo, "{max_commands: 2}")
    session = start(repo)
    assert main(["run", "--", "true"]) == 0
    assert main(["run", "--", "true"]) == 0
    out = capfd.readouterr()
    assert f"{DENIED}: at level L1, the session has run 2 of 2 commands (max_commands)" in out.err
    assert main(["run", "--", "ls"]) == 2
    assert main(["guard", "--", "git", "status"]) == 2
    assert f"{DENIED}: at level L1, the session has run 2 of 2" in capfd.readouterr().err
    # the escalation happened once, inline in the run that spent the budget
    (event,) = read_events(repo.root, session.id)
    assert event["event"] == "budget-spent"
    assert event["reason"] == (
        "budget spent: at level L1, the session has run 2 of 2 commands (max_commands)"
    )
    log = (repo.root / session.log).read_text("utf-8")
    assert "| 1 | 2026-03-04T05:06:07Z | budget-spent | charter | budget spent:" in log
    assert len(notified(repo.root)) == 1


def test_raising_the_limit_lets_the_session_continue(repo: Config) -> None:
    set_policy(repo, "{max_commands: 1}")
    start(repo)
    assert check_command(["ls"]).decision.allowed
    assert not check_command(["ls"]).decision.allowed
    set_policy(repo, "{max_commands: 3}")
    assert check_command(["ls"]).decision.allowed


def test_consecutive_failures_count_until_a_success(repo: Config) -> None:
    set_policy(repo, "{max_consecutive_failures: 2}")
    session = start(repo)
    assert main(["run", "--", "false"]) == 1
    assert main(["run", "--", "true"]) == 0  # ends the run of failures
    assert main(["run", "--", "false"]) == 1
    assert _state(repo, session.id)["consecutive_failures"] == 1
    assert check_command(["ls"]).decision.allowed
    assert main(["run", "--", "false"]) == 1
    decision = check_command(["ls"]).decision
    assert not decision.allowed
    assert decision.reason.startswith(
        f"{DENIED}: at level L1, the last 2 commands failed in a row (max_consecutive_failures: 2)"
    )


def test_the_time_budget(repo: Config) -> None:
    set_policy(repo, "{max_minutes: 30}")
    session = start(repo)
    path = repo.root / ".charter/active-session.json"
    assert check_command(["ls"]).decision.allowed
    # the budget counts real minutes since `started_epoch` (the real clock at session
    # start): neither CHARTER_NOW nor the log's `started` can hide time
    active = json.loads(path.read_text("utf-8"))
    active["started_epoch"] = time.time() - 31 * 60
    path.write_text(json.dumps(active), "utf-8")
    decision = check_command(["ls"]).decision
    assert not decision.allowed
    assert "started 31 minutes ago (max_minutes: 30)" in decision.reason
    assert session.id == active["id"]


def test_the_time_budget_without_a_real_start_falls_back_to_started(repo: Config) -> None:
    set_policy(repo, "{max_minutes: 30}")
    start(repo)  # started at the pinned CHARTER_NOW, long before the real clock
    path = repo.root / ".charter/active-session.json"
    active = json.loads(path.read_text("utf-8"))
    del active["started_epoch"]  # a session file written before started_epoch existed
    path.write_text(json.dumps(active), "utf-8")
    decision = check_command(["ls"]).decision
    assert not decision.allowed and "minutes ago (max_minutes: 30)" in decision.reason


def test_damaged_counters_deny(repo: Config) -> None:
    session = start(repo)
    path = repo.root / ".charter/sessions" / session.id / "budget.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", "utf-8")
    decision = check_command(["ls"]).decision
    assert not decision.allowed
    assert decision.reason.startswith(
        f".charter/sessions/{session.id}/budget.json is not valid JSON"
    )
    assert "every command is denied until a person repairs the budget counters" in decision.reason


def test_eight_concurrent_runs_spend_a_command_budget_exactly(repo: Config) -> None:
    set_policy(repo, "{max_commands: 5}")
    session = start(repo)
    processes = [charter_process(repo.root, "run", "--", "true") for _ in range(8)]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in processes]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 0, 0, 0, 0, 2, 2, 2]
    for code, err in results:
        if code == 2:
            assert f"{DENIED}: at level L1, the session has run 5 of 5 commands" in err
    assert _state(repo, session.id)["commands"] == 5
    # exactly one escalation, whichever process spent the budget
    wait_for(lambda: notified(repo.root))
    time.sleep(0.5)
    assert [n["event"] for n in notified(repo.root)] == ["budget-spent"]
    records = (repo.root / ".charter/sessions" / session.id / "commands.jsonl").read_text()
    assert len(records.splitlines()) == 8


def test_eight_concurrent_failing_test_runs_are_all_counted(repo: Config) -> None:
    # The limit is out of reach while the eight run, so that none is denied however the
    # machine schedules them (a slow start would otherwise meet the spent budget), and the
    # count shows whether any concurrent update was lost.
    set_policy(repo, "{max_test_failures: 100}")
    session = start(repo)
    processes = [charter_process(repo.root, "run", "--", "make", "test") for _ in range(8)]
    codes = [p.wait(timeout=120) for p in processes]
    assert codes == [2] * 8
    state = _state(repo, session.id)
    assert state["test_failures"] == 8
    assert state["consecutive_failures"] == 8
    set_policy(repo, "{max_test_failures: 3}")
    decision = check_command(["ls"]).decision
    assert decision.reason.startswith(
        f"{DENIED}: at level L1, the tests failed 8 times (max_test_failures: 3)"
    )
    assert "Tests still failing: `make test` exited 2" in decision.reason
    wait_for(lambda: notified(repo.root))
    time.sleep(0.5)
    assert [n["event"] for n in notified(repo.root)] == ["budget-spent"]


def test_the_counters_file_is_plain_json(repo: Config) -> None:
    session = start(repo)
    main(["run", "--", "make", "test"])
    data = json.loads((repo.root / ".charter/sessions" / session.id / "budget.json").read_text())
    assert data == {
        "commands": 1,
        "consecutive_failures": 1,
        "test_failures": 1,
        "last_test": {"command": "make test", "exit_code": 2, "at": "2026-03-04T05:06:07Z"},
    }


def test_a_hook_only_agent_is_escalated_once_by_the_guard(repo: Config) -> None:
    """No `charter run`: the first denial starts a detached escalation, later ones do not."""
    set_policy(repo, "{max_commands: 2}")
    session = start(repo)
    assert check_command(["ls"]).decision.allowed
    assert check_command(["ls"]).decision.allowed
    for _ in range(4):
        assert check_command(["ls"]).decision.reason.startswith(DENIED)
    wait_for(lambda: read_events(repo.root, session.id))
    (event,) = read_events(repo.root, session.id)
    assert (event["event"], event["by"]) == ("budget-spent", "charter")
    assert [n["event"] for n in notified(repo.root)] == ["budget-spent"]
    marker = repo.root / ".charter/escalations" / f"budget-{session.id}.json"
    assert json.loads(marker.read_text())["event"] == "budget-spent"


def test_session_status_shows_the_budget_and_the_switch(
    repo: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    set_policy(repo, "{max_commands: 10, max_test_failures: 2}")
    start(repo)
    assert main(["run", "--", "make", "test"]) == 2
    capsys.readouterr()
    assert main(["session", "status"]) == 0
    out = capsys.readouterr().out
    assert "  budget: 1 of 10 commands, 1 of 2 failed test runs\n" in out
    assert "kill switch" not in out
    assert main(["stop", "--reason", "lunch", "--by", "ops"]) == 0
    capsys.readouterr()
    assert main(["session", "status", "--format", "json"]) == 0
    safety = json.loads(capsys.readouterr().out)["safety"]
    assert safety["stop"] == {"reason": "lunch", "by": "ops", "at": "2026-03-04T05:06:07Z"}
    assert safety["budget"] == {"max_commands": [1, 10], "max_test_failures": [1, 2]}
    assert safety["spent"] is None


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-02T03:04:05Z",
        "1999-12-31T23:59:59Z",
        "2000-02-29T12:00:00+02:00",
        "2026-11-21T14:45:44.250-05:30",
        "2026-03-01 00:00:00+0100",
        "1970-01-01T00:00:00Z",
    ],
)
def test_the_guards_clock_reads_iso_times_like_datetime(text: str) -> None:
    from datetime import datetime

    assert budget.epoch(text) == datetime.fromisoformat(text).timestamp()


@pytest.mark.parametrize("text", ["2026-01-02T03:04:05", "yesterday", "2026-13-01T00:00:00Z", ""])
def test_a_time_without_a_zone_or_garbled_is_unreadable(text: str) -> None:
    assert budget.epoch(text) is None
