"""`charter session end`: refuses an incomplete log or an unproven done task, changing
nothing; otherwise closes the log, moves a blocked task to Blocked, regenerates."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from charter.config import Config
from charter.errors import CharterError
from charter.io import read_text
from charter.repo import load_repo
from charter.sessions.end import end_session
from charter.sessions.preconditions import Request
from charter.sessions.start import start_session
from charter.state.session import ACTIVE_FILE, ActiveSession
from tests.sessions.helpers import snapshot, write


def started(repo: Config, task: str = "CO-2") -> ActiveSession:
    result = start_session(repo, Request(task, agent="codex"), {})
    assert result.session is not None, [str(f) for f in result.findings.failures]
    return result.session


def fill(repo: Config, session: ActiveSession, text: str = "Done as planned.") -> Path:
    log = repo.root / session.log
    log.write_text(re.sub(r"\(fill in[^)]*\)", text, log.read_text("utf-8")), "utf-8")
    return log


def set_plan(repo: Config, old: str, new: str) -> None:
    path = repo.root / "docs/plans/core.md"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def test_placeholders_keep_the_session_open_and_nothing_changes(repo: Config) -> None:
    session = started(repo)
    before = snapshot(repo.root)
    result = end_session(repo)
    assert not result.ended
    assert len(result.gaps) == len(repo.session_sections)
    assert all("placeholder still in the log: (fill in" in g.message for g in result.gaps)
    assert all(g.path == session.log for g in result.gaps)
    assert snapshot(repo.root) == before
    assert (repo.root / ACTIVE_FILE).exists()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda t: t.replace(
                "Done as planned.\n\n### NEXT STEP", "\n<!-- later -->\n\n### NEXT STEP"
            ),
            "empty section: TASKBOARD UPDATE",
        ),
        (lambda t: t[: t.index("### NEXT STEP")], "missing section: NEXT STEP"),
        (lambda t: t.replace("## Validation", "## Checks"), "missing section: Validation"),
    ],
)
def test_an_empty_or_missing_required_section_keeps_it_open(
    repo: Config, edit: Callable[[str], str], expected: str
) -> None:
    session = started(repo)
    log = fill(repo, session)
    text = log.read_text("utf-8")
    log.write_text(edit(text), "utf-8")
    result = end_session(repo)
    assert [g.message for g in result.gaps] == [expected]


@pytest.mark.parametrize(
    ("status_lines", "expected"),
    [
        ("  - Status: Done\n", "names no evidence"),
        ("  - Status: Done\n  - Evidence: `.runs/CO-2/missing.json`\n", "does not exist"),
    ],
)
def test_a_task_claiming_done_without_evidence_keeps_it_open(
    repo: Config, status_lines: str, expected: str
) -> None:
    session = started(repo)
    fill(repo, session)
    set_plan(repo, "  - Status: In Progress\n", status_lines)
    result = end_session(repo)
    assert len(result.gaps) == 1 and "CO-2 claims done" in result.gaps[0].message
    assert expected in result.gaps[0].message
    assert result.gaps[0].path == "docs/plans/core.md"


def test_a_complete_session_ends_changing_only_its_frontmatter(
    repo: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = started(repo)
    log = fill(repo, session)
    write(repo.root, ".runs/CO-2/manifest.json", "{}\n")
    set_plan(
        repo,
        "  - Status: In Progress\n",
        "  - Status: Done\n  - Evidence: `.runs/CO-2/manifest.json`\n",
    )
    before = log.read_text("utf-8").split("\n")
    monkeypatch.setenv("CHARTER_NOW", "2026-01-02T09:00:00Z")
    result = end_session(repo)
    assert result.ended and result.status == "done"
    after = log.read_text("utf-8").split("\n")
    ended = after.index('ended: "2026-01-02T09:00:00Z"')
    assert after[ended + 1] == "---"  # added at the end of the frontmatter
    restored = [line for line in after if line != after[ended]]
    restored[restored.index("status: done")] = "status: active"
    assert restored == before
    assert not (repo.root / ACTIVE_FILE).exists()
    assert session.log in result.written and repo.handoff in result.written
    assert "2026-01-02_session-0001" in (repo.root / repo.handoff).read_text("utf-8")


def test_ending_blocked_moves_the_task_to_blocked_with_the_reason(repo: Config) -> None:
    session = started(repo)
    log = fill(repo, session)
    result = end_session(repo, blocked="needs the staging  database")
    assert result.ended and result.status == "blocked"
    task = load_repo(repo, use_cache=False).find_task("CO-2")
    assert task is not None
    assert (task.status, task.value("blocked_reason")) == ("Blocked", "needs the staging database")
    text = log.read_text("utf-8")
    assert "status: blocked\n" in text and "blocked_reason: needs the staging database\n" in text
    board = read_text(repo.root / repo.board) or ""
    assert "## Blocked (1)" in board


def test_a_done_task_cannot_end_blocked(repo: Config) -> None:
    session = started(repo)
    fill(repo, session)
    write(repo.root, ".runs/CO-2/manifest.json", "{}\n")
    set_plan(
        repo,
        "  - Status: In Progress\n",
        "  - Status: Done\n  - Evidence: `.runs/CO-2/manifest.json`\n",
    )
    result = end_session(repo, blocked="no reason")
    assert [g.message for g in result.gaps] == [
        "CO-2 is done, so it cannot end blocked: drop --blocked, or reopen the task first"
    ]


@pytest.mark.parametrize(
    ("blocked", "message"),
    [
        (None, "no active session"),
        ("   ", "--blocked needs a reason"),
    ],
)
def test_usage_errors(repo: Config, blocked: str | None, message: str) -> None:
    with pytest.raises(CharterError, match=message):
        end_session(repo, blocked)


def test_the_required_sections_are_configurable(repo: Config) -> None:
    config = replace(repo, session_sections=("Outcome",))
    session = started(config)
    log = config.root / session.log
    text = log.read_text("utf-8")
    outcome = text.index("## Outcome")
    log.write_text(text[:outcome] + "## Outcome\n\nShipped.\n", "utf-8")
    result = end_session(config)
    assert [g.message for g in result.gaps][:1] == [
        "placeholder still in the log: (fill in: the steps you will take, and how you will show "
        "the acceptance is met)"
    ]
    log.write_text(re.sub(r"\(fill in[^)]*\)", "", log.read_text("utf-8")), "utf-8")
    assert end_session(config).ended


def test_a_crlf_log_stays_crlf(repo: Config) -> None:
    session = started(repo)
    log = fill(repo, session)
    log.write_bytes(log.read_bytes().replace(b"\n", b"\r\n"))
    assert end_session(repo).ended
    data = log.read_bytes()
    assert b"status: done\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
