"""A session holds its task's claim: start refuses a task another live agent holds
(writing nothing), takes a free one, and end gives it back."""

from __future__ import annotations

import re

import pytest

from charter.claims import ops
from charter.config import Config
from charter.sessions.end import end_session
from charter.sessions.preconditions import Request
from charter.sessions.start import start_session
from charter.state.session import ACTIVE_FILE
from tests.sessions.helpers import snapshot, write


def store(repo: Config) -> ops.Store:
    return ops.store_for(repo)


def test_start_refuses_a_task_another_agent_holds_and_writes_nothing(repo: Config) -> None:
    assert ops.claim(store(repo), "CO-2", "claude", "1h").ok
    before = snapshot(repo.root)

    result = start_session(repo, Request("CO-2", agent="codex"), {})

    assert result.session is None
    [failure] = result.findings.failures
    assert failure.check == "claim" and "held by claude" in failure.message
    assert snapshot(repo.root) == before
    assert not (repo.root / ACTIVE_FILE).exists()


def test_start_claims_and_end_releases(repo: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    result = start_session(repo, Request("CO-2", agent="codex"), {})
    assert result.session is not None
    assert [(c.task, c.agent) for c in ops.list_claims(store(repo))] == [("CO-2", "codex")]

    log = repo.root / result.session.log
    log.write_text(re.sub(r"\(fill in[^)]*\)", "Done.", log.read_text("utf-8")), "utf-8")
    write(repo.root, ".runs/CO-2/manifest.json", "{}\n")
    plan = repo.root / "docs/plans/core.md"
    plan.write_text(
        plan.read_text("utf-8").replace(
            "  - Status: In Progress\n",
            "  - Status: Done\n  - Evidence: `.runs/CO-2/manifest.json`\n",
        ),
        "utf-8",
    )
    ended = end_session(repo)

    assert ended.ended and ended.claim == "CO-2: released on this clone"
    assert ops.list_claims(store(repo)) == []


def test_a_task_claimed_beforehand_by_the_same_agent_starts(repo: Config) -> None:
    assert ops.claim(store(repo), "CO-2", "codex", "1h").action == "claimed"
    result = start_session(repo, Request("CO-2", agent="codex"), {})
    assert result.session is not None, [str(f) for f in result.findings.failures]
