"""`charter handoff`: regenerate docs/SESSION_HANDOFF.md (or --check it)."""

from __future__ import annotations

from pathlib import Path

import click

from charter.commands.common import config_for, repo_option
from charter.handoff.regenerate import check_handoff, write_handoff


@click.command("handoff")
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 and show a diff when the handoff is out of date.",
)
@click.option("--force", is_flag=True, help="Overwrite a handoff edited by hand.")
@repo_option
def handoff(check: bool, force: bool, repo_dir: Path | None) -> int:
    """Regenerate the handoff the next session starts from (see docs/handoff.md).

    What is done (with evidence), in progress, blocked (with reasons), the
    recommended execution order, how to continue, the last sessions, and a
    Mermaid graph of open tasks; byte-stable for the same plans and logs.
    Exit 0 written or up to date, 1 out of date (--check), 2 refused (a hand
    edit; --force overrides) or a configuration error.
    """

    config = config_for(repo_dir, reads_plans=True)
    if check:
        result = check_handoff(config)
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
    if write_handoff(config, force=force):
        click.echo(f"wrote {config.handoff}")
    else:
        click.echo(f"charter handoff: {config.handoff} is up to date", err=True)
    return 0
