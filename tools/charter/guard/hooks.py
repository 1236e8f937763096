"""PreToolUse hooks for Claude Code and Codex: JSON on stdin, a decision out.

Both agents send `{"session_id", "cwd", "hook_event_name": "PreToolUse",
"tool_name", "tool_input"}`. Shell tools carry `tool_input.command`; Claude
Code's file tools carry `file_path` (Read, Write, Edit, MultiEdit),
`notebook_path` (NotebookEdit) or `path` (Grep, Glob, LS), its web tools `url`
(WebFetch) or a query (WebSearch, judged by the level's `network:`); Codex sends
its file edits as `apply_patch` with the patch text in `tool_input.command`.

A denial is a JSON `permissionDecision: "deny"` on stdout *and* exit 2 with the
reason on stderr, which both agents treat as a block. An allowed call gets no
answer (exit 0, nothing on stdout): the agent's own permission rules and
prompt still apply. Only a policy with `allow_outright: true` makes the Claude
Code hook answer `allow`, which skips Claude Code's prompt. Codex honours only
denials. While the kill switch is engaged every shell and file tool call is
denied. Anything unexpected, including a bug here, denies.
"""

from __future__ import annotations

import json
import os

from charter.guard import api
from charter.guard.cache import load_compiled
from charter.guard.context import locate
from charter.guard.explain import advice

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from charter.guard.compiled import CompiledPolicy

AGENTS = ("claude-code", "codex")
SHELL_TOOLS = frozenset({"Bash", "bash", "shell", "local_shell", "exec_command"})
# Claude Code's file tools: (operation, the tool_input field holding the path, whether
# the path may be left out, meaning the working directory)
CLAUDE_FILE_TOOLS: dict[str, tuple[str, str, bool]] = {
    "Read": ("read", "file_path", False),
    "NotebookRead": ("read", "notebook_path", False),  # older Claude Code versions
    "Write": ("write", "file_path", False),
    "Edit": ("write", "file_path", False),
    "MultiEdit": ("write", "file_path", False),
    "NotebookEdit": ("write", "notebook_path", False),
    "Grep": ("search", "path", True),
    "Glob": ("list", "path", True),
    "LS": ("list", "path", False),
}
# Codex: every file edit is an apply_patch call (`Edit` and `Write` are matcher aliases);
# read_file, list_dir and grep_files are its experimental reading tools.
CODEX_PATCH_TOOLS = frozenset({"apply_patch", "Edit", "Write"})
CODEX_FILE_TOOLS: dict[str, tuple[str, str, bool]] = {
    "read_file": ("read", "file_path", False),
    "list_dir": ("list", "dir_path", False),
    "grep_files": ("search", "path", True),
}
MAX_INPUT = 1024 * 1024


class HookResult:
    __slots__ = ("exit_code", "stderr", "stdout")

    def __init__(self, exit_code: int, stdout: str = "", stderr: str = ""):
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr


def answer(agent: str, allowed: bool, reason: str, *, outright: bool = False) -> HookResult:
    """The hook's answer. An allowed call gets no decision unless `outright` (the policy's
    `allow_outright`) and the agent is Claude Code: then `allow`, skipping its prompt."""
    if allowed:
        if agent == "codex" or not outright:
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
    shell: str = "bash",
) -> HookResult:
    """`shell="pwsh"`: the agent's shell is PowerShell, its command strings are PowerShell."""
    try:
        return _handle(agent, raw, root=root, level=level, env=env, shell=shell)
    except Exception as exc:  # a security boundary fails closed, whatever went wrong
        return answer(agent, False, f"charter guard failed ({type(exc).__name__}: {exc})")


def _handle(
    agent: str,
    raw: bytes,
    *,
    root: str | None,
    level: str | None,
    env: Mapping[str, str] | None,
    shell: str = "bash",
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
    if event in ("PostToolUse", "PostToolUseFailure"):
        from charter.guard.posthook import record_post  # lazy: only the post-tool hook needs it

        record_post(agent, data, root=root, shell_tools=SHELL_TOOLS)
        return HookResult(0)  # the command already ran: a post-tool hook never blocks
    if event != "PreToolUse":
        return answer(agent, False, f"charter guard answers PreToolUse hooks, not {event!r}")
    cwd = data.get("cwd")
    if not isinstance(cwd, str) or not os.path.isabs(cwd):
        return answer(agent, False, "charter guard: hook input has no absolute `cwd`")
    tool = data.get("tool_name")
    tool_input = data.get("tool_input")
    if not isinstance(tool, str) or not isinstance(tool_input, dict):
        return answer(agent, False, "charter guard: hook input has no tool_name/tool_input")
    if agent == "codex" and tool in CODEX_PATCH_TOOLS:
        patch = tool_input.get("command", tool_input.get("patch", tool_input.get("input")))
        if not isinstance(patch, str):
            return answer(agent, False, f"charter guard: {tool} without the patch text")
        return _patch(agent, patch, cwd, root, level)
    if tool in SHELL_TOOLS or (
        agent == "codex" and ("command" in tool_input or "cmd" in tool_input)
    ):
        # Codex's shell tools run in `workdir` (relative to the session's directory): the
        # command and the paths of its patches are judged there, not in `cwd`
        workdir = tool_input.get("workdir")
        if workdir is not None:
            if not isinstance(workdir, str) or not workdir or "\0" in workdir:
                return answer(agent, False, "charter guard: tool_input.workdir must be a path")
            cwd = os.path.normpath(os.path.join(cwd, workdir))
        command = tool_input.get("command", tool_input.get("cmd"))
        patch = _shell_patch(command) if agent == "codex" else None
        if patch is not None:
            return _patch(agent, patch, cwd, root, level)
        if isinstance(command, list) and all(isinstance(w, str) for w in command):
            return _shell(agent, command, cwd, root, level, env)
        if not isinstance(command, str):
            return answer(agent, False, "charter guard: tool_input.command must be a string")
        return _shell(agent, command, cwd, root, level, env, shell)
    file_tools = CLAUDE_FILE_TOOLS if agent == "claude-code" else CODEX_FILE_TOOLS
    if tool in file_tools:
        return _file_tool(agent, tool, file_tools[tool], tool_input, cwd, root, level)
    if tool in ("WebFetch", "WebSearch"):
        return _web_tool(agent, tool, tool_input, cwd, root, level, env)
    return HookResult(0)  # not a shell, file or web tool: the agent's own settings decide


def _web_tool(
    agent: str,
    tool: str,
    tool_input: dict[str, Any],
    cwd: str,
    root: str | None,
    level: str | None,
    env: Mapping[str, str] | None,
) -> HookResult:
    from charter.guard.web_tools import web_tool_reason  # lazy: web tools only

    setting = _setting(agent, tool, cwd, root, level)
    if isinstance(setting, HookResult):
        return setting
    environment = os.environ if env is None else env
    reason = web_tool_reason(setting.policy, setting.level, tool, tool_input, environment)
    return _tool_answer(agent, tool, setting, reason)


def _shell_patch(command: object) -> str | None:
    """The patch of a shell call that runs Codex's `apply_patch` (argv or here-doc form)."""
    if isinstance(command, list) and len(command) == 2 and command[0] == "apply_patch":
        return command[1] if isinstance(command[1], str) else None
    if (
        isinstance(command, list)
        and len(command) == 3
        and command[:2] in (["bash", "-lc"], ["bash", "-c"], ["sh", "-c"])
    ):
        command = command[2]
    if isinstance(command, str) and command.lstrip().startswith("apply_patch <<"):
        return command.lstrip().removeprefix("apply_patch").lstrip(" ")
    return None


def _shell(
    agent: str,
    command: str | list[str],
    cwd: str,
    root: str | None,
    level: str | None,
    env: Mapping[str, str] | None,
    shell: str = "bash",
) -> HookResult:
    outcome = api.check_command(
        command, cwd=cwd, root=root, level=level, env=env, audit=f"hook:{agent}", shell=shell
    )
    decision = outcome.decision
    if decision.allowed:
        outright = outcome.policy is not None and outcome.policy.allow_outright
        rules = decision.rule
        return answer(
            agent, True, f"charter guard: allowed at {decision.level} ({rules})", outright=outright
        )
    return answer(agent, False, advice(decision, outcome.policy))


class _Setting:
    """What a file tool is judged by: the repository, its policy and the level."""

    __slots__ = ("level", "policy", "root")

    def __init__(self, root: str, policy: CompiledPolicy, level: str):
        self.root = root
        self.policy = policy
        self.level = level


def _setting(
    agent: str, tool: str, cwd: str, root: str | None, level: str | None
) -> _Setting | HookResult:
    from charter.errors import CharterError  # lazy: file tools only
    from charter.guard.context import resolve_level  # lazy: file tools only
    from charter.state.active import read_active_session  # lazy: file tools only
    from charter.state.killswitch import denial  # lazy: file tools only

    try:
        repo_root, policy_path = locate(cwd, root)
        stopped = denial(repo_root)
        if stopped is not None:
            return answer(agent, False, f"charter guard denied {tool}: {stopped}")
        policy = load_compiled(repo_root, policy_path)
        name, _source = resolve_level(policy, level, read_active_session(repo_root))
    except CharterError as exc:
        return answer(agent, False, f"charter guard: {exc}: every tool call is denied")
    return _Setting(repo_root, policy, name)


def _file_tool(
    agent: str,
    tool: str,
    spec: tuple[str, str, bool],
    tool_input: dict[str, Any],
    cwd: str,
    root: str | None,
    level: str | None,
) -> HookResult:
    operation, field, optional = spec
    path = tool_input.get(field)
    if path is None and optional:
        path = cwd  # Grep and Glob without a path search the working directory
    if not isinstance(path, str) or not path:
        return answer(agent, False, f"charter guard: {tool} without a path ({field})")
    setting = _setting(agent, tool, cwd, root, level)
    if isinstance(setting, HookResult):
        return setting
    checks = [(operation, path)]
    for key in ("glob", "pattern") if tool in ("Grep", "Glob") else ():
        extra = tool_input.get(key)
        if key == "pattern" and tool == "Grep":
            continue  # a regular expression, not a path
        if extra is not None and not isinstance(extra, str):
            return answer(agent, False, f"charter guard: {tool} {key} must be text")
        if extra:
            checks.append(("list", _glob_base(path, extra)))
            checks.append(("glob", extra))
    for check, value in checks:
        reason = _file_reason(setting, cwd, check, value)
        if reason is not None:
            return answer(agent, False, f"charter guard denied {tool}: {reason}")
    if operation == "write":
        from charter.guard.claimed_sections import claimed_section_reason  # lazy: writes only

        reason = claimed_section_reason(setting.root, cwd, tool, tool_input, path)
        if reason is not None:
            return _tool_answer(agent, tool, setting, reason)
    return _tool_answer(agent, tool, setting, None)


def _tool_answer(agent: str, tool: str, setting: _Setting, reason: str | None) -> HookResult:
    """A file or web tool's answer: denied for `reason`, else allowed at the level."""
    if reason is not None:
        return answer(agent, False, f"charter guard denied {tool}: {reason}")
    return answer(
        agent,
        True,
        f"charter guard: {tool} allowed at {setting.level}",
        outright=setting.policy.allow_outright,
    )


def _file_reason(setting: _Setting, cwd: str, operation: str, value: str) -> str | None:
    from charter.guard.file_tools import judge_file_access  # lazy: file tools only

    if operation == "glob":
        from charter.guard.paths import path_rules  # lazy: file tools only

        # a glob that could match forbidden names, as `rg -g` would take it
        return path_rules(setting.policy, setting.root, cwd).forbidden_reason(value)
    decision = judge_file_access(setting.policy, setting.level, setting.root, cwd, operation, value)
    return None if decision.allowed else decision.reason


def _glob_base(path: str, pattern: str) -> str:
    """The directory a glob pattern starts from: the part before its first wildcard."""
    head = []
    for part in pattern.split("/"):
        if any(char in part for char in "*?[{"):
            break
        head.append(part)
    base = "/".join(head) or "."
    return base if os.path.isabs(base) else os.path.join(path, base)


def _patch(agent: str, patch: str, cwd: str, root: str | None, level: str | None) -> HookResult:
    from charter.guard.patch import PatchError, patch_paths  # lazy: patches only

    try:
        touched = patch_paths(patch)
    except PatchError as exc:
        return answer(agent, False, f"charter guard denied apply_patch: unreadable patch: {exc}")
    setting = _setting(agent, "apply_patch", cwd, root, level)
    if isinstance(setting, HookResult):
        return setting
    for operation, path in touched:
        reason = _file_reason(setting, cwd, operation, path)
        if reason is not None:
            return answer(agent, False, f"charter guard denied apply_patch: {reason}")
    from charter.guard.claimed_patch import patch_claim_reason  # lazy: patches only

    reason = patch_claim_reason(setting.root, cwd, patch)
    if reason is not None:
        return answer(agent, False, f"charter guard denied apply_patch: {reason}")
    return answer(agent, True, f"charter guard: apply_patch allowed at {setting.level}")
