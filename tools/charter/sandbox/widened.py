"""Rule CH050: an agent's own configuration widens its sandbox beyond the policy.

`charter export` never writes such a setting (charter.sandbox.agents), but
the files are also edited by hand, by the agents' own "always allow" buttons
and by other tools. Each finding names the file and line:

- a Codex execpolicy `prefix_rule` whose decision is `allow` (also when the
  decision is left out: it defaults to allow): Codex runs a matching command
  outside its sandbox without asking;
- `.codex/config.toml` with `sandbox_mode = "danger-full-access"`, or with
  `network_access = true` while the policy's default level has no network;
- Claude Code settings that switch the sandbox off, open its escape hatch
  (`allowUnsandboxedCommands: true`) or exclude commands from it.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from charter.errors import CharterError
from charter.guard.cache import load_compiled
from charter.model import Diagnostic
from charter.rulecodes import AGENT_SANDBOX_WIDENED
from charter.world import World

CLAUDE_FILES = (".claude/settings.json", ".claude/settings.local.json")
CODEX_CONFIG = ".codex/config.toml"
_DECISION = re.compile(r"""\bdecision\s*=\s*["']([a-z]+)["']""")


def findings(world: World) -> Iterator[Diagnostic]:
    root = world.root
    for path in sorted((root / ".codex" / "rules").glob("*.rules")):
        yield from _codex_rules(path, path.relative_to(root).as_posix())
    yield from _codex_config(world)
    for relative in CLAUDE_FILES:
        yield from _claude(root / relative, relative)


def _codex_rules(path: Path, relative: str) -> Iterator[Diagnostic]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    for line, block in _prefix_rules(text):
        decision = _DECISION.search(block)
        if decision is None or decision.group(1) == "allow":
            spelled = "no decision (it defaults to allow)" if decision is None else "`allow`"
            yield Diagnostic(
                relative,
                line,
                1,
                AGENT_SANDBOX_WIDENED,
                f"this prefix_rule has {spelled}: Codex runs a matching command outside its "
                'sandbox without asking; use decision = "prompt" or remove the rule '
                "(`charter export codex` writes only forbidden rules)",
            )


def _prefix_rules(text: str) -> Iterator[tuple[int, str]]:
    """(line, text) of each `prefix_rule(...)` call, comments and strings respected."""
    for match in re.finditer(r"^[ \t]*prefix_rule\s*\(", text, re.M):
        depth, index, quote = 0, match.end() - 1, ""
        while index < len(text):
            char = text[index]
            if quote:
                if char == "\\":
                    index += 1
                elif char == quote:
                    quote = ""
            elif char in "\"'":
                quote = char
            elif char == "#":
                index = text.find("\n", index)
                if index < 0:
                    break
            elif char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
                if depth == 0:
                    break
            index += 1
        yield text.count("\n", 0, match.start()) + 1, text[match.end() : index]


def _codex_config(world: World) -> Iterator[Diagnostic]:
    path = world.root / CODEX_CONFIG
    try:
        text = path.read_text(encoding="utf-8")
        config = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return
    if config.get("sandbox_mode") == "danger-full-access":
        yield Diagnostic(
            CODEX_CONFIG,
            _line_of(text, "sandbox_mode"),
            1,
            AGENT_SANDBOX_WIDENED,
            'sandbox_mode = "danger-full-access" runs every command without Codex\'s sandbox: '
            "use the mode `charter export codex` writes for the policy",
        )
    workspace = config.get("sandbox_workspace_write")
    networked = isinstance(workspace, dict) and workspace.get("network_access") is True
    if networked and not _default_level_has_network(world):
        yield Diagnostic(
            CODEX_CONFIG,
            _line_of(text, "network_access"),
            1,
            AGENT_SANDBOX_WIDENED,
            "network_access = true, but the policy's default level grants no network: "
            "run `charter export codex`",
        )


def _default_level_has_network(world: World) -> bool:
    try:
        policy = load_compiled(str(world.root), world.config.policy)
    except CharterError:
        return True  # an unreadable policy is reported by other rules; do not guess here
    return policy.network(policy.default_level)[0]


def _claude(path: Path, relative: str) -> Iterator[Diagnostic]:
    try:
        text = path.read_text(encoding="utf-8")
        settings: Any = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError):
        return
    sandbox = settings.get("sandbox") if isinstance(settings, dict) else None
    if not isinstance(sandbox, dict):
        return
    if sandbox.get("enabled") is False:
        yield Diagnostic(
            relative,
            _line_of(text, '"enabled"'),
            1,
            AGENT_SANDBOX_WIDENED,
            "the sandbox is switched off (`enabled: false`): Bash commands run unconfined",
        )
    if sandbox.get("allowUnsandboxedCommands") is True:
        yield Diagnostic(
            relative,
            _line_of(text, '"allowUnsandboxedCommands"'),
            1,
            AGENT_SANDBOX_WIDENED,
            "allowUnsandboxedCommands: true lets a command ask to run outside the sandbox "
            "(dangerouslyDisableSandbox): set it to false",
        )
    excluded = sandbox.get("excludedCommands")
    if isinstance(excluded, list) and excluded:
        names = ", ".join(str(name) for name in excluded)
        yield Diagnostic(
            relative,
            _line_of(text, '"excludedCommands"'),
            1,
            AGENT_SANDBOX_WIDENED,
            f"excludedCommands run outside the sandbox: {names}",
        )


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return 1 if index < 0 else text.count("\n", 0, index) + 1
