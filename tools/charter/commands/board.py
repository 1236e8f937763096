"""`charter board`: regenerate TaskBoard.md and TaskBoard.csv from the plans (or --check them)."""

from __future__ import annotations

from pathlib import Path

import click

from charter.board.regenerate import regenerate_board
from charter.commands.common import config_for, echo_json, format_option, repo_option
from charter.files import relpath
from charter.progress import shown


@click.command("board")
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 and show a diff when the board is out of date.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite hand edits and allow large row drops (the reasons are still shown).",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a static HTML page of the board to this path.",
)
@click.option("--quiet", "-q", is_flag=True, help="Show no progress on long work.")
@format_option(("text", "json"))
@repo_option
def board(
    check: bool,
    force: bool,
    html_path: Path | None,
    quiet: bool,
    output_format: str,
    repo_dir: Path | None,
) -> int:
    """Regenerate the task board from the plans.

    Writes the board Markdown and CSV (docs/taskboard/ by default), byte-stable.
    Refuses, leaving every file as it is, when a board file was edited by hand,
    when too many rows would vanish, or when a plan cannot be read reliably;
    --force overrides. Exit 0 written or up to date, 1 out of date (--check),
    2 refused or a configuration error. With --format json: one object, `written` (the
    files written), `out_of_date` (--check), `tasks`, `refused` and `diff`.
    """

    config = config_for(repo_dir, reads_plans=True)
    html = relpath(config.root, html_path.absolute()) if html_path is not None else None
    with shown("charter board: reading plans", quiet):
        result = regenerate_board(config, force=force, check=check, html=html)
    if output_format == "json":
        echo_json(
            {
                "written": [] if check else list(result.changed),
                "out_of_date": list(result.changed) if check else [],
                "tasks": result.rows,
                "refused": list(result.refused),
                "diff": result.diff,
            }
        )
        return 1 if check and not result.up_to_date else 0
    for reason in result.refused:
        label = "would refuse" if check else "overridden by --force"
        click.echo(f"charter board: {label}: {reason}", err=True)
    if check:
        if result.up_to_date:
            click.echo(f"charter board: up to date ({result.rows} tasks)", err=True)
            return 0
        click.echo(result.diff, nl=False)
        click.echo(
            f"charter board: out of date: {', '.join(result.changed)}; "
            "run `charter board` to regenerate",
            err=True,
        )
        return 1
    if result.changed:
        for rel in result.changed:
            click.echo(f"wrote {rel}")
    else:
        click.echo(f"charter board: up to date ({result.rows} tasks)", err=True)
    return 0
