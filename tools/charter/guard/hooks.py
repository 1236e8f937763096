"""PreToolUse hooks for Claude Code and Codex: JSON on stdin, a decision out.

Both agents send `{"session_id", "cwd", "hook_event_name": "PreToolUse",
"tool_name", "tool_input": {"command": ...}}`. A shell command is allowed or
denied; a denial is a JSON `permissionDecision: "deny"` on stdout *and* exit 2
with the reason on stderr, which both agents treat as a block. Claude Code also
gets an explicit `allow`; Codex honours only denials, so an allowed command
gets no output. For Claude Code's file tools, forbidden and protected paths are
denied and everything else is left to the agent's own permission settings,
except while the kill switch is engaged: then every tool call is denied.
Anything unexpected, including a bug here, denies.
"""

from __future__ import annotations

import json
import os

from charter.guard import api
from charter.guard.cache import load_compiled
from charter.guard.context import locate
from charter.guard.explain import advice
from charter.guard.paths import ALWAYS_PROTECTED, PathRules
from charter.state.killswitch import denial

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

AGENTS = ("claude-code", "codex")
SHELL_TOOLS = frozenset({"Bash", "bash", "shell", "local_shell", "exec_command"})
FILE_WRITE_TOOLS = frozenset({"Edit", "Write", "MultiEdit", "NotebookEdit"})
FILE_READ_TOOLS = frozenset({"Read"})
MAX_INPUT = 1024 * 1024


class HookResult:
    __slots__ = ("exit_code", "stderr", "stdout")

    def __init__(self, exit_code: int, stdout: str = "", stderr: str = ""):
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr


def answer(agent: str, allowed: bool, reason: str) -> HookResult:
    if allowed:
        if agent == "codex":
            return HookResult(0)
        return HookResult(0, _output("allow", reason))
    message = reason.strip() or "denied by charter guard"
    return HookResult(2, _output("deny", message), message + "\n")


def _output(decision: str, reason: str) -> str:
    return (
        json.dumps(
            {
                "hookSpecificOutput": {
                    "hookEventName": "PreToolUse",
                    "permissionDecision": decision,
                    "permissionDecisionReason": reason,
                }
            }
        )
        + "\n"
    )


def handle(
    agent: str,
    raw: bytes,
    *,
    root: str | None = None,
    level: str | None = None,
    env: Mapping[str, str] | None = None,
) -> HookResult:
    try:
        return _handle(agent, raw, root=root, level=level, env=env)
    except Exception as exc:  # a security boundary fails closed, whatever went wrong
        return answer(agent, False, f"charter guard failed ({type(exc).__name__}: {exc})")


def _handle(
    agent: str,
    raw: bytes,
    *,
    root: str | None,
    level: str | None,
    env: Mapping[str, str] | None,
) -> HookResult:
    if len(raw) > MAX_INPUT:
        return answer(agent, False, "charter guard: hook input larger than 1 MiB")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return answer(agent, False, f"charter guard: hook input is not JSON ({exc})")
    if not isinstance(data, dict):
        return answer(agent, False, "charter guard: hook input must be a JSON object")
    event = data.get("hook_event_name", "PreToolUse")
    if event != "PreToolUse":
        return answer(agent, False, f"charter guard answers PreToolUse hooks, not {event!r}")
    cwd = data.get("cwd")
    if not isinstance(cwd, str) or not os.path.isabs(cwd):
        return answer(agent, False, "charter guard: hook input has no absolute `cwd`")
    tool = data.get("tool_name")
    tool_input = data.get("tool_input")
    if not isinstance(tool, str) or not isinstance(tool_input, dict):
        return answer(agent, False, "charter guard: hook input has no tool_name/tool_input")
    if tool in SHELL_TOOLS or (agent == "codex" and "command" in tool_input):
        command = tool_input.get("command")
        if isinstance(command, list) and all(isinstance(w, str) for w in command):
            return _shell(agent, command, cwd, root, level, env)
        if not isinstance(command, str):
            return answer(agent, False, "charter guard: tool_input.command must be a string")
        return _shell(agent, command, cwd, root, level, env)
    if tool in FILE_WRITE_TOOLS or tool in FILE_READ_TOOLS:
        return _file_tool(agent, tool, tool_input, cwd, root)
    return HookResult(0)  # not a shell or file tool: the agent's own settings decide


def _shell(
    agent: str,
    command: str | list[str],
    cwd: str,
    root: str | None,
    level: str | None,
    env: Mapping[str, str] | None,
) -> HookResult:
    outcome = api.check_command(command, cwd=cwd, root=root, level=level, env=env)
    decision = outcome.decision
    if decision.allowed:
        rules = decision.rule
        return answer(agent, True, f"charter guard: allowed at {decision.level} ({rules})")
    return answer(agent, False, advice(decision, outcome.policy))


def _file_tool(
    agent: str, tool: str, tool_input: dict[str, Any], cwd: str, root: str | None
) -> HookResult:
    path = tool_input.get("file_path", tool_input.get("notebook_path"))
    if not isinstance(path, str) or not path:
        return answer(agent, False, f"charter guard: {tool} without a file path")
    from charter.errors import CharterError  # lazy: off the guard's start-up path

    try:
        repo_root, policy_path = locate(cwd, root)
        stopped = denial(repo_root)
        if stopped is not None:
            return answer(agent, False, f"charter guard denied {tool}: {stopped}")
        policy = load_compiled(repo_root, policy_path)
    except CharterError as exc:
        return answer(agent, False, f"charter guard: {exc}: every tool call is denied")
    rules = PathRules(
        repo_root,
        cwd,
        policy.forbidden,
        (*ALWAYS_PROTECTED, policy.path, *policy.protected),
    )
    reason = rules.forbidden_reason(path)
    if reason is None and tool in FILE_WRITE_TOOLS:
        reason = rules.write_reason(path, destructive=False)
    if reason is not None:
        return answer(agent, False, f"charter guard denied {tool}: {reason}")
    return HookResult(0)
