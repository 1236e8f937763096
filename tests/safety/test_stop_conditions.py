"""Each stop condition of the autonomy plan on its own, with the message the agent reads."""

from __future__ import annotations

import subprocess

import pytest

from charter.cli import main
from charter.config import Config
from charter.guard.api import check_command
from charter.safety.stop_conditions import decision_records_missing
from charter.state.events import read_events
from tests.safety.helpers import notified, set_policy, start, write


def _metrics(config: Config, rel: str, *values: int, key: str = "failed") -> None:
    write(config.root, rel, "".join(f'{{"{key}": {v}}}\n' for v in values))


def test_a_failed_blocking_gate_stops_and_escalates_once(
    repo: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    session = start(repo)
    _metrics(repo, ".runs/tests/run1.jsonl", 0, 2)
    _metrics(repo, ".runs/side/run1.jsonl", 0, key="errors")
    assert main(["gates"]) == 1
    err = capsys.readouterr().err
    assert (
        "STOP: blocking gate did not pass: max(failed) == 0 failed with 2 "
        "(docs/telemetry/GATES.md:7). Do not guess missing metrics or work around the gate: "
        "the task is escalated to a person. Record the gate results and the missing or failing "
        "data in the session log, then stop."
    ) in err
    assert "charter gates: escalated: CO-1 blocked; notified" in err
    assert main(["gates"]) == 1  # still failing: told again, escalated only once
    assert "STOP: blocking gate did not pass" in capsys.readouterr().err
    assert [n["event"] for n in notified(repo.root)] == ["gate-failed"]
    (event,) = read_events(repo.root, session.id)
    assert event["event"] == "gate-failed"
    assert "Blocked reason: blocking gate did not pass: max(failed) == 0 failed with 2" in (
        repo.root / "docs/plans/core.md"
    ).read_text("utf-8")


def test_a_blocking_gate_without_data_stops_too(
    repo: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    start(repo)
    _metrics(repo, ".runs/side/run1.jsonl", 0, key="errors")
    assert main(["gates"]) == 1
    err = capsys.readouterr().err
    assert "STOP: blocking gate did not pass: max(failed) == 0 lacks data: " in err
    assert "(docs/telemetry/GATES.md:7)" in err
    assert notified(repo.root)[0]["reason"].startswith(
        "blocking gate did not pass: max(failed) == 0 lacks data"
    )


def test_a_failing_gate_of_another_plan_does_not_stop_the_session(
    repo: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    start(repo)
    _metrics(repo, ".runs/tests/run1.jsonl", 0)
    _metrics(repo, ".runs/side/run1.jsonl", 5, key="errors")
    assert main(["gates"]) == 1  # the exit code still says a blocking gate failed
    assert "STOP" not in capsys.readouterr().err
    assert notified(repo.root) == []


def test_without_a_session_a_failed_gate_only_fails(
    repo: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    _metrics(repo, ".runs/tests/run1.jsonl", 1)
    assert main(["gates"]) == 1
    assert "STOP" not in capsys.readouterr().err
    assert notified(repo.root) == []


def test_tests_still_failing_when_the_budget_runs_out(
    repo: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    set_policy(repo, "{max_commands: 3}")
    start(repo)
    assert main(["run", "--", "make", "test"]) == 2
    assert main(["run", "--", "true"]) == 0
    assert main(["run", "--", "make", "test"]) == 2
    capsys.readouterr()
    decision = check_command(["make", "test"]).decision
    assert not decision.allowed
    assert decision.reason == (
        "budget spent: stop and escalate: at level L1, the session has run 3 of 3 commands "
        "(max_commands). Tests still failing: `make test` exited 2 at 2026-03-04T05:06:07Z. "
        "The task is escalated to a person: record in the session log what you did, what "
        "failed (with its output) and what is left, then stop"
    )
    assert "Tests still failing" in notified(repo.root)[0]["reason"]


def test_passing_tests_are_not_reported_as_failing(repo: Config) -> None:
    set_policy(repo, "{max_commands: 2}")
    start(repo)
    write(repo.root, "Makefile", "test:\n\t@echo ok\n")
    assert main(["run", "--", "make", "test"]) == 0
    assert main(["run", "--", "true"]) == 0
    reason = check_command(["ls"]).decision.reason
    assert reason.startswith("budget spent") and "Tests still failing" not in reason


def _git(repo: Config, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo.root), *args], check=True, capture_output=True)


def test_a_change_that_needs_a_decision_record_blocks_the_commit(
    repo: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo.root, "schemas/user.json", "{}\n")
    write(repo.root, "db/migrate.sql", "select 1;\n")
    _git(repo, "add", "schemas/user.json", "db/migrate.sql")
    assert main(["check", "schemas/user.json", "db/migrate.sql"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "db/migrate.sql:1:1: CH026 STOP: db/migrate.sql changes what the policy says needs a "
        "decision record ('*.sql' in needs_decision_record, docs/agents/AUTONOMY.md), and no new "
        "file under docs/adr/ comes with it: stop and write an ADR (add it in the same commit) "
        "before continuing",
        "schemas/user.json:1:1: CH026 STOP: schemas/user.json changes what the policy says needs "
        "a decision record ('schemas/**' in needs_decision_record, docs/agents/AUTONOMY.md), and "
        "no new file under docs/adr/ comes with it: stop and write an ADR (add it in the same "
        "commit) before continuing",
    ]
    write(repo.root, "docs/adr/0001-user-schema.md", "# Why the user schema changes\n")
    _git(repo, "add", "docs/adr/0001-user-schema.md")
    assert main(["check", "schemas/user.json", "db/migrate.sql"]) == 0


def test_ci_sees_the_branch_since_the_merge_base(
    repo: Config, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "base")
    _git(repo, "branch", "-M", "main")
    _git(repo, "switch", "-qc", "feature")
    write(repo.root, "schemas/order.json", "{}\n")
    _git(repo, "add", "schemas/order.json")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "schema")
    assert main(["check"]) == 0  # nothing staged, and no base ref known
    monkeypatch.setenv("CHARTER_BASE_REF", "main")
    assert main(["check"]) == 1
    assert "schemas/order.json:1:1: CH026 STOP" in capsys.readouterr().out
    write(repo.root, "docs/adr/0002-orders.md", "# Orders\n")
    _git(repo, "add", "docs/adr/0002-orders.md")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "adr")
    assert main(["check"]) == 0


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ([("M", "schemas/a.json")], ["schemas/a.json"]),
        ([("D", "schemas/a.json")], ["schemas/a.json"]),
        ([("M", "schemas/a.json"), ("A", "docs/adr/0003.md")], []),
        ([("M", "schemas/a.json"), ("M", "docs/adr/0001.md")], ["schemas/a.json"]),
        ([("M", "src/schemas.py")], []),
        ([("A", "sql/x.SQL")], ["sql/x.SQL"]),
        ([("M", "docs/adr/old.sql")], []),
    ],
)
def test_decision_record_matching(changes: list[tuple[str, str]], expected: list[str]) -> None:
    found = decision_records_missing(changes, ["schemas/**", "*.sql"])
    assert [n.path for n in found] == expected
