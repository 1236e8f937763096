"""Gemini CLI and Cursor configs generated from the policy: the guard hooks and the MCP server.

- `.gemini/settings.json`: a BeforeTool hook (matcher: every shell and file
  tool) running `charter guard --hook gemini`, and `mcpServers.charter`;
- `.cursor/hooks.json`: `beforeShellExecution`, `beforeReadFile` and
  `preToolUse` hooks running `charter guard --hook cursor`;
- `.cursor/mcp.json`: `mcpServers.charter`.

Hook commands find charter with `charter.guard.hook_script` and exit 2 (a block) when it
is missing. Other keys, hooks and servers in these files are kept; charter's
own entries are recognised by the `charter guard --hook` in their command.
Pure functions: current file in, text out, byte-stable.
"""

from __future__ import annotations

import json
from typing import Any

from charter.guard.hook_adapters import CURSOR_TOOLS, GEMINI_TOOLS
from charter.guard.hook_script import guard_hook_command
from charter.guard.mcp_entries import render_json_servers

GEMINI_SETTINGS = ".gemini/settings.json"
CURSOR_HOOKS = ".cursor/hooks.json"
CURSOR_MCP = ".cursor/mcp.json"
MARKER = "guard --hook"
GEMINI_TIMEOUT_MS = 30_000


def render_gemini_settings(existing: dict[str, Any] | None) -> str:
    settings: dict[str, Any] = json.loads(render_json_servers(existing))
    hooks = dict(settings.get("hooks") or {})
    entry = {
        "matcher": "^(" + "|".join(sorted(GEMINI_TOOLS)) + ")$",
        "hooks": [
            {
                "type": "command",
                "name": "charter-guard",
                "command": guard_hook_command("gemini"),
                "timeout": GEMINI_TIMEOUT_MS,
                "description": "charter guard: the policy before every shell and file tool",
            }
        ],
    }
    hooks["BeforeTool"] = [*_others(hooks.get("BeforeTool")), entry]
    settings["hooks"] = hooks
    return json.dumps(settings, indent=2, ensure_ascii=False) + "\n"


def render_cursor_hooks(existing: dict[str, Any] | None) -> str:
    settings: dict[str, Any] = dict(existing or {})
    settings["version"] = settings.get("version", 1)
    hooks = dict(settings.get("hooks") or {})
    command = guard_hook_command("cursor")
    for event in ("beforeShellExecution", "beforeReadFile"):
        hooks[event] = [*_others(hooks.get(event)), {"command": command}]
    matcher = "|".join(sorted(CURSOR_TOOLS))
    hooks["preToolUse"] = [
        *_others(hooks.get("preToolUse")),
        {"command": command, "matcher": matcher},
    ]
    settings["hooks"] = hooks
    return json.dumps(settings, indent=2, ensure_ascii=False) + "\n"


def render_cursor_mcp(existing: dict[str, Any] | None) -> str:
    return render_json_servers(existing)


def _others(entries: Any) -> list[Any]:
    """The entries of a hook list that are not charter's own."""
    return [e for e in entries or [] if not (isinstance(e, dict) and MARKER in json.dumps(e))]
