"""The board as one self-contained HTML page: cards, filters, small SVG charts.

No network: inline CSS, inline script, inline SVG, and a Content-Security-Policy
that forbids loading anything. Task text is untrusted, so the template is
autoescaped, and a link is only ever a relative path (an Evidence value
`javascript:...` becomes the harmless relative link `./javascript:...`).
The rows are the board's rows (charter.board.render), so the page shows
exactly the tasks TaskBoard.md does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from charter.board.render import board_context, board_rows
from charter.repo import RepoModel
from charter.templating import render_template

if TYPE_CHECKING:
    from charter.stats.compute import Stats

TEMPLATE = "board.html.j2"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
CHART_WEEKS = 12


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as shown
    axis: str  # the label under the bar: shortened to fit, blank on every other crowded bar
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    note: str = ""


def render_board_html(
    repo: RepoModel, stats: Stats | None = None, *, output: str = "board.html"
) -> str:
    """The page's text. `output` (repo-relative) is where it will live, for relative links."""
    rows = board_rows(repo)
    context = board_context(repo, rows, output)
    tasks = {(t.path, t.line): t for t in repo.tasks() if t.id}
    plan_names = {p.path: str(p.frontmatter.get("id") or p.path) for p in repo.plans}
    config = repo.config
    for column in context["columns"]:
        for row in column["rows"]:
            task = tasks.get((row["plan"], row["line"]))
            row["plan_name"] = plan_names.get(row["plan"], row["plan"])
            row["level"] = (task.level if task else None) or ""
            row["parent"] = (task.parent if task else None) or ""
            row["blocked_reason"] = ""
            if column["name"] == config.blocked_column:
                reason = task and (task.value("blocked_reason") or task.value("notes"))
                row["blocked_reason"] = reason or "no reason given"
            for evidence in row["evidence"]:
                evidence["href"] = safe_href(evidence["href"])
            row["plan_href"] = safe_href(row["plan_href"])
    all_rows = [r for c in context["columns"] for r in c["rows"]]
    context["page"] = {
        "plans": sorted({r["plan_name"] for r in all_rows}),
        "owners": sorted({r["owner"] for r in all_rows if r["owner"]}),
        "unowned": any(not r["owner"] for r in all_rows),
        "charts": charts(stats, config.columns) if stats is not None else [],
        "stats_note": _stats_note(stats),
        "blocked": [r for r in all_rows if r["blocked_reason"]],
    }
    return render_template(config, TEMPLATE, **context)


def safe_href(href: str | None) -> str | None:
    """A relative link, never a scheme the browser would run or fetch."""
    if href is None:
        return None
    return "./" + href if _SCHEME.match(href) or href.startswith("//") else href


def _stats_note(stats: Stats | None) -> str:
    if stats is None:
        return ""
    note = f"From {stats.commits} plan commit(s)"
    if not stats.history:
        note = "No git history: current plans only"
    return note + (f", since {stats.since.isoformat()}" if stats.since else "") + "."


def charts(stats: Stats, columns: Sequence[str]) -> list[Chart]:
    result = []
    weeks = stats.throughput[-CHART_WEEKS:]
    if weeks:
        result.append(
            bar_chart(
                "Done per week", [w["week"][5:] for w in weeks], [float(w["done"]) for w in weeks]
            )
        )
    if stats.wip:
        latest = stats.wip[-1]
        result.append(
            bar_chart(
                f"Tasks per column, week of {latest['week']}",
                list(columns),
                [float(latest[c]) for c in columns],
            )
        )
    cycle = stats.cycle_time
    if cycle.get("count"):
        names = ["p50", "p85", "p95", "mean"]
        result.append(
            bar_chart(
                f"Cycle time in days ({cycle['count']} tasks)",
                names,
                [float(cycle[n]) for n in names],
                decimals=1,
            )
        )
    blocked = sorted(stats.blocked, key=lambda r: -r["days"])[:8]
    if blocked:
        result.append(
            bar_chart(
                "Days blocked",
                [r["task"] for r in blocked],
                [float(r["days"]) for r in blocked],
                decimals=1,
            )
        )
    evidence = stats.evidence
    if evidence.get("done"):
        share = float(evidence["share"]) * 100
        result.append(
            bar_chart(
                "Done tasks with evidence (%)",
                ["with evidence"],
                [share],
                top=100.0,
                decimals=0,
                note=f"{evidence['with_evidence']} of {evidence['done']}",
            )
        )
    return result


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    top: float | None = None,
    decimals: int = 0,
    note: str = "",
) -> Chart:
    """Vertical bars scaled to the largest value (or `top`), in a 300 x 140 box."""
    width, height, base, slot = 300, 140, 110, 300 / max(len(values), 1)
    peak = top if top is not None else max([*values, 1e-9])
    every = -(-len(values) // 6)  # about six readable labels at most
    fits = max(3, int(slot * every / 6.5))  # characters of 10px text in the label's room
    bars = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        size = 0.0 if peak <= 0 else (base - 20) * min(value, peak) / peak
        axis = "" if index % every else (label if len(label) <= fits else label[: fits - 1] + "…")
        bars.append(
            Bar(
                label,
                value,
                f"{value:.{decimals}f}",
                axis,
                round(index * slot + slot * 0.15, 2),
                round(base - size, 2),
                round(slot * 0.7, 2),
                round(size, 2),
            )
        )
    return Chart(title, width, height, tuple(bars), note)
