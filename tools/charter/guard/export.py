"""Files generated from the autonomy policy: the levels table and the agents' configs.

Every function here is pure: policy (and, for JSON settings that people also
edit, the current file) in, text out. Byte-stable: sorted where order is not
the policy's own, LF line endings, no timestamps.

- the levels table, the `levels` region of the policy file itself;
- `.claude/settings.json`: `permissions`, the PreToolUse hook entry and the
  PostToolUse entry that records exit codes (other
  keys of the file are kept);
- `.codex/hooks.json`: the PreToolUse hook entry (the Codex sandbox and rules,
  and Claude Code's sandbox, are charter.sandbox.agents).

The agents' own rules are a first line (they match argv prefixes, not every
spelling); the hook, which runs `charter guard` on every command, is the
boundary. Hook commands find charter when they run (`charter.guard.hook_script`:
no path of the machine that wrote them) and exit 2 when that fails, so a
missing interpreter or package blocks instead of letting commands through.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from charter.guard.hook_script import guard_hook_command
from charter.guard.paths import glob_regex
from charter.guard.policy_model import Level, Policy
from charter.guard.protected import STEERING, always_protected

LEVELS_REGION = "levels"
HOOK_MARKER = "charter.guard"
# every Claude Code tool that reads or writes files, and the shell
CLAUDE_TOOLS = (
    "Bash|Read|Write|Edit|MultiEdit|NotebookEdit|NotebookRead|Grep|Glob|LS|WebFetch|WebSearch"
)
# Codex: the shell, apply_patch (every file edit; `Edit` and `Write` are its matcher
# aliases) and the experimental reading tools
CODEX_TOOLS = "Bash|apply_patch|Edit|Write|read_file|list_dir|grep_files"
HOOK_TIMEOUT_S = 30


# -- the levels table -----------------------------------------------------------


def render_levels_table(policy: Policy) -> str:
    """The Markdown table of levels, as the policy body shows it."""
    lines = [
        "| Level | Description | Allowed actions | Extra requirements |",
        "|-------|-------------|-----------------|--------------------|",
    ]
    for level in policy.levels:
        lines.append(
            "| "
            + " | ".join(
                [
                    _cell(
                        level.label + (" (default)" if level.name == policy.default_level else "")
                    ),
                    _cell(level.description) or "—",
                    _allowed_cell(level),
                    _requirements_cell(policy, level),
                ]
            )
            + " |"
        )
    return "\n".join(lines) + "\n"


def _allowed_cell(level: Level) -> str:
    rules = ", ".join(f"`{rule}`" for rule in level.allow)
    if level.inherits is None:
        return rules or "Nothing"
    if not rules:
        return f"Everything in {level.inherits}"
    return f"Everything in {level.inherits}, plus {rules}"


def _requirements_cell(policy: Policy, level: Level) -> str:
    parts = [_cell(text) for text in level.requires]
    parts.extend(f"`{name}={value}` set when the guard runs" for name, value in level.env)
    return "; ".join(parts) if parts else "None"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


# -- hook commands --------------------------------------------------------------


def hook_command(agent: str, python: str | None = None, root: str = "") -> str:
    """The shell command an agent runs before each tool call.

    By default it finds charter at run time, the same bytes on every machine
    (`hook_script.guard_hook_command`). With `python` (`--python PATH`) it runs that
    interpreter by path instead, `-I` keeping the working directory and PYTHON*
    variables out of the import path; `|| exit 2` turns every failure to start
    (no interpreter, no charter) into a block either way.
    """
    if python is None:
        return guard_hook_command(agent)
    relative = _inside(python, root)
    if agent == "claude-code":
        interpreter = (
            f'"$CLAUDE_PROJECT_DIR"/{shlex.quote(relative)}'
            if relative is not None
            else shlex.quote(python)
        )
        return (
            f"{interpreter} -I -m {HOOK_MARKER} --hook claude-code "
            '--root "$CLAUDE_PROJECT_DIR" || exit 2'
        )
    interpreter = (
        f'"$root"/{shlex.quote(relative)}' if relative is not None else shlex.quote(python)
    )
    # Codex runs hooks with the user's login shell: sh keeps the syntax portable,
    # and git pins the repository root wherever the agent's cwd is.
    script = (
        'root="$(git rev-parse --show-toplevel)" && '
        f'{interpreter} -I -m {HOOK_MARKER} --hook codex --root "$root" || exit 2'
    )
    return f"sh -c {shlex.quote(script)}"


def _inside(path: str, root: str) -> str | None:
    prefix = root.rstrip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None


# -- Claude Code ----------------------------------------------------------------


def claude_permissions(policy: Policy) -> dict[str, list[str]]:
    allow = [
        f"Bash({rule}:*)" for level in policy.chain(policy.default_level) for rule in level.allow
    ]
    deny = [f"Bash({rule}:*)" for rule in policy.deny]
    for pattern in policy.forbidden_paths:
        deny.append(f"Read({_claude_path(pattern)})")
        deny.append(f"Edit({_claude_path(pattern)})")
    steering = [p for p in STEERING if p not in policy.unprotected_paths]
    protected = [*always_protected(policy.path), *policy.protected_paths, *steering]
    for pattern in dict.fromkeys(protected):
        deny.append(f"Edit({_claude_path(pattern)})")
    return {"allow": list(dict.fromkeys(allow)), "deny": list(dict.fromkeys(deny))}


def _claude_path(pattern: str) -> str:
    # Claude Code reads `/x` as relative to the project root and `**/x` as anywhere.
    anchored, _ = glob_regex(pattern)
    text = pattern.strip().removeprefix("./").strip("/")
    return f"/{text}" if anchored else f"**/{text}"


def render_claude_settings(policy: Policy, existing: dict[str, Any] | None, command: str) -> str:
    """`.claude/settings.json`: charter's permissions and hook; other keys kept as they are."""
    settings: dict[str, Any] = dict(existing or {})
    permissions = dict(settings.get("permissions") or {})
    permissions.update(claude_permissions(policy))
    settings["permissions"] = permissions
    entry = {
        "matcher": CLAUDE_TOOLS,
        "hooks": [{"type": "command", "command": command, "timeout": HOOK_TIMEOUT_S}],
    }
    hooks = _with_hook(settings.get("hooks"), entry)
    # the shell tool's outcome (exit code) into the session's audit trail; never blocks
    post = {
        "matcher": "Bash",
        "hooks": [{"type": "command", "command": command, "timeout": HOOK_TIMEOUT_S}],
    }
    settings["hooks"] = _with_hook(hooks, post, event="PostToolUse")
    return json.dumps(settings, indent=2, ensure_ascii=False) + "\n"


def _with_hook(current: Any, entry: dict[str, Any], event: str = "PreToolUse") -> dict[str, Any]:
    hooks: dict[str, Any] = dict(current or {})
    kept = [
        existing
        for existing in hooks.get(event) or []
        if not (isinstance(existing, dict) and HOOK_MARKER in json.dumps(existing))
    ]
    hooks[event] = [*kept, entry]
    return hooks


# -- Codex ------------------------------------------------------------------------


def render_codex_hooks(existing: dict[str, Any] | None, command: str) -> str:
    """`.codex/hooks.json`: the PreToolUse hook entry; other hooks kept as they are."""
    settings: dict[str, Any] = dict(existing or {})
    entry = {
        "matcher": CODEX_TOOLS,
        "hooks": [
            {
                "type": "command",
                "command": command,
                "timeout": HOOK_TIMEOUT_S,
                "statusMessage": "charter guard",
            }
        ],
    }
    settings["hooks"] = _with_hook(settings.get("hooks"), entry)
    return json.dumps(settings, indent=2, ensure_ascii=False) + "\n"
