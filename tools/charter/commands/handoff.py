"""`charter handoff`: regenerate docs/SESSION_HANDOFF.md (or --check it)."""

from __future__ import annotations

from pathlib import Path

import click

from charter.commands.common import config_for, echo_json, format_option, repo_option
from charter.handoff.regenerate import check_handoff, write_handoff


@click.command("handoff")
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 and show a diff when the handoff is out of date.",
)
@click.option("--force", is_flag=True, help="Overwrite a handoff edited by hand.")
@format_option(("text", "json"))
@repo_option
def handoff(check: bool, force: bool, output_format: str, repo_dir: Path | None) -> int:
    """Regenerate the handoff the next session starts from (see docs/handoff.md).

    What is done (with evidence), in progress, blocked (with reasons), the
    recommended execution order, how to continue, the last sessions, and a
    Mermaid graph of open tasks; byte-stable for the same plans and logs.
    Exit 0 written or up to date, 1 out of date (--check), 2 refused (a hand
    edit; --force overrides) or a configuration error. With --format json: one object,
    `path`, `written`, `up_to_date`, `diff` and `refusal` (--check).
    """

    config = config_for(repo_dir, reads_plans=True)
    if check:
        result = check_handoff(config)
        if output_format == "json":
            echo_json(
                {
                    "path": config.handoff,
                    "written": False,
                    "up_to_date": result.up_to_date,
                    "diff": result.diff,
                    "refusal": result.refusal,
                }
            )
            return 0 if result.up_to_date else 1
        if result.up_to_date:
            click.echo(f"charter handoff: {config.handoff} is up to date", err=True)
            return 0
        click.echo(result.diff, nl=False)
        if result.refusal:
            click.echo(f"charter handoff: would refuse: {result.refusal}", err=True)
        click.echo(
            f"charter handoff: {config.handoff} is out of date; run `charter handoff`", err=True
        )
        return 1
    written = write_handoff(config, force=force)
    if output_format == "json":
        shape = {"path": config.handoff, "written": written, "up_to_date": not written}
        echo_json({**shape, "diff": "", "refusal": None})
    elif written:
        click.echo(f"wrote {config.handoff}")
    else:
        click.echo(f"charter handoff: {config.handoff} is up to date", err=True)
    return 0
