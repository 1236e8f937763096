"""The MCP server: `service` operations as tools and resources, over stdio.

Built on the official SDK's `MCPServer`. A `CharterError` becomes a tool error
whose text names the file and line; any other exception becomes a tool error
saying "internal error" with its type, so one bad call never ends the server.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError

from charter import __version__
from charter.errors import CharterError
from charter.mcp.service import Service

F = TypeVar("F", bound=Callable[..., Any])

INSTRUCTIONS = """\
charter keeps this repository's plans, task board and session logs. Use these
tools instead of editing plan files or the board by hand: `next_task` for what
is ready, `set_status` when you start (status "In Progress"), `done` with an
evidence path when you finish, `block` with a reason when you cannot go on.
Several agents may share this repository: starting a task claims it for you
(refused, naming the holder, when another agent holds it), and `done`, `block`
and `release_task` give the claim back.
Every write is checked against the autonomy policy at your session's level and
recorded in the session log. Before a shell command you are unsure of, ask
`guard_explain`.
"""


def _tool_errors(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CharterError as exc:
            raise ToolError(str(exc)) from exc
        except Exception as exc:  # one bad call must not end the server
            raise ToolError(f"charter: internal error ({type(exc).__name__}: {exc})") from exc

    return wrapper  # type: ignore[return-value]


def _resource_errors(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CharterError as exc:
            raise ResourceError(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def build_server(directory: Path | None = None) -> MCPServer[Any]:
    """The server for the repository at (or above) `directory`."""
    service = Service.at(directory)
    server: MCPServer[Any] = MCPServer(
        name="charter", version=__version__, instructions=INSTRUCTIONS
    )

    @server.tool()
    @_tool_errors
    def list_tasks(
        column: str | None = None,
        plan: str | None = None,
        owner: str | None = None,
        text: str | None = None,
        limit: int = 100,
    ) -> dict[str, Any]:
        """List or search tasks. Filters: board column (e.g. "In Progress"), plan path
        (a substring), owner, text in the ID, title or fields. At most `limit` are shown."""
        return service.list_tasks(column=column, plan=plan, owner=owner, text=text, limit=limit)

    @server.tool()
    @_tool_errors
    def show_task(task_id: str) -> dict[str, Any]:
        """One task: column, status, fields, dependencies with their columns, evidence,
        and the plan file and line where it is written."""
        return service.show_task(task_id)

    @server.tool()
    @_tool_errors
    def next_task(limit: int = 5) -> dict[str, Any]:
        """Open tasks whose dependencies are all done, highest priority first; tasks another
        agent has claimed are left out and listed under `claimed_by_others`."""
        return service.next_tasks(limit)

    @server.tool()
    @_tool_errors
    def set_status(task_id: str, status: str, owner: str | None = None) -> dict[str, Any]:
        """Set a task's status (any text that maps to a board column) and optionally its
        owner, in its plan file; the board is regenerated. A status of the active column
        ("In Progress") claims the task for you first (refused, naming the holder, when
        another agent holds it); a status of the open, blocked or done column releases
        your claim."""
        return service.set_status(task_id, status, owner)

    @server.tool()
    @_tool_errors
    def block(task_id: str, reason: str) -> dict[str, Any]:
        """Mark a task blocked, with a one-line reason; your claim on it is released."""
        return service.block(task_id, reason)

    @server.tool()
    @_tool_errors
    def claim_task(task_id: str) -> dict[str, Any]:
        """Claim a task so no other agent takes it; refused, naming the holder and the
        claim's expiry, when another agent holds it."""
        return service.claim_task(task_id)

    @server.tool()
    @_tool_errors
    def release_task(task_id: str) -> dict[str, Any]:
        """Give your claim on a task back without changing its status."""
        return service.release_task(task_id)

    @server.tool()
    @_tool_errors
    def done(task_id: str, evidence: str) -> dict[str, Any]:
        """Mark a task done with an evidence path (relative to the repository root) that
        exists; its sha256 is recorded and your claim on the task is released."""
        return service.done(task_id, evidence)

    @server.tool()
    @_tool_errors
    def session_status() -> dict[str, Any]:
        """The active session: task, level, budget used, commands recorded so far."""
        return service.session_status()

    @server.tool()
    @_tool_errors
    def guard_explain(command: str) -> dict[str, Any]:
        """What `charter guard` would decide for a shell command at the session's level,
        and why (nothing is run and no budget is spent)."""
        return service.guard_explain(command)

    @server.tool()
    @_tool_errors
    def read_handoff() -> str:
        """The handoff document the next session starts from."""
        return service.handoff()

    @server.tool()
    @_tool_errors
    def check(paths: list[str] | None = None) -> dict[str, Any]:
        """Run `charter check`; with `paths`, report only findings in those files."""
        return service.check(paths or [])

    @server.resource("charter://handoff", mime_type="text/markdown")
    @_resource_errors
    def handoff_resource() -> str:
        """The handoff document."""
        return service.handoff()

    @server.resource("charter://board", mime_type="text/markdown")
    @_resource_errors
    def board_resource() -> str:
        """The generated task board."""
        return service.board()

    @server.resource("charter://plans", mime_type="application/json")
    @_resource_errors
    def plans_resource() -> list[str]:
        """The plan files charter reads."""
        return service.plans()

    @server.resource("charter://plans/{+path}", mime_type="text/markdown")
    @_resource_errors
    def plan_resource(path: str) -> str:
        """One plan file's text."""
        return service.plan_text(path)

    return server


def serve(directory: Path | None = None) -> None:
    build_server(directory).run("stdio")
