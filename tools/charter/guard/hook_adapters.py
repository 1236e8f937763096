"""Gemini CLI and Cursor hooks, answered by the same judging as Claude Code's.

Each request is translated into the Claude Code PreToolUse request it stands
for (a shell command becomes `Bash`, a file read `Read`, a write or edit
`Write`, a search `Grep`/`Glob`, a listing `LS`), judged by `hooks.handle`,
and the answer is written back in the agent's own protocol:

- Gemini CLI (BeforeTool, docs/hooks/reference.md of gemini-cli): deny is
  exit 2 with the reason on stderr, and `{"decision": "deny", "reason": ...}`
  on stdout; otherwise exit 0 and `{}` so Gemini's own confirmation applies.
- Cursor (hooks.json: beforeShellExecution, beforeReadFile, preToolUse,
  beforeMCPExecution): deny is `{"permission": "deny", "user_message",
  "agent_message"}` with exit 2; an allow is `{"permission": "allow"}` only
  when Claude Code would have been told allow outright, else `{}`. charter
  never answers "ask": some Cursor modes were reported to ignore it.

A tool call that names several paths (Gemini's read_many_files) is allowed
only when every path is. Anything unexpected denies.
"""

from __future__ import annotations

import json
import os
import re

from charter.guard.hooks import MAX_INPUT, HookResult, handle

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

FOREIGN_AGENTS = ("gemini", "cursor")
# any `scheme://...` word of a web_fetch prompt: schemes other than http(s) are refused later
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"'`]+")
WORKDIR_KEYS = ("working_directory", "workdir", "cwd", "dir_path", "directory")
PATH_KEYS = ("file_path", "absolute_path", "path", "dir_path", "directory", "notebook_path")

GEMINI_TOOLS = {
    "run_shell_command": "Bash",
    "read_file": "Read",
    "read_many_files": "Read",
    "write_file": "Write",
    "replace": "Edit",
    "edit": "Edit",
    "glob": "Glob",
    "search_file_content": "Grep",
    "grep_search": "Grep",
    "grep": "Grep",
    "list_directory": "LS",
    "web_fetch": "WebFetch",
    "google_web_search": "WebSearch",
}
CURSOR_TOOLS = {
    "Shell": "Bash",
    "Terminal": "Bash",
    "Read": "Read",
    "ReadFile": "Read",
    "Write": "Write",
    "Edit": "Edit",
    "StrReplace": "Edit",
    "MultiEdit": "Edit",
    "Delete": "Write",
    "DeleteFile": "Write",
    "TabWrite": "Write",
    "Grep": "Grep",
    "Glob": "Glob",
    "LS": "LS",
    "ListDir": "LS",
}
CURSOR_EVENTS = {"beforeShellExecution": "Bash", "beforeReadFile": "Read"}


def handle_foreign(
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
        return _deny(agent, f"charter guard failed ({type(exc).__name__}: {exc})")


def _handle(
    agent: str,
    raw: bytes,
    *,
    root: str | None,
    level: str | None,
    env: Mapping[str, str] | None,
) -> HookResult:
    if len(raw) > MAX_INPUT:
        return _deny(agent, "charter guard: hook input larger than 1 MiB")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return _deny(agent, f"charter guard: hook input is not JSON ({exc})")
    if not isinstance(data, dict):
        return _deny(agent, "charter guard: hook input must be a JSON object")
    requests = _gemini(data) if agent == "gemini" else _cursor(data)
    if isinstance(requests, str):
        return _deny(agent, requests)
    if requests is None:
        return _pass(agent)
    outright = False
    for request in requests:
        result = handle(
            "claude-code", json.dumps(request).encode(), root=root, level=level, env=env
        )
        if result.exit_code != 0:
            return _deny(agent, result.stderr.strip() or "denied by charter guard")
        outright = outright or '"allow"' in result.stdout
    return _allow(agent) if outright and agent == "cursor" else _pass(agent)


def _gemini(data: dict[str, Any]) -> list[dict[str, Any]] | str | None:
    event = data.get("hook_event_name", "BeforeTool")
    if event != "BeforeTool":
        return f"charter guard answers BeforeTool hooks, not {event!r}"
    cwd = data.get("cwd")
    if not isinstance(cwd, str) or not os.path.isabs(cwd):
        return "charter guard: hook input has no absolute `cwd`"
    tool, tool_input = data.get("tool_name"), data.get("tool_input")
    if not isinstance(tool, str) or not isinstance(tool_input, dict):
        return "charter guard: hook input has no tool_name/tool_input"
    claude_tool = GEMINI_TOOLS.get(tool)
    if claude_tool is None:
        return None  # not a shell or file tool: Gemini's own settings decide
    if claude_tool == "Bash":
        workdir = tool_input.get("dir_path", tool_input.get("directory"))
        if workdir is not None and not isinstance(workdir, str):
            return "charter guard: run_shell_command's directory must be a string"
        return [_shell(tool_input.get("command"), _join(cwd, workdir))]
    if claude_tool == "WebSearch":
        return [_request("WebSearch", {"query": tool_input.get("query")}, cwd)]
    if claude_tool == "WebFetch":
        # web_fetch takes a prompt naming its URLs: each must be one the level may fetch
        prompt = tool_input.get("prompt")
        found = _URL.findall(prompt) if isinstance(prompt, str) else []
        urls = [url.rstrip(".,;:!?)]}") for url in found]
        return [_request("WebFetch", {"url": url}, cwd) for url in urls] or [
            _request("WebFetch", {"url": None}, cwd)
        ]
    return _file_requests(claude_tool, tool_input, cwd, many=tool == "read_many_files")


def _cursor(data: dict[str, Any]) -> list[dict[str, Any]] | str | None:
    event = data.get("hook_event_name")
    cwd = data.get("cwd")
    if not isinstance(cwd, str) or not os.path.isabs(cwd):
        roots = data.get("workspace_roots")
        cwd = roots[0] if isinstance(roots, list) and roots else None
    if not isinstance(cwd, str) or not os.path.isabs(cwd):
        return "charter guard: hook input has no absolute `cwd` or workspace root"
    if event in CURSOR_EVENTS:
        if CURSOR_EVENTS[event] == "Bash":
            return [_shell(data.get("command"), cwd)]
        return _file_requests("Read", data, cwd, many=False)
    if event == "beforeMCPExecution":
        return None  # another server's tool: Cursor's own settings decide
    if event != "preToolUse":
        return f"charter guard answers Cursor's before-hooks, not {event!r}"
    tool, tool_input = data.get("tool_name"), data.get("tool_input")
    if isinstance(tool_input, str):
        try:
            tool_input = json.loads(tool_input)
        except ValueError:
            return "charter guard: tool_input is not JSON"
    if not isinstance(tool, str) or not isinstance(tool_input, dict):
        return "charter guard: hook input has no tool_name/tool_input"
    claude_tool = CURSOR_TOOLS.get(tool)
    if claude_tool is None:
        return None
    if claude_tool == "Bash":
        # a terminal tool may name the directory it runs in: judge the command there
        found = [tool_input[key] for key in WORKDIR_KEYS if key in tool_input]
        if (
            any(not isinstance(value, str) or not value for value in found)
            or len(set(map(str, found))) > 1
        ):
            return "charter guard: the shell tool's working directory must be a path"
        return [_shell(tool_input.get("command"), _join(cwd, found[0] if found else None))]
    return _file_requests(claude_tool, tool_input, cwd, many=False)


def _shell(command: object, cwd: str) -> dict[str, Any]:
    # a missing or non-string command reaches hooks.handle as it is, which denies it
    return _request("Bash", {"command": command}, cwd)


def _file_requests(
    tool: str, tool_input: dict[str, Any], cwd: str, *, many: bool
) -> list[dict[str, Any]] | str:
    paths: list[object] = []
    if many:
        listed = tool_input.get("paths", tool_input.get("include"))
        if not isinstance(listed, list) or not listed:
            return "charter guard: read_many_files without a list of paths"
        paths = list(listed)
    else:
        found = next((tool_input[key] for key in PATH_KEYS if key in tool_input), None)
        if found is None and tool in ("Grep", "Glob", "LS"):
            found = cwd  # a search with no path searches the working directory
        paths = [found]
    requests = []
    for path in paths:
        if not isinstance(path, str) or not path:
            return f"charter guard: {tool} without a file path"
        absolute = _join(cwd, path)
        if tool in ("Read", "Write", "Edit"):
            requests.append(_request(tool, {"file_path": absolute}, cwd))
        else:
            pattern = tool_input.get("pattern", "")
            requests.append(_request(tool, {"path": absolute, "pattern": pattern}, cwd))
    return requests


def _request(tool: str, tool_input: dict[str, Any], cwd: str) -> dict[str, Any]:
    return {
        "hook_event_name": "PreToolUse",
        "cwd": cwd,
        "tool_name": tool,
        "tool_input": tool_input,
    }


def _join(cwd: str, path: str | None) -> str:
    if not path:
        return cwd
    return path if os.path.isabs(path) else os.path.join(cwd, path)


def _deny(agent: str, reason: str) -> HookResult:
    message = reason.strip() or "denied by charter guard"
    if agent == "cursor":
        body = {"permission": "deny", "user_message": message, "agent_message": message}
    else:
        body = {"decision": "deny", "reason": message}
    return HookResult(2, json.dumps(body) + "\n", message + "\n")


def _allow(agent: str) -> HookResult:
    return HookResult(0, json.dumps({"permission": "allow"}) + "\n")


def _pass(agent: str) -> HookResult:
    return HookResult(0, "{}\n")
