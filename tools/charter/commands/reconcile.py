"""`charter reconcile`: plans vs a hand-kept board table and CSV."""

from __future__ import annotations

from pathlib import Path

import click

from charter.commands.common import config_for, format_option, repo_option
from charter.progress import shown
from charter.reconcile.compare import read_boards, takeover_note
from charter.reconcile.compare import reconcile as compare
from charter.reconcile.write import apply
from charter.repo import load_repo
from charter.report import format_diagnostics


@click.command("reconcile")
@click.option(
    "--board",
    "boards",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A board file (Markdown table or .csv); repeat for both. "
    "Default: the configured board and board_csv.",
)
@click.option(
    "--write",
    is_flag=True,
    help="Move the board-only facts into the plans, and board-only tasks into from-board.md.",
)
@format_option(("text", "json", "github"))
@click.option("--quiet", "-q", is_flag=True, help="Show no progress on long work.")
@repo_option
def reconcile(
    boards: tuple[Path, ...], write: bool, output_format: str, quiet: bool, repo_dir: Path | None
) -> int:
    """Compare the plans with a board people kept by hand.

    Reports every task missing on either side, every status that disagrees,
    and every fact (owner, deliverable, notes, ...) only the board holds, as
    `path:line:col: RCnnn message`. With --write those facts move into the
    plans (nothing is overwritten, no status is changed); after that,
    `charter board` can take the board over. Exit 0 when plans and board
    agree, 1 when anything differs, 2 on a usage or configuration error.
    """
    config = config_for(repo_dir)
    paths = [p if p.is_absolute() else Path.cwd() / p for p in boards]
    notes: list[str] = []
    with shown("charter reconcile: reading plans", quiet):
        repo = load_repo(config)
        result = compare(repo, read_boards(repo, paths))
        if write:
            written, problems = apply(repo, result)
            notes.append(
                f"moved {len(result.moves) - len(problems)} fact(s) and "
                f"{len(result.orphans)} board-only task(s); wrote {len(written)} file(s)"
                + (": " + ", ".join(written) if written else "")
            )
            repo = load_repo(config, use_cache=False)
            again = compare(repo, read_boards(repo, paths))
            result = again
            result.diagnostics = sorted({*again.diagnostics, *problems})
    diagnostics = result.diagnostics
    if diagnostics or output_format == "json":
        click.echo(format_diagnostics(diagnostics, output_format))
    if output_format == "text":
        for note in notes:
            click.echo(f"charter reconcile: {note}", err=True)
        by_code: dict[str, int] = {}
        for d in diagnostics:
            by_code[d.code] = by_code.get(d.code, 0) + 1
        counts = ", ".join(f"{n} {c}" for c, n in sorted(by_code.items())) or "in step"
        click.echo(f"charter reconcile: {', '.join(result.boards)}: {counts}", err=True)
        takeover = takeover_note(result)
        if takeover is not None:
            click.echo(f"charter reconcile: {takeover}", err=True)
    return 1 if diagnostics else 0
