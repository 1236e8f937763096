"""`charter init [DIR]`: scaffold a governed repository (see docs/init.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from charter.commands.common import echo_json, format_option
from charter.detect.run import write_detected
from charter.errors import CharterError
from charter.scaffold import init_repo, summary


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
    help="Pin the interpreter the agents' hooks run charter with (default: found when the "
    "hook runs, see docs/guard.md).",
)
@click.option(
    "--no-example",
    "no_example",
    is_flag=True,
    help="Write no example plan and no gates for it: start from your own plans.",
)
@click.option(
    "--no-git-hooks",
    "no_git_hooks",
    is_flag=True,
    help="Install no git hook (pre-commit, post-merge).",
)
@format_option(("text", "json"))
def init(
    directory: Path,
    preset: str | None,
    detect_only: bool,
    owner: str,
    python: str | None,
    no_example: bool,
    no_git_hooks: bool,
    output_format: str,
) -> int:
    """Scaffold a governed repository in DIRECTORY (default: here).

    Plans, board, session logs, the autonomy policy, telemetry gates,
    templates, a Makefile, pre-commit hooks and the Claude Code and Codex
    configs; the policy's forbidden paths in .gitignore; .gitattributes and
    the local git config for merging the generated files; the git hooks
    (`pre-commit install` when pre-commit is on PATH, charter's own hook
    otherwise). An existing file or hook is never overwritten, so running it
    twice changes nothing.
    """
    if detect_only:
        try:
            target, text = write_detected(directory)
        except CharterError as exc:
            click.echo(f"charter init --detect: {exc}", err=True)
            return 1
        if output_format == "json":
            echo_json({"root": str(directory), "created": [str(target)], "config": text})
            return 0
        click.echo(text, nl=False)
        click.echo(f"wrote {target}")
        return 0
    result = init_repo(
        directory,
        preset=preset,
        owner=owner,
        python=python,
        example=not no_example,
        git_hooks=not no_git_hooks,
        pre_commit=shutil.which("pre-commit"),
    )
    if output_format == "json":
        echo_json(
            {
                "root": str(result.root),
                "created": list(result.created),
                "kept": list(result.kept),
                "actions": list(result.actions),
                "notes": list(result.notes),
                "next": result.next_step if result.created else None,
            }
        )
        return 0
    click.echo(summary(result))
    if result.created:
        click.echo(f"next: {result.next_step}")
    return 0
