"""`charter escalate`: the task blocked, the log and plan updated, the notifier told exactly."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from charter.board.regenerate import regenerate_board
from charter.cli import main
from charter.config import Config
from charter.handoff.regenerate import check_handoff
from charter.safety.escalate import notify
from charter.state.events import read_events
from tests.safety.helpers import notified, set_policy, start, write


def test_the_notifier_receives_the_exact_payload(
    repo: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    session = start(repo)
    code = main(["escalate", "--reason", "the schema needs a decision", "--by", "claude-code"])
    assert code == 0
    assert notified(repo.root) == [
        {
            "event": "escalation",
            "task": "CO-1",
            "session": session.id,
            "level": "L1",
            "reason": "the schema needs a decision",
            "repo": str(repo.root),
        }
    ]
    out = capsys.readouterr().out
    assert "charter escalate: escalated (escalation): CO-1 blocked; notified" in out
    assert f"charter escalate: recorded in {session.log}" in out


def test_the_task_is_blocked_and_the_derived_files_follow(repo: Config) -> None:
    session = start(repo)
    assert main(["escalate", "--reason", "needs access to the staging database"]) == 0
    plan = (repo.root / "docs/plans/core.md").read_text("utf-8")
    assert (
        "- [ ] **CO-1** Build the feature\n  - Status: Blocked\n"
        "  - Acceptance: the feature works\n"
        "  - Blocked reason: needs access to the staging database\n"
    ) in plan
    assert regenerate_board(repo, check=True).diff == ""
    assert check_handoff(repo).up_to_date
    (event,) = read_events(repo.root, session.id)
    assert event["event"] == "escalation"
    assert event["outcome"] == "CO-1 blocked; notified"


def test_a_failing_notifier_is_reported_and_unblocks_nothing(
    repo: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    session = start(repo)
    write(repo.root, "notify-exit", "3")
    assert main(["escalate", "--reason", "stuck"]) == 1
    captured = capsys.readouterr()
    assert "CO-1 blocked; notifier failed: exit 3: the chat service is down" in captured.out
    assert "failed: exit 3: the chat service is down" in captured.err
    assert "  - Status: Blocked" in (repo.root / "docs/plans/core.md").read_text("utf-8")
    (event,) = read_events(repo.root, session.id)
    assert event["outcome"] == "CO-1 blocked; notifier failed: exit 3: the chat service is down"
    assert len(notified(repo.root)) == 1  # it was called, with the payload


@pytest.mark.parametrize(
    ("notify_setting", "detail"),
    [
        ('["no-such-notifier-program"]', "cannot start it"),
        ('"exit 4"', "exit 4"),
    ],
)
def test_a_notifier_that_cannot_run_is_reported(
    repo: Config, capsys: pytest.CaptureFixture[str], notify_setting: str, detail: str
) -> None:
    set_policy(repo, notify=notify_setting)
    start(repo)
    assert main(["escalate", "--reason", "stuck"]) == 1
    assert f"notifier failed: {detail}" in capsys.readouterr().out


def test_a_hanging_notifier_is_stopped(tmp_path: Path) -> None:
    result = notify([sys.executable, "-c", "import time; time.sleep(30)"], {}, tmp_path, 0.5)
    assert not result.ok
    assert result.detail == "no answer within 0.5 s; it was stopped"


def test_a_shell_notifier_reads_the_payload(tmp_path: Path) -> None:
    result = notify("cat > payload.json", {"event": "escalation"}, tmp_path)
    assert result.ok
    assert json.loads((tmp_path / "payload.json").read_text()) == {"event": "escalation"}


def test_without_a_session_the_named_task_is_blocked(
    repo: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["escalate", "--reason", "waiting on legal", "--task", "CO-1"]) == 0
    assert notified(repo.root)[0]["session"] is None
    assert notified(repo.root)[0]["level"] is None
    assert "Blocked reason: waiting on legal" in (repo.root / "docs/plans/core.md").read_text()
    assert "recorded in" not in capsys.readouterr().out


def test_a_done_task_is_not_reopened(repo: Config, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["escalate", "--reason", "regression found", "--task", "CO-2"]) == 0
    out = capsys.readouterr().out
    assert "task CO-2 is done, so it was not moved to Blocked" in out
    assert "Blocked" not in (repo.root / "docs/plans/core.md").read_text()


def test_an_unknown_task_is_refused_before_anything_happens(
    repo: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (repo.root / "docs/plans/core.md").read_bytes()
    assert main(["escalate", "--reason", "x", "--task", "CO-99"]) == 2
    assert "CO-99" in capsys.readouterr().err
    assert (repo.root / "docs/plans/core.md").read_bytes() == before
    assert notified(repo.root) == []


def test_no_notifier_configured(repo: Config, capsys: pytest.CaptureFixture[str]) -> None:
    text = (repo.root / repo.policy).read_text("utf-8")
    (repo.root / repo.policy).write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith("notify:")) + "\n"
    )
    assert main(["escalate", "--reason", "stuck", "--task", "CO-1"]) == 0
    assert "CO-1 blocked; no notifier configured" in capsys.readouterr().out


def test_a_log_without_the_region_gets_it_appended_and_nothing_else_changes(
    repo: Config,
) -> None:
    session = start(repo)
    log = repo.root / session.log
    before = log.read_text("utf-8")
    assert "charter:begin safety" not in before
    assert main(["escalate", "--reason", "a | pipe and <!-- charter:end safety -->"]) == 0
    after = log.read_text("utf-8")
    assert after.startswith(before)
    added = after[len(before) :]
    assert added.startswith("\n## Safety events\n\n<!-- charter:begin safety -->\n")
    assert "a \\| pipe and &lt;!-- charter:end safety -->" in added
    assert after.count("<!-- charter:end safety -->") == 1
    assert main(["escalate", "--reason", "again"]) == 0
    again = log.read_text("utf-8")
    assert again.count("## Safety events") == 1
    assert "| 2 |" in again
