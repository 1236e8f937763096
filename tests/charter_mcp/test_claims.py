"""The MCP task tools claim and release (docs/mcp.md, "Claims"), driven by the SDK's own
stdio client: taking a task claims it, a task another agent holds is refused naming the
holder with nothing written, and finishing or blocking gives the claim back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp", reason="the mcp extra is not installed")

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from tests.charter_mcp.test_server import charter, error_text, payload, repo, template

__all__ = ["repo", "template"]  # the fixtures, shared with test_server


def claims(root: Path) -> dict[str, str]:
    """task -> agent, as `charter task claims --format json` lists them."""
    import json

    done = charter(root, "task", "claims", "--format", "json")
    return {c["task"]: c["agent"] for c in json.loads(done.stdout)["claims"]}


def as_agent(root: Path, agent: str, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    import asyncio

    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARTER_")}
    env["CHARTER_AGENT"] = agent
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "charter", "mcp"], cwd=str(root), env=env
    )

    async def run() -> list[Any]:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            return [await session.call_tool(name, args) for name, args in calls]

    return asyncio.run(run())


def test_starting_claims_and_another_agent_is_refused(repo: Path) -> None:
    plan = repo / "docs/plans/example.md"
    (claimed,) = as_agent(repo, "alice", [("claim_task", {"task_id": "EX-1"})])
    assert payload(claimed)["action"] == "claimed"
    (nxt,) = as_agent(repo, "bob", [("next_task", {})])
    shown = payload(nxt)
    assert [t["id"] for t in shown["tasks"]] == []  # EX-2 waits for EX-1
    assert [(c["id"], c["agent"]) for c in shown["claimed_by_others"]] == [("EX-1", "alice")]

    (started,) = as_agent(
        repo, "alice", [("set_status", {"task_id": "EX-1", "status": "In Progress"})]
    )
    assert payload(started)["claim"]["action"] == "already-yours"
    assert claims(repo) == {"EX-1": "alice"}
    before = plan.read_bytes()

    taken, again = as_agent(
        repo,
        "bob",
        [
            ("set_status", {"task_id": "EX-1", "status": "In Progress", "owner": "bob"}),
            ("claim_task", {"task_id": "EX-1"}),
        ],
    )
    for refused in (taken, again):
        text = error_text(refused)
        assert "EX-1: held by alice" in text and "until" in text
    assert plan.read_bytes() == before  # nothing written for the refused start

    # alice finishes: the claim goes back with the done write
    (finished,) = as_agent(
        repo, "alice", [("done", {"task_id": "EX-1", "evidence": "docs/evidence/ex1.md"})]
    )
    assert payload(finished)["claim"]["action"] == "released"
    assert claims(repo) == {}
    assert "- [x] **EX-1**" in plan.read_text(encoding="utf-8")


def test_block_and_release_give_the_claim_back(repo: Path) -> None:
    first = as_agent(
        repo,
        "carol",
        [
            ("claim_task", {"task_id": "EX-2"}),
            ("claim_task", {"task_id": "EX-2"}),
        ],
    )
    assert [payload(r)["action"] for r in first] == ["claimed", "already-yours"]
    (refused,) = as_agent(repo, "dave", [("release_task", {"task_id": "EX-2"})])
    assert "held by carol" in error_text(refused)

    (blocked,) = as_agent(repo, "carol", [("block", {"task_id": "EX-2", "reason": "waiting"})])
    assert payload(blocked)["claim"]["action"] == "released"
    assert claims(repo) == {}

    released = as_agent(
        repo, "dave", [("claim_task", {"task_id": "EX-1"}), ("release_task", {"task_id": "EX-1"})]
    )
    assert [payload(r)["action"] for r in released] == ["claimed", "released"]
    assert claims(repo) == {}


def test_a_session_agent_meets_its_own_claim(repo: Path) -> None:
    charter(repo, "session", "start", "EX-1", "--agent", "erin")
    assert claims(repo) == {"EX-1": "erin"}
    # the server's agent is the session's, whatever the environment says
    (started,) = as_agent(
        repo, "someone-else", [("set_status", {"task_id": "EX-1", "status": "In Progress"})]
    )
    assert payload(started)["claim"]["action"] == "already-yours"


def test_a_failed_start_gives_back_the_claim_it_took(repo: Path) -> None:
    (failed,) = as_agent(
        repo,
        "frank",
        [("set_status", {"task_id": "EX-1", "status": "In Progress", "owner": "a\nb"})],
    )
    assert failed.is_error
    assert claims(repo) == {}


def test_unreachable_claims_remote_refuses_the_start(repo: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(
        [*git, "remote", "add", "origin", str(repo.parent / "nowhere.git")], cwd=repo, check=True
    )
    before = (repo / "docs/plans/example.md").read_bytes()
    (refused,) = as_agent(
        repo, "gina", [("set_status", {"task_id": "EX-1", "status": "In Progress"})]
    )
    assert "cannot reach the claims remote" in error_text(refused)
    assert (repo / "docs/plans/example.md").read_bytes() == before
