"""`charter mcp`: serve tasks, sessions, the guard and the handoff to an agent over stdio."""

from __future__ import annotations

from pathlib import Path

import click

from charter.commands.common import repo_option
from charter.errors import CharterError


@click.command("mcp")
@repo_option
def mcp(repo_dir: Path | None) -> int:
    """Run charter's Model Context Protocol server on stdin/stdout.

    \b
    Tools: list_tasks, show_task, next_task, set_status, block, done,
           session_status, guard_explain, read_handoff, check
    Resources: charter://handoff, charter://board, charter://plans,
               charter://plans/{path}

    Every write is judged by the autonomy policy at the active session's level
    (kill switch and budget included) and recorded in the session log. Agents
    start it themselves from the entries `charter export` writes (.mcp.json,
    .codex/config.toml, .gemini/settings.json, .cursor/mcp.json); see docs/mcp.md.
    Needs the `mcp` extra.
    """
    try:
        from charter.mcp.server import serve  # lazy: the SDK is an optional extra
    except ImportError as exc:
        raise CharterError(
            f"charter mcp needs the MCP SDK ({exc.name} is missing): pip install 'charter[mcp]'"
        ) from exc
    serve(repo_dir)
    return 0
