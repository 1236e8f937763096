"""`charter export claude-code|codex|autonomy [--check]`: files generated from the policy."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import click

from charter.commands.common import config_for, repo_option
from charter.config import Config
from charter.errors import CharterError

TARGETS = ("claude-code", "codex", "autonomy")


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
@repo_option
def export(target: str, check: bool, python: str | None, repo_dir: Path | None) -> int:
    """Generate files from the autonomy policy (docs/agents/AUTONOMY.md).

    \b
    claude-code  .claude/settings.json: permissions and the PreToolUse hook
    codex        .codex/rules/charter.rules and .codex/hooks.json
    autonomy     the levels table inside the policy file itself

    Exit 0 when up to date (or written), 1 on drift with --check.
    """
    from charter.parse.policy import load_policy

    config = config_for(repo_dir)
    policy = load_policy(config.path(config.policy), config.policy)
    outputs = _render(target, config, policy, python)
    drift = False
    for relative, text in outputs.items():
        path = config.root / relative
        if check:
            drift |= _report_drift(path, relative, text)
        else:
            _write(path, relative, text)
    if check and not drift:
        click.echo(f"charter export {target}: up to date", err=True)
    return 1 if drift else 0


def _render(target: str, config: Config, policy: Any, python: str | None) -> dict[str, str]:
    from charter.render import agent_configs as render

    root = str(config.root)
    if target == "autonomy":
        from charter.io import read_text, replace_region

        path = config.path(config.policy)
        text = read_text(path) or ""
        table = render.render_levels_table(policy)
        return {config.policy: replace_region(text, render.LEVELS_REGION, table, path)}
    if target == "claude-code":
        settings = ".claude/settings.json"
        command = render.hook_command("claude-code", python, root)
        existing = _json(config.root / settings)
        if existing is not None:  # charter's Stop hook too: older ones named a machine path
            from charter.render.hook_script import with_stop_command
            from charter.scaffold import stop_hook_command

            stop = stop_hook_command(python, config.root.resolve())
            existing = with_stop_command(existing, stop)
        return {settings: render.render_claude_settings(policy, existing, command)}
    rules = ".codex/rules/charter.rules"
    hooks = ".codex/hooks.json"
    command = render.hook_command("codex", python, root)
    return {
        rules: render.render_codex_rules(policy),
        hooks: render.render_codex_hooks(_json(config.root / hooks), command),
    }


def _json(path: Path) -> dict[str, Any] | None:
    from charter.io import read_text

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


def _report_drift(path: Path, relative: str, text: str) -> bool:
    from charter.io import read_text

    current = read_text(path)
    if current == text:
        return False
    diff = difflib.unified_diff(
        (current or "").splitlines(keepends=True),
        text.splitlines(keepends=True),
        fromfile=f"{relative} (on disk)",
        tofile=f"{relative} (from the policy)",
    )
    click.echo("".join(diff), nl=False)
    click.echo(f"{relative}: out of date; run `charter export` to regenerate it", err=True)
    return True


def _write(path: Path, relative: str, text: str) -> None:
    from charter.io import write_if_changed

    changed = write_if_changed(path, text)
    click.echo(f"{relative}: {'written' if changed else 'up to date'}", err=True)
