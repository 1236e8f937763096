"""One regeneration's outputs: the Markdown board, the CSV, and the HTML page when asked.

The page (cards, filters, charts of `charter stats`) is charter.board.html's;
the rows and the Markdown are charter.board.render's.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime

from charter.beside import Beside
from charter.board.claimed import Claimed
from charter.board.fastmd import board_markdown
from charter.board.html import Figures, page_figures, render_board_html
from charter.board.render import (
    BoardParts,
    BoardRow,
    _normalise,
    board_rows,
    header_note,
    render_csv,
    stamped_markdown,
)
from charter.config import Config
from charter.repo import RepoModel, collector_paused
from charter.stamps import stamp_file


def render_parts(
    repo: RepoModel,
    *,
    html: str | None = None,
    claimed: Claimed | None = None,
    rows: list[BoardRow] | None = None,
) -> BoardParts:
    """`rows`: the repository's board rows when the caller has them already (with `claimed`
    applied); otherwise they are read with `claimed`."""
    rows = board_rows(repo, claimed) if rows is None else rows
    # The page (its statistics: pandas, the plans' git history; its cards) needs nothing of
    # the Markdown board: a second core renders it meanwhile (charter.beside).
    output = html or ""
    with Beside(lambda: render_page(repo, rows, output), fork=html is not None) as page_job:
        markdown = board_markdown(repo, rows)
        page = page_job.result() if html is not None else None
    return BoardParts(tuple(rows), markdown, render_csv(rows), page)


def render_page(repo: RepoModel, rows: Sequence[BoardRow], output: str) -> str:
    """The page's text, with its charts of `charter stats`. 50,000 cards and the statistics'
    moves are short-lived objects without cycles: a collection walking everything alive
    while they are made only costs time."""
    with collector_paused():
        figures = page_statistics(repo)
        return _normalise(render_board_html(repo, output=output, rows=rows, figures=figures))


def page_statistics(repo: RepoModel) -> Figures:
    """The page's charts of `charter stats`, taken at the last commit (`stats_time`)."""
    from charter.stats.compute import compute_stats  # lazy: pandas, only for the page

    stats = compute_stats(repo, now=stats_time(repo))
    return page_figures(stats, repo.config.columns)


def stats_time(repo: RepoModel) -> datetime:
    """The moment the page's statistics are taken at: the last commit's time (else the newest
    plan's modification time), not the clock, so the same repository gives the same page."""
    try:
        proc = subprocess.run(
            ["git", "log", "-1", "--format=%cI"],
            cwd=repo.config.root,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        proc = None
    if proc is not None and proc.returncode == 0 and proc.stdout.strip():
        return datetime.fromisoformat(proc.stdout.strip())
    times = []
    for plan in repo.plans:
        try:
            times.append(repo.config.path(plan.path).stat().st_mtime)
        except OSError:
            continue  # removed since it was read: the others still date the page
    return datetime.fromtimestamp(max(times, default=0.0), UTC)


def board_files(config: Config, parts: BoardParts, html: str | None = None) -> dict[str, str]:
    """Every board file's full text, freshly stamped, by path relative to the repo root."""
    files = {config.board_csv: parts.csv, config.board: stamped_markdown(config, parts)}
    if html is not None and parts.html is not None:
        files[html] = stamp_file(parts.html, header_note(config))
    return files
