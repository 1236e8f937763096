"""Which layers enforce the policy: the guard, the agents' sandboxes, the OS sandbox.

`repository_layers` reads only the repository (the exported agent configs and
the policy's `sandbox` key), so the generated handoff stays the same on every
machine; `session_layers` adds what this machine gives `charter run` at the
session's level (the kind of OS sandbox, its Landlock ABI, the network).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from charter.guard.compiled import CompiledPolicy
from charter.guard.policy_model import Policy, compile_policy
from charter.sandbox.launcher import FULL, LANDLOCK, NONE, enforces_level
from charter.sandbox.plan import SandboxPlan, network_allowed
from charter.sandbox.system import capabilities

HOOK_MARKER = "charter.guard"


def repository_layers(root: Path, policy: Policy) -> dict[str, Any]:
    """The layers the repository configures, whatever machine reads it."""
    claude = _json(root / ".claude/settings.json")
    codex_hooks = _json(root / ".codex/hooks.json")
    hooks = [
        agent
        for agent, settings in (("claude-code", claude), ("codex", codex_hooks))
        if settings is not None and HOOK_MARKER in json.dumps(settings.get("hooks"))
    ]
    agents: dict[str, str | None] = {"claude-code": None, "codex": None}
    sandbox = claude.get("sandbox") if claude else None
    if isinstance(sandbox, dict) and sandbox.get("enabled") is True:
        domains = (sandbox.get("network") or {}).get("allowedDomains") or []
        escape = "" if sandbox.get("allowUnsandboxedCommands") is False else ", escape hatch open"
        hosts = ", ".join(str(d) for d in domains) if domains else "no host"
        agents["claude-code"] = f"on, network to {hosts}{escape}"
    codex = _toml(root / ".codex/config.toml")
    if codex and isinstance(codex.get("sandbox_mode"), str):
        workspace = codex.get("sandbox_workspace_write") or {}
        network = "on" if workspace.get("network_access") is True else "off"
        agents["codex"] = f"{codex['sandbox_mode']}, network {network}"
    return {
        "guard": {"hooks": hooks},
        "agent_sandboxes": agents,
        "os_sandbox": {"mode": policy.sandbox},
    }


def session_layers(root: Path, policy: Policy, level: str, env: dict[str, str]) -> dict[str, Any]:
    """The repository's layers plus what `charter run` gets here, at `level`."""
    data = repository_layers(root, policy)
    system = capabilities()
    network = network_allowed(CompiledPolicy(compile_policy(policy)), level, env)
    plan = SandboxPlan(str(root), policy.sandbox, level, network, (), ())
    kind = system.best_kind() if policy.sandbox != "off" else NONE
    if policy.sandbox == "required" and not enforces_level(kind, plan, system.landlock_abi):
        kind = "refused"
    data["os_sandbox"] = {
        "mode": policy.sandbox,
        "kind": kind,
        "landlock_abi": system.landlock_abi,
        "user_namespaces": system.user_namespaces,
        "network": network,
        "level": level,
    }
    return data


def format_layers(data: dict[str, Any], indent: str = "  ") -> list[str]:
    """Text lines for the briefing and `charter session status`."""
    hooks = data["guard"]["hooks"]
    lines = [
        f"{indent}guard: `charter run`"
        + (f" and the {', '.join(hooks)} hook{'s' if len(hooks) > 1 else ''}" if hooks else "")
        + ("" if hooks else " only (no agent hook exported: `charter export`)")
    ]
    agents = [f"{agent} {state}" for agent, state in data["agent_sandboxes"].items() if state]
    lines.append(f"{indent}agent sandboxes: " + ("; ".join(agents) if agents else "none exported"))
    lines.append(f"{indent}OS sandbox under `charter run`: {describe_os(data['os_sandbox'])}")
    return lines


def describe_os(os_sandbox: dict[str, Any]) -> str:
    mode = os_sandbox["mode"]
    kind = os_sandbox.get("kind")
    if kind is None:
        return f"`sandbox: {mode}` in the policy"
    if kind == "refused":
        return "required by the policy but not available here: `charter run` refuses"
    if kind == NONE:
        return "off (the policy says so)" if mode == "off" else "none available here"
    abi = f", Landlock ABI {os_sandbox['landlock_abi']}" if kind in (FULL, LANDLOCK) else ""
    network = "on" if os_sandbox["network"] else "off"
    return f"{kind}{abi}, network {network} at {os_sandbox['level']} (`sandbox: {mode}`)"


def handoff_line(data: dict[str, Any]) -> str:
    """One sentence for the handoff, from `repository_layers` only."""
    return "; ".join(line.strip() for line in format_layers(data, indent=""))


def _json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _toml(path: Path) -> dict[str, Any] | None:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
