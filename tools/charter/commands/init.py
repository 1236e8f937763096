"""`charter init [DIR]`: scaffold a governed repository (see docs/init.md)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("init")
@click.argument(
    "directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--preset",
    default=None,
    metavar="NAME",
    help="Write charter.toml for a layout charter knows (e.g. speckit, table-plans).",
)
@click.option(
    "--detect",
    "detect_only",
    is_flag=True,
    help="Write only charter.toml, from what `charter detect` finds here (never overwrites).",
)
@click.option(
    "--owner",
    default="team",
    show_default=True,
    help="Owner written on the example plan and its tasks.",
)
@click.option(
    "--python",
    "python",
    default=None,
    metavar="PATH",
    help="Interpreter the agents' hooks run charter with (default: this one).",
)
def init(
    directory: Path, preset: str | None, detect_only: bool, owner: str, python: str | None
) -> int:
    """Scaffold a governed repository in DIRECTORY (default: here).

    Plans, board, session logs, the autonomy policy, telemetry gates,
    templates, a Makefile, pre-commit hooks and the Claude Code and Codex
    configs. An existing file is never overwritten, so running it twice
    changes nothing.
    """
    if detect_only:
        from charter.detect.run import write_detected
        from charter.errors import CharterError

        try:
            target, text = write_detected(directory)
        except CharterError as exc:
            click.echo(f"charter init --detect: {exc}", err=True)
            return 1
        click.echo(text, nl=False)
        click.echo(f"wrote {target}")
        return 0
    from charter.scaffold import init_repo, summary

    result = init_repo(directory, preset=preset, owner=owner, python=python)
    click.echo(summary(result))
    if result.created:
        click.echo("next: git add -A, then `make session-start TASK=EX-1` (see AGENTS.md)")
    return 0
