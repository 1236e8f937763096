"""Delivery statistics from a git history whose transitions and dates are known."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from charter.cli import _build_group
from charter.config import load_config
from charter.repo import load_repo
from charter.stats.compute import Stats, compute_stats

NOW = datetime(2025, 1, 31, 12, 0, tzinfo=UTC)


def plan(*tasks: tuple[str, str]) -> str:
    body = "".join(f"- [ ] **{tid}** Task {tid}\n  - Status: {status}\n" for tid, status in tasks)
    return "---\nid: PLAN-A\ntitle: A\n---\n" + body


def commit(root: Path, when: str, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(root), "commit", "-q", "-m", when], check=True, env=env)


# (commit date, statuses of ST-1..ST-3). Weeks start on Mondays: 2025-01-06, -13, -20.
HISTORY = [
    ("2025-01-06T09:00:00+00:00", [("ST-1", "Backlog"), ("ST-2", "Backlog"), ("ST-3", "Backlog")]),
    (
        "2025-01-07T09:00:00+00:00",
        [("ST-1", "In Progress"), ("ST-2", "Backlog"), ("ST-3", "Backlog")],
    ),
    (
        "2025-01-08T09:00:00+00:00",
        [("ST-1", "In Progress"), ("ST-2", "In Progress"), ("ST-3", "Backlog")],
    ),
    ("2025-01-09T21:00:00+00:00", [("ST-1", "Done"), ("ST-2", "Blocked"), ("ST-3", "Backlog")]),
    ("2025-01-14T09:00:00+00:00", [("ST-1", "Done"), ("ST-2", "In Progress"), ("ST-3", "Blocked")]),
    ("2025-01-16T09:00:00+00:00", [("ST-1", "Done"), ("ST-2", "Done"), ("ST-3", "Blocked")]),
]


@pytest.fixture
def history_repo(make_repo) -> Path:  # type: ignore[no-untyped-def]
    root: Path = make_repo({})
    for when, tasks in HISTORY:
        commit(root, when, {"docs/plans/a.md": plan(*tasks)})
    return root


def stats_of(root: Path, since: date | None = None) -> Stats:
    return compute_stats(load_repo(load_config(root), use_cache=False), since, NOW)


def test_known_transitions(history_repo: Path) -> None:
    s = stats_of(history_repo)
    assert (s.commits, s.history) == (6, True)
    assert s.throughput == [{"week": "2025-01-06", "done": 1}, {"week": "2025-01-13", "done": 1}]
    # ST-1: Jan 7 09:00 -> Jan 9 21:00 = 2.5 days; ST-2: Jan 8 09:00 -> Jan 16 09:00 = 8 days.
    assert [(t["task"], t["days"]) for t in s.cycle_time["tasks"]] == [("ST-1", 2.5), ("ST-2", 8.0)]
    assert s.cycle_time["count"] == 2
    assert s.cycle_time["p50"] == pytest.approx(5.25)
    assert s.cycle_time["p85"] == pytest.approx(2.5 + 0.85 * 5.5)
    assert s.cycle_time["mean"] == pytest.approx(5.25)
    # End of week 1: ST-1 Done, ST-2 Blocked, ST-3 Backlog. End of week 2: 2 Done, 1 Blocked.
    assert [
        (w["week"], w["Backlog"], w["In Progress"], w["Blocked"], w["Done"]) for w in s.wip
    ] == [("2025-01-06", 1, 0, 1, 1), ("2025-01-13", 0, 0, 1, 2)]
    # ST-2 was blocked from Jan 9 21:00 to Jan 14 09:00 (4.5 days); ST-3 since Jan 14 09:00.
    assert s.blocked == [
        {"task": "ST-2", "days": 4.5, "blocked_now": False},
        {
            "task": "ST-3",
            "days": pytest.approx(
                (NOW - datetime(2025, 1, 14, 9, tzinfo=UTC)).total_seconds() / 86400, abs=1e-4
            ),
            "blocked_now": True,
        },
    ]


def test_since_limits_weeks_completions_and_blocked_time(history_repo: Path) -> None:
    s = stats_of(history_repo, since=date(2025, 1, 13))
    assert s.throughput == [{"week": "2025-01-13", "done": 1}]
    assert [t["task"] for t in s.cycle_time["tasks"]] == ["ST-2"]
    assert [w["week"] for w in s.wip] == ["2025-01-13"]
    assert s.blocked[0] == {"task": "ST-2", "days": pytest.approx(1.375), "blocked_now": False}


def test_uncommitted_edits_count_as_of_now(history_repo: Path) -> None:
    (history_repo / "docs/plans/a.md").write_text(
        plan(("ST-1", "Done"), ("ST-2", "Done"), ("ST-3", "Done")), encoding="utf-8"
    )
    s = stats_of(history_repo)
    assert s.throughput[-1] == {"week": "2025-01-27", "done": 1}
    assert s.blocked[-1]["blocked_now"] is False


def test_sessions_commands_and_evidence(history_repo: Path) -> None:
    session = (
        "---\nid: S-1\ntask: {task}\nstarted: 2025-01-{day}T10:00:00Z\n---\n"
        "# Session\n\n## Commands\n\n- `make test`\n- `charter check`\n\n"
        "## Command log\n\n| When | Command |\n|---|---|\n| 10:00 | ls |\n\n"
        "## Notes\n\n- not a command\n"
    )
    commit(
        history_repo,
        "2025-01-17T09:00:00+00:00",
        {
            "docs/agents/sessions/2025-01-08_session-0001.md": session.format(
                task="ST-2", day="08"
            ),
            "docs/agents/sessions/2025-01-15_session-0002.md": session.format(
                task="ST-2", day="15"
            ),
            "docs/agents/sessions/2025-01-15_session-0003.md": session.format(
                task="ST-1", day="15"
            ),
            "docs/plans/a.md": plan(("ST-1", "Done"), ("ST-2", "Done"), ("ST-3", "Blocked"))
            + "  - Evidence: `docs/plans/a.md`\n",
        },
    )
    s = stats_of(history_repo)
    assert s.sessions == [
        {"task": "ST-1", "sessions": 1, "commands": 3},
        {"task": "ST-2", "sessions": 2, "commands": 6},
    ]
    assert stats_of(history_repo, since=date(2025, 1, 10)).sessions == [
        {"task": "ST-1", "sessions": 1, "commands": 3},
        {"task": "ST-2", "sessions": 1, "commands": 3},
    ]
    # The evidence line belongs to ST-3 (still blocked): neither done task has evidence.
    assert s.evidence == {"done": 2, "with_evidence": 0, "share": 0.0}


def test_evidence_share_counts_paths_that_exist(make_repo) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(
        {
            "docs/plans/a.md": "---\nid: P\ntitle: P\n---\n"
            "- [x] **ST-1** a\n  - Status: Done\n  - Evidence: `out/a.json`\n"
            "- [x] **ST-2** b\n  - Status: Done\n  - Evidence: `out/missing.json`\n"
            "- [x] **ST-3** c\n  - Status: Done\n",
            "out/a.json": "{}",
        },
        git=False,
    )
    s = stats_of(root)
    assert s.history is False and s.evidence == {"done": 3, "with_evidence": 1, "share": 0.3333}


def test_cli_formats(history_repo: Path) -> None:
    runner = CliRunner()
    group = _build_group()
    text = runner.invoke(group, ["stats", "--repo", str(history_repo)], standalone_mode=False)
    assert text.return_value == 0 and "2 task(s): p50 5.25" in text.output
    as_json = runner.invoke(
        group, ["stats", "--repo", str(history_repo), "--format", "json"], standalone_mode=False
    )
    assert json.loads(as_json.output)["cycle_time"]["count"] == 2
    as_csv = runner.invoke(
        group,
        ["stats", "--repo", str(history_repo), "--format", "csv", "--since", "2025-01-13"],
        standalone_mode=False,
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert {"table": "throughput", "key": "2025-01-13", "column": "done", "value": "1"} in rows
    bad = runner.invoke(group, ["stats", "--repo", str(history_repo), "--since", "January"])
    assert bad.exit_code == 2 and "is not a date" in bad.output
