"""`charter watch`: keep the board fresh while people and agents edit the plans."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from charter.commands.common import config_for, repo_option
from charter.files import relpath


@click.command("watch")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also keep a static HTML page of the board at this path.",
)
@repo_option
def watch(html_path: Path | None, repo_dir: Path | None) -> int:
    """Regenerate the board whenever a plan or a template is saved. Ctrl-C stops.

    A save that charter cannot use (a plan saved half-way, a hand-edited board)
    keeps the last good board and prints why; the next save tries again.
    """
    from charter.board.watch import watch as run_watch  # lazy: watchdog only when this runs

    config = config_for(repo_dir)
    html = relpath(config.root, html_path.absolute()) if html_path is not None else None
    stop = threading.Event()
    click.echo(
        f"charter watch: watching {', '.join(config.plans)} and {config.templates}/ (Ctrl-C stops)",
        err=True,
    )
    try:
        run_watch(config, stop=stop, report=lambda line: click.echo(line, err=True), html=html)
    except KeyboardInterrupt:
        stop.set()
    click.echo("charter watch: stopped", err=True)
    return 0
