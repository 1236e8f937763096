"""The HTML board page: escaping, safe links, and a real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from charter.board.html import bar_chart, render_board_html, safe_href
from charter.board.render import board_rows
from charter.config import load_config
from charter.repo import load_repo
from charter.stats.compute import compute_stats

CHROMIUM = "/usr/bin/chromium"
EVIL = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'

PLANS = {
    "docs/plans/ingest.md": "---\nid: PLAN-I\ntitle: Ingestion\n---\n"
    "- [ ] **ST-1** Investigate snapshot regression\n  - Status: In Progress\n  - Owner: Ingestion\n"
    "  - Level: L2\n"
    f"- [ ] **ST-2** {EVIL} title\n  - Status: Blocked\n  - Owner: Mallory\n"
    "  - Blocked reason: waiting on <b>vendor</b> access\n"
    "- [x] **ST-3** Trial reduced ceilings\n  - Status: Done\n  - Owner: Ingestion\n"
    "  - Evidence: `out/st3.json`, `javascript:alert('a/b')`\n"
    "  - [ ] **ST-3a** Follow-up\n    - Status: Backlog\n",
    "docs/plans/ui.md": "---\nid: PLAN-U\ntitle: UI\n---\n"
    "| ID | Title | Owner | Status |\n|---|---|---|---|\n"
    "| UI-1 | Board page | Web | Review |\n| UI-2 | Filters | Web | Backlog |\n"
    "| UI-3 | No owner yet |  | Backlog |\n",
    "out/st3.json": "{}",
}


@pytest.fixture
def page_repo(make_repo):  # type: ignore[no-untyped-def]
    root = make_repo(PLANS)
    repo = load_repo(load_config(root), use_cache=False)
    stats = compute_stats(repo, now=datetime(2025, 2, 1, tzinfo=UTC))
    return root, repo, render_board_html(repo, stats, output="site/board.html")


def test_untrusted_text_is_escaped_and_links_are_relative(page_repo) -> None:  # type: ignore[no-untyped-def]
    _, _, html = page_repo
    assert "<script>window.__xss" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert "waiting on &lt;b&gt;vendor&lt;/b&gt; access" in html  # the blocked reason, as text
    assert len(re.findall(r"<script\b", html)) == 1  # only the page's own
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert "../out/st3.json" in hrefs  # relative to site/board.html
    assert all(not re.match(r"[a-z]+:", h) for h in hrefs), hrefs
    assert "default-src 'none'" in html  # nothing may be fetched
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html)


def test_cards_match_the_board(page_repo) -> None:  # type: ignore[no-untyped-def]
    _, repo, html = page_repo
    ids = re.findall(r'<article class="card[^"]*"[^>]*>\s*<div><span class="id">([^<]+)<', html)
    assert ids == [r.id for r in sorted(board_rows(repo), key=lambda r: _column_order(repo, r))]
    assert len(ids) == 7


def _column_order(repo, row):  # type: ignore[no-untyped-def]
    return repo.config.columns.index(row.column)


@pytest.mark.parametrize(
    ("href", "safe"),
    [
        ("docs/a.md", "docs/a.md"),
        ("../out/x.json", "../out/x.json"),
        (None, None),
        ("javascript:alert(1)", "./javascript:alert(1)"),
        ("//evil.example/x", ".///evil.example/x"),
        ("data:text/html,x", "./data:text/html,x"),
    ],
)
def test_safe_href(href: str | None, safe: str | None) -> None:
    assert safe_href(href) == safe


def test_bar_chart_scales_to_the_largest_value() -> None:
    chart = bar_chart("t", ["a", "b", "c"], [1.0, 4.0, 0.0])
    heights = [b.height for b in chart.bars]
    assert heights == [22.5, 90.0, 0.0]
    assert all(b.y + b.height == 110 for b in chart.bars)


def test_page_renders_without_stats(page_repo) -> None:  # type: ignore[no-untyped-def]
    _, repo, _ = page_repo
    html = render_board_html(repo)
    assert "<svg" not in html and html.count('class="card') == 7


def _browser_or_skip() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing in CI: install Debian's chromium package")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); required in CI")


def test_page_in_headless_chromium(page_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    executable = _browser_or_skip()
    from tests.board.chromium_cdp import Browser, Page

    root, repo, html = page_repo
    page_file = root / "site" / "board.html"
    page_file.parent.mkdir()
    page_file.write_text(html, encoding="utf-8")
    browser = Browser(shutil.which(executable) or executable, tmp_path / "profile")
    try:
        page = Page(browser)
        page.load(page_file.as_uri())
        assert page.evaluate("document.querySelectorAll('.card').length") == len(board_rows(repo))
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.evaluate("document.querySelectorAll('svg rect.bar').length") > 0

        def visible() -> list[str]:
            return page.evaluate(  # type: ignore[no-any-return]
                "Array.from(document.querySelectorAll('.card'))"
                ".filter(c => c.getClientRects().length > 0)"
                ".map(c => c.querySelector('.id').textContent)"
            )

        def choose(select: str, value: str) -> None:
            page.evaluate(
                f"var s = document.getElementById({select!r}); s.value = {value!r};"
                "s.dispatchEvent(new Event('change'))"
            )

        choose("filter-owner", "Web")
        assert sorted(visible()) == ["UI-1", "UI-2"]
        assert page.evaluate("document.getElementById('shown').textContent") == "2 of 7 shown"
        choose("filter-owner", "")
        choose("filter-plan", "PLAN-I")
        assert sorted(visible()) == ["ST-1", "ST-2", "ST-3", "ST-3a"]
        choose("filter-column", "Backlog")
        assert visible() == ["ST-3a"]
        choose("filter-plan", "")
        choose("filter-column", "")
        shot = page.screenshot(tmp_path / "board.png")
        print(f"screenshot: {shot}")
        assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000
        assert page.errors() == []
    finally:
        browser.close()
