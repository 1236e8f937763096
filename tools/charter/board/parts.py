"""One regeneration's outputs: the Markdown board, the CSV, and the HTML page when asked.

The page (cards, filters, charts of `charter stats`) is charter.board.html's;
the rows and the Markdown are charter.board.render's.
"""

from __future__ import annotations

from charter.board.html import render_board_html
from charter.board.render import (
    MD_TEMPLATE,
    BoardParts,
    _normalise,
    board_context,
    board_rows,
    header_note,
    render_csv,
    stamped_markdown,
)
from charter.config import Config
from charter.repo import RepoModel
from charter.stamps import stamp_file
from charter.templating import render_template


def render_parts(repo: RepoModel, *, html: str | None = None) -> BoardParts:
    config = repo.config
    rows = board_rows(repo)
    markdown = _normalise(
        render_template(config, MD_TEMPLATE, **board_context(repo, rows, config.board))
    )
    page = None
    if html is not None:
        # The page (cards, filters, charts of `charter stats`) is charter.board.html's;
        # it reads the plans' git history, so pandas is imported only when one is asked for.
        from charter.stats.compute import compute_stats  # lazy: pandas, only for the page

        page = _normalise(render_board_html(repo, compute_stats(repo), output=html))
    return BoardParts(tuple(rows), markdown, render_csv(rows), page)


def board_files(config: Config, parts: BoardParts, html: str | None = None) -> dict[str, str]:
    """Every board file's full text, freshly stamped, by path relative to the repo root."""
    files = {config.board_csv: parts.csv, config.board: stamped_markdown(config, parts)}
    if html is not None and parts.html is not None:
        files[html] = stamp_file(parts.html, header_note(config))
    return files
