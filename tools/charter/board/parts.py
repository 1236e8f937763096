"""One regeneration's outputs: the Markdown board, the CSV, and the HTML page when asked.

The page (cards, filters, charts of `charter stats`) is charter.board.html's;
the rows and the Markdown are charter.board.render's.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
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
    statistics: Beside[Figures] | None = None,
    board: bool = True,
) -> BoardParts:
    """`rows`: the repository's board rows when the caller has them already (with `claimed`
    applied); otherwise they are read with `claimed`. `statistics`: the page's charts being
    worked out already (`statistics_beside`). `board=False`: the Markdown board and CSV are
    current on disk and not rendered again (the parts then hold "" for them)."""
    rows = board_rows(repo, claimed) if rows is None else rows
    if html is None:
        return BoardParts(tuple(rows), board_markdown(repo, rows), render_csv(rows))
    if statistics is None:
        statistics = statistics_beside(repo, fork=False)
    with statistics:
        if not board:  # only the page to make: nothing to do beside it
            page = render_page(repo, rows, html, statistics.result())
            return BoardParts(tuple(rows), "", "", page)
        # The page's cards need nothing of the Markdown board: a second core renders them
        # meanwhile (charter.beside), once the statistics are in.
        figures = statistics.result()
        with Beside(lambda: render_page(repo, rows, html, figures)) as page_job:
            markdown = board_markdown(repo, rows)
            table = render_csv(rows)
            page = page_job.result()
    return BoardParts(tuple(rows), markdown, table, page)


def statistics_beside(repo: RepoModel, *, fork: bool = True) -> Beside[Figures]:
    """The page's charts, started now in a forked child (pandas, the plans' git history: a
    second at 50,000 tasks) while the caller goes on with the board's rows."""
    return Beside(lambda: page_statistics(repo), fork=fork)


def render_page(repo: RepoModel, rows: Sequence[BoardRow], output: str, figures: Figures) -> str:
    """The page's text. 50,000 cards are short-lived objects without cycles: a collection
    walking everything alive while they are made only costs time."""
    with collector_paused():
        return _normalise(render_board_html(repo, output=output, rows=rows, figures=figures))


def page_statistics(repo: RepoModel) -> Figures:
    """The page's charts of `charter stats`, taken at the last commit (`stats_time`). The
    statistics' moves are short-lived objects without cycles: the collector waits."""
    from charter.stats.compute import compute_stats  # lazy: pandas, only for the page

    with collector_paused():
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


def board_files(
    config: Config,
    parts: BoardParts,
    html: str | None = None,
    kept: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """Every board file's full text, freshly stamped, by path relative to the repo root.
    `kept`: the Markdown board and CSV as on disk, when they are current (`render_parts`
    with `board=False`): they stay as they are."""
    if kept is not None:
        files = {rel: kept[rel] or "" for rel in (config.board_csv, config.board)}
    else:
        files = {config.board_csv: parts.csv, config.board: stamped_markdown(config, parts)}
    if html is not None and parts.html is not None:
        files[html] = stamp_file(parts.html, header_note(config))
    return files
