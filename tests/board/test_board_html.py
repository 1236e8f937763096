"""The HTML board page: escaping, safe links, charts, layout in a real headless Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from charter.board.charts import CHAR, bar_chart, nice_ticks, scale_chart, share_chart
from charter.board.html import render_board_html, safe_href, script_json
from charter.board.parts import render_parts
from charter.board.render import board_rows
from charter.config import load_config
from charter.errors import CharterError
from charter.repo import load_repo
from charter.stats.compute import compute_stats

CHROMIUM = "/usr/bin/chromium"
EVIL = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
NOW = datetime(2025, 2, 1, tzinfo=UTC)

PLANS = {
    "docs/plans/ingest.md": "---\nid: PLAN-I\ntitle: Ingestion\n---\n"
    "- [ ] **ST-1** Investigate snapshot regression\n  - Status: In Progress\n  - Owner: Ingestion\n"
    "  - Level: L2\n  - Priority: P1\n  - Depends: ST-3\n"
    f"- [ ] **ST-2** {EVIL} title\n  - Status: Blocked\n  - Owner: Mallory\n"
    "  - Blocked reason: waiting on <b>vendor</b> access\n"
    "- [x] **ST-3** Trial reduced ceilings\n  - Status: Done\n  - Owner: Ingestion\n"
    "  - Evidence: `out/st3.json`, `javascript:alert('a/b')`\n"
    "  - [ ] **ST-3a** Follow-up\n    - Status: Backlog\n"
    "- [ ] **ING-001** Wait for the warehouse export\n  - Status: Blocked\n"
    "  - Blocked reason: export job paused\n",
    "docs/plans/ui.md": "---\nid: PLAN-U\ntitle: UI\n---\n"
    "| ID | Title | Owner | Status |\n|---|---|---|---|\n"
    "| UI-1 | Board page | Web | Review |\n| UI-2 | Filters | Web | Backlog |\n"
    "| UI-3 | No owner yet |  | Backlog |\n| PLATFORM-0042 | Long id | Web | Blocked |\n",
    "out/st3.json": "{}",
}
TASKS = 9


def _commit(root: Path, when: str = "2025-01-20T10:00:00Z") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when}
    env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"]
    for args in (
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "p"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True, env=env)


@pytest.fixture
def page_repo(make_repo):  # type: ignore[no-untyped-def]
    plan = root_plan = PLANS["docs/plans/ingest.md"]
    started = plan.replace("- [x] **ST-3** Trial reduced ceilings\n  - Status: Done", "- [ ] **ST-3"
                           "** Trial reduced ceilings\n  - Status: In Progress")  # fmt: skip
    root = make_repo({**PLANS, "docs/plans/ingest.md": started})
    _commit(root, "2025-01-08T10:00:00Z")  # ST-3 started, done 12 days later: a cycle time
    (root / "docs/plans/ingest.md").write_text(root_plan, encoding="utf-8")
    _commit(root)
    repo = load_repo(load_config(root), use_cache=False)
    stats = compute_stats(repo, now=NOW)
    return root, repo, render_board_html(repo, stats, output="site/board.html")


def _data(html: str) -> Any:
    found = re.search(r'<script type="application/json" id="board-data">(.*?)</script>', html)
    assert found is not None
    return json.loads(found.group(1))


def test_untrusted_text_is_escaped_and_links_are_relative(page_repo) -> None:  # type: ignore[no-untyped-def]
    _, _, html = page_repo
    assert "<script>window.__xss" not in html and "<img src=x" not in html
    assert "\\u003cscript\\u003ewindow.__xss=1" in html  # inside the JSON, as text
    assert len(re.findall(r"<script\b", html)) == 2  # the page's data and its own script
    data = _data(html)
    cards = {c[0]: c for _, column in data["columns"] for c in column}
    assert cards["ST-2"][9] == "waiting on <b>vendor</b> access"  # drawn with textContent
    assert cards["ST-3"][8] == [
        ["out/st3.json", "../out/st3.json"],  # relative to site/board.html
        ["javascript:alert('a/b')", "../javascript:alert('a/b')"],  # never a scheme
    ]
    assert [p[1] for p in data["plans"]] == ["../docs/plans/ingest.md", "../docs/plans/ui.md"]
    assert "default-src 'none'" in html  # nothing may be fetched
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html)


def test_cards_carry_priority_dependencies_and_the_blocked_reason_once(page_repo) -> None:  # type: ignore[no-untyped-def]
    _, repo, html = page_repo
    data = _data(html)
    ids = [c[0] for _, column in data["columns"] for c in column]
    assert sorted(ids) == sorted(r.id for r in board_rows(repo)) and len(ids) == TASKS
    cards = {c[0]: c for _, column in data["columns"] for c in column}
    assert cards["ST-1"][4] == "P1" and cards["ST-1"][7] == ["ST-3"] and cards["ST-1"][3] == "L2"
    assert cards["ST-3a"][10] == "ST-3"
    assert cards["PLATFORM-0042"][9] == "no reason given"
    assert html.count("waiting on") == 1  # no second list of blocked tasks repeats it


def test_script_json_cannot_close_its_element() -> None:
    text = script_json({"t": "</script><!-- & -->"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"t": "</script><!-- & -->"}


def test_repo_url_links_to_the_hosting_repository(make_repo) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(PLANS, config='repo_url = "https://github.com/acme/widgets"\n')
    repo = load_repo(load_config(root), use_cache=False)
    data = _data(render_board_html(repo, output="site/board.html"))
    assert data["plans"][0][1] == "https://github.com/acme/widgets/blob/HEAD/docs/plans/ingest.md"
    cards = {c[0]: c for _, column in data["columns"] for c in column}
    assert cards["ST-3"][8][0][1] == "https://github.com/acme/widgets/blob/HEAD/out/st3.json"


def test_repo_url_template_with_a_path_placeholder(make_repo) -> None:  # type: ignore[no-untyped-def]
    url = "https://git.example.org/acme/widgets/src/branch/main/{path}"
    root = make_repo(PLANS, config=f'repo_url = "{url}"\n')
    data = _data(render_board_html(load_repo(load_config(root), use_cache=False)))
    assert data["plans"][1][1] == url.replace("{path}", "docs/plans/ui.md")


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "https://x.org/a b", "ftp://x.org/r", "https://x.org/{ref}/{path}"],
)
def test_a_bad_repo_url_is_an_error_naming_the_key_and_line(make_repo, url: str) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(PLANS, config=f'columns = ["Backlog", "In Progress", "Review", "Blocked", '
                     f'"Done", "Dropped"]\nrepo_url = "{url}"\n')  # fmt: skip
    with pytest.raises(CharterError) as caught:
        load_config(root)
    assert "repo_url" in str(caught.value) and caught.value.line == 2


def test_the_page_is_byte_stable(page_repo) -> None:  # type: ignore[no-untyped-def]
    root, _, _ = page_repo
    first = render_parts(load_repo(load_config(root), use_cache=False), html="site/b.html").html
    second = render_parts(load_repo(load_config(root), use_cache=False), html="site/b.html").html
    assert first is not None and first == second


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (0.0, [0.0, 1.0]),
        (4.0, [0.0, 1.0, 2.0, 3.0, 4.0]),
        (9.0, [0.0, 2.5, 5.0, 7.5, 10.0]),
        (37.0, [0.0, 10.0, 20.0, 30.0, 40.0]),
        (0.3, [0.0, 0.1, 0.2, 0.3]),
    ],
)
def test_nice_ticks(top: float, ticks: list[float]) -> None:
    assert nice_ticks(top) == ticks


@pytest.mark.parametrize(("top", "ticks"), [(1.0, [0.0, 1.0]), (9.0, [0.0, 3.0, 6.0, 9.0])])
def test_counts_get_whole_ticks(top: float, ticks: list[float]) -> None:
    assert nice_ticks(top, whole=True) == ticks


def test_bar_names_get_a_margin_wide_enough_to_be_read_whole() -> None:
    chart = bar_chart("Days blocked", ["ING-001", "PLATFORM-0042"], [3.0, 12.5], decimals=1)
    assert [m.name for m in chart.marks] == ["ING-001", "PLATFORM-0042"]
    assert all(m.name_x - len(m.name) * CHAR >= 0 for m in chart.marks)
    assert chart.marks[1].x + chart.marks[1].width <= chart.width
    ticks = [t.text for t in chart.ticks]
    assert ticks[0] == "0" and float(ticks[-1]) >= 12.5


def test_percentiles_are_points_on_one_scale_not_bars() -> None:
    chart = scale_chart("Cycle", [("p50", 2.0), ("p85", 6.0), ("p95", 9.0), ("mean", 3.5)])
    assert {m.kind for m in chart.marks} == {"point"} and all(m.width == 0 for m in chart.marks)
    xs = [m.x for m in chart.marks]
    assert xs[0] < xs[3] < xs[1] < xs[2]  # ordered as the values are, on one axis
    same = scale_chart("Cycle", [("p50", 12.0), ("p85", 12.0), ("p95", 12.0), ("mean", 12.0)])
    assert len({m.name_y for m in same.marks}) == 4  # equal values: names stacked, not overprinted


def test_evidence_share_shows_both_parts() -> None:
    chart = share_chart("Evidence", 3, 4, part_name="with evidence", rest_name="without")
    assert [m.name for m in chart.marks] == ["with evidence: 3 (75 %)", "without: 1 (25 %)"]
    assert chart.marks[0].width == pytest.approx(3 * chart.marks[1].width, abs=0.02)


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


def test_page_renders_without_stats(page_repo) -> None:  # type: ignore[no-untyped-def]
    _, repo, _ = page_repo
    html = render_board_html(repo)
    assert (
        "<svg" not in html and len([c for _, col in _data(html)["columns"] for c in col]) == TASKS
    )


def _browser_or_skip() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing in CI: install Debian's chromium package")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); required in CI")


MEASURE = """(function () {
  var out = {width: innerWidth, height: innerHeight, clipped: [], cramped: []};
  out.overflow = document.documentElement.scrollWidth - innerWidth;
  out.figures = Array.from(document.querySelectorAll("figure.chart")).map(function (f) {
    var r = f.getBoundingClientRect(); return [r.top, r.bottom, r.left, r.right]; });
  document.querySelectorAll("figure svg").forEach(function (svg) {
    var b = svg.getBoundingClientRect();
    svg.querySelectorAll("text").forEach(function (t) {
      var r = t.getBoundingClientRect();
      if (r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 ||
          r.bottom > b.bottom + 0.5) { out.clipped.push(t.textContent); }
    });
  });
  document.querySelectorAll("figcaption, .card, .column h2, .filters label").forEach(function (e) {
    if (e.scrollWidth > e.clientWidth + 1) { out.cramped.push(e.textContent.slice(0, 40)); }
  });
  out.labels = Array.from(document.querySelectorAll("svg text.label")).map(function (t) {
    return t.firstChild.textContent; });
  out.squashed = Array.from(document.querySelectorAll(".column")).filter(function (c) {
    return c.clientHeight < c.querySelector("h2").offsetHeight; }).map(function (c) {
    return c.dataset.column; });
  document.querySelectorAll(".filters select, .filters input").forEach(function (e) {
    if (e.getBoundingClientRect().right > innerWidth) { out.cramped.push(e.id); } });
  var board = document.getElementById("columns").getBoundingClientRect();
  out.board = [board.top, board.height];
  return out;
}())"""


def _open(browser: Any, page_file: Path, width: int, height: int = 900) -> Any:
    from tests.board.chromium_cdp import Page

    page = Page(browser, width, height)
    page.load(page_file.as_uri())
    return page


@pytest.mark.parametrize("width", [1400, 900, 390])
def test_layout_in_headless_chromium(page_repo, tmp_path: Path, width: int) -> None:  # type: ignore[no-untyped-def]
    """At a desktop width, a small laptop and a phone: no label clipped, the charts start
    above the fold, the page never scrolls sideways, one screen holds the board's height
    (so its own sideways scrollbar is in reach)."""
    executable = _browser_or_skip()
    from tests.board.chromium_cdp import Browser

    root, _, html = page_repo
    page_file = root / "site" / "board.html"
    page_file.parent.mkdir()
    page_file.write_text(html, encoding="utf-8")
    browser = Browser(shutil.which(executable) or executable, tmp_path / "profile")
    try:
        page = _open(browser, page_file, width)
        seen = page.evaluate(MEASURE)
        shot = page.screenshot(tmp_path / f"board-{width}.png")
        print(f"screenshot: {shot}")
        assert seen["clipped"] == [] and seen["cramped"] == [], seen
        assert seen["overflow"] <= 0 and seen["squashed"] == [], seen
        assert "ING-001" in seen["labels"] and "PLATFORM-0042" in seen["labels"], seen
        assert len(seen["figures"]) == 5
        if width >= 900:
            assert all(top < seen["height"] for top, *_ in seen["figures"]), seen
            assert seen["board"][1] <= seen["height"], seen
        assert page.errors() == []
    finally:
        browser.close()


def test_page_in_headless_chromium(page_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    executable = _browser_or_skip()
    from tests.board.chromium_cdp import Browser

    root, repo, html = page_repo
    page_file = root / "site" / "board.html"
    page_file.parent.mkdir()
    page_file.write_text(html, encoding="utf-8")
    browser = Browser(shutil.which(executable) or executable, tmp_path / "profile")
    try:
        page = _open(browser, page_file, 1400)
        assert page.evaluate("document.querySelectorAll('.card').length") == len(board_rows(repo))
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.evaluate("document.querySelector('.card.blocked .reason') !== null")
        assert page.evaluate("document.querySelectorAll('svg line.point').length") == 4

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
        assert sorted(visible()) == ["PLATFORM-0042", "UI-1", "UI-2"]
        assert page.evaluate("document.getElementById('shown').textContent") == "3 of 9 shown"
        choose("filter-owner", "")
        choose("filter-plan", "PLAN-I")
        assert sorted(visible()) == ["ING-001", "ST-1", "ST-2", "ST-3", "ST-3a"]
        choose("filter-column", "Backlog")
        assert visible() == ["ST-3a"]
        choose("filter-plan", "")
        choose("filter-column", "")
        page.evaluate("document.getElementById('show-blocked').click()")
        assert sorted(visible()) == ["ING-001", "PLATFORM-0042", "ST-2"]
        assert page.errors() == []
    finally:
        browser.close()


def test_long_columns_are_drawn_a_page_at_a_time(make_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    executable = _browser_or_skip()
    from tests.board.chromium_cdp import Browser

    lines = "".join(f"- [ ] **BIG-{n}** Task {n}\n  - Status: Backlog\n" for n in range(1, 131))
    root = make_repo({"docs/plans/big.md": f"---\nid: BIG\ntitle: Big\n---\n{lines}"})
    html = render_board_html(load_repo(load_config(root), use_cache=False), output="b.html")
    (root / "b.html").write_text(html, encoding="utf-8")
    browser = Browser(shutil.which(executable) or executable, tmp_path / "profile")
    try:
        page = _open(browser, root / "b.html", 1400)
        count = "document.querySelectorAll('.card').length"
        assert page.evaluate(count) == 50
        more = "document.querySelector('.column[data-column=Backlog] .more')"
        assert page.evaluate(f"{more}.textContent") == "Show 50 more (80 not shown)"
        page.evaluate(f"{more}.click()")
        page.evaluate(f"{more}.click()")
        assert page.evaluate(count) == 130 and page.evaluate(f"{more}.hidden")
        page.evaluate(
            "var t = document.getElementById('filter-text'); t.value = 'big-12';"
            "t.dispatchEvent(new Event('input'))"
        )
        assert page.evaluate("document.getElementById('shown').textContent") == "11 of 130 shown"
        assert page.errors() == []
    finally:
        browser.close()
