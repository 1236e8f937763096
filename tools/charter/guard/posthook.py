"""Post-tool hooks: the outcome of a shell command an agent ran, into the audit trail.

Claude Code sends `PostToolUse` (and, in newer versions, `PostToolUseFailure`)
after a tool ran, with the call's `tool_input` and its `tool_response`; Codex
sends `PostToolUse` where its hooks offer it. For a shell tool the exit code is
taken from the response when the agent reports one (`exit_code`, `exitCode`,
`returncode`); a `PostToolUseFailure` without one is recorded as a failure
(`failed`), a response without any as `unknown`, never as a guess of 0.

A post-tool hook never blocks: the command has already run. It answers exit 0
with nothing on stdout whatever happens, and records only in an active session.
"""

from __future__ import annotations

import contextlib

from charter.guard.context import locate
from charter.guard.verdict import quote
from charter.state import auditlog
from charter.state.active import read_active_session

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

POST_EVENTS = frozenset({"PostToolUse", "PostToolUseFailure"})
_CODE_FIELDS = ("exit_code", "exitCode", "returncode", "return_code", "code")


def exit_code_of(event: str, response: object) -> int | str:
    """The exit code an agent reported, `failed` or `unknown` when it gave none."""
    if isinstance(response, dict):
        for name in _CODE_FIELDS:
            value = response.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        if response.get("interrupted") is True:
            return "interrupted"
    return "failed" if event == "PostToolUseFailure" else "unknown"


def record_post(
    agent: str, data: dict[str, Any], *, root: str | None, shell_tools: frozenset[str]
) -> None:
    """Record a shell tool's outcome in the active session. Never raises: the command
    already ran, so recording is best effort and the hook answers exit 0 regardless."""
    with contextlib.suppress(Exception):
        _record(agent, data, root, shell_tools)


def _record(
    agent: str, data: dict[str, Any], root: str | None, shell_tools: frozenset[str]
) -> None:
    tool = data.get("tool_name")
    tool_input = data.get("tool_input")
    if tool not in shell_tools and not (agent == "codex" and isinstance(tool_input, dict)):
        return
    if not isinstance(tool_input, dict):
        return
    command = tool_input.get("command")
    if isinstance(command, list) and all(isinstance(w, str) for w in command):
        command = " ".join(quote(w) for w in command)
    if not isinstance(command, str):
        return
    cwd = data.get("cwd")
    if not isinstance(cwd, str):
        return
    repo_root, _policy = locate(cwd, root)
    session = read_active_session(repo_root)
    if session is None:
        return
    event = str(data.get("hook_event_name"))
    response = data.get("tool_response", data.get("tool_output"))
    code = exit_code_of(event, response)
    auditlog.record_exit(
        repo_root,
        str(session["id"]),
        command=command,
        exit_code=code if isinstance(code, int) else None,
        via=f"hook:{agent}",
        at=auditlog.now_iso(),
        outcome=None if isinstance(code, int) else code,
    )
