"""`charter export claude-code|codex|autonomy [--check]`: files generated from the policy."""

from __future__ import annotations

import difflib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from charter.commands.common import config_for, echo_json, format_option, repo_option
from charter.config import Config
from charter.errors import CharterError
from charter.guard import export as render
from charter.guard import export_agents as agents
from charter.guard import instructions
from charter.guard import mcp_entries as register
from charter.guard.hook_script import with_stop_command
from charter.guard.policy import load_policy
from charter.guard.policy_model import Policy
from charter.io import read_text, write_if_changed
from charter.sandbox import agents as sandbox
from charter.scaffold import stop_hook_command
from charter.stamps import replace_region

TARGETS = ("claude-code", "codex", "gemini", "cursor", "instructions", "autonomy")


@click.command("export")
@click.argument("target", type=click.Choice(TARGETS))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 and show a diff on drift.")
@click.option(
    "--python",
    "python",
    default=None,
    help="Pin the interpreter the hooks run charter with (default: found when the hook "
    "runs, see docs/guard.md; a pinned path ties the file to this machine).",
)
@click.option(
    "--level",
    "level",
    default=None,
    help="claude-code and codex: the settings for a session at this level (its allow rules, "
    "sandbox and network hosts) instead of the policy's default level.",
)
@format_option(("text", "json"))
@repo_option
def export(
    target: str,
    check: bool,
    python: str | None,
    level: str | None,
    output_format: str,
    repo_dir: Path | None,
) -> int:
    """Generate files from the autonomy policy (docs/agents/AUTONOMY.md).

    \b
    claude-code  .claude/settings.json: permissions, the PreToolUse hook, the sandbox;
                 .mcp.json: the charter MCP server
    codex        .codex/config.toml (sandbox, the charter MCP server),
                 .codex/rules/charter.rules, .codex/hooks.json
    gemini       .gemini/settings.json: the BeforeTool hook and the MCP server
    cursor       .cursor/hooks.json: the guard hooks; .cursor/mcp.json: the MCP server
    instructions AGENTS.md (its charter section), CLAUDE.md and GEMINI.md (import
                 AGENTS.md), .cursor/rules/charter.mdc
    autonomy     the levels table inside the policy file itself

    Exit 0 when up to date (or written), 1 on drift with --check. With --format json:
    one object, `files` (each `path`, `state`: written, up to date or out of date, and
    its `diff` with --check).
    """
    config = config_for(repo_dir)
    policy = load_policy(config.path(config.policy), config.policy)
    if level is not None:
        policy = at_level(policy, target, level, config.policy)
    outputs = _render(target, config, policy, python)
    files = []
    for relative, text in outputs.items():
        path = config.root / relative
        if check:
            diff = _drift(path, relative, text)
            state = "out of date" if diff else "up to date"
        else:
            diff = ""
            state = "written" if write_if_changed(path, text) else "up to date"
        files.append({"path": relative, "state": state, "diff": diff})
    drift = any(f["state"] == "out of date" for f in files)
    if output_format == "json":
        echo_json({"target": target, "files": files})
        return 1 if drift else 0
    for f in files:
        if f["diff"]:
            click.echo(f["diff"], nl=False)
            click.echo(f"{f['path']}: out of date; run `charter export` to regenerate it", err=True)
        elif not check:
            click.echo(f"{f['path']}: {f['state']}", err=True)
    if check and not drift:
        click.echo(f"charter export {target}: up to date", err=True)
    return 1 if drift else 0


def at_level(policy: Policy, target: str, level: str, where: str) -> Policy:
    """The policy as the agents' settings see it at `level`: their files are written for
    the default level, so the level named takes its place."""
    if target not in ("claude-code", "codex"):
        raise CharterError(f"--level applies to claude-code and codex, not {target}")
    names = [lvl.name for lvl in policy.levels]
    if level not in names:
        raise CharterError(f"unknown level {level!r} (levels: {', '.join(names)})", where)
    return replace(policy, default_level=level)


def _render(target: str, config: Config, policy: Any, python: str | None) -> dict[str, str]:
    root = str(config.root)
    if target == "autonomy":
        path = config.path(config.policy)
        text = read_text(path) or ""
        table = render.render_levels_table(policy)
        return {config.policy: replace_region(text, render.LEVELS_REGION, table, path)}
    if target in ("gemini", "cursor"):
        return _other_agent(target, config)
    if target == "instructions":
        return _instructions(config, policy)
    if target == "claude-code":
        settings = ".claude/settings.json"
        command = render.hook_command("claude-code", python, root)
        existing = _json(config.root / settings)
        if existing is not None:  # charter's Stop hook too: older ones named a machine path
            stop = stop_hook_command(python, config.root.resolve())
            existing = with_stop_command(existing, stop)
        text = render.render_claude_settings(policy, existing, command)
        return {
            settings: sandbox.with_claude_sandbox(text, policy),
            register.CLAUDE_MCP: register.render_json_servers(
                _json(config.root / register.CLAUDE_MCP), typed=True
            ),
        }
    rules = ".codex/rules/charter.rules"
    hooks = ".codex/hooks.json"
    codex_config = ".codex/config.toml"
    command = render.hook_command("codex", python, root)
    return {
        codex_config: register.render_codex_config(
            sandbox.render_codex_config(policy, read_text(config.root / codex_config), codex_config)
        ),
        rules: sandbox.render_codex_rules(policy),
        hooks: render.render_codex_hooks(_json(config.root / hooks), command),
    }


def _instructions(config: Config, policy: Any) -> dict[str, str]:
    def current(rel: str) -> str | None:
        return read_text(config.root / rel)

    return {
        instructions.AGENTS_MD: instructions.render_agents_md(
            current(instructions.AGENTS_MD), policy
        ),
        instructions.CLAUDE_MD: instructions.render_import(current(instructions.CLAUDE_MD)),
        instructions.GEMINI_MD: instructions.render_import(current(instructions.GEMINI_MD)),
        instructions.CURSOR_RULE: instructions.render_cursor_rule(policy),
    }


def _other_agent(target: str, config: Config) -> dict[str, str]:
    if target == "gemini":
        existing = _json(config.root / agents.GEMINI_SETTINGS)
        return {agents.GEMINI_SETTINGS: agents.render_gemini_settings(existing)}
    return {
        agents.CURSOR_HOOKS: agents.render_cursor_hooks(_json(config.root / agents.CURSOR_HOOKS)),
        agents.CURSOR_MCP: agents.render_cursor_mcp(_json(config.root / agents.CURSOR_MCP)),
    }


def _json(path: Path) -> dict[str, Any] | None:
    text = read_text(path)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CharterError(
            f"not valid JSON ({exc}): fix or delete it, then export again", path
        ) from exc
    if not isinstance(data, dict):
        raise CharterError("must hold a JSON object", path)
    return data


def _drift(path: Path, relative: str, text: str) -> str:
    """The unified diff from the file on disk to what the policy gives; "" when equal."""
    current = read_text(path)
    if current == text:
        return ""
    diff = difflib.unified_diff(
        (current or "").splitlines(keepends=True),
        text.splitlines(keepends=True),
        fromfile=f"{relative} (on disk)",
        tofile=f"{relative} (from the policy)",
    )
    return "".join(diff)
