"""The board as one self-contained HTML page: cards, filters, small SVG charts.

No network: inline CSS, inline script, inline SVG, and a Content-Security-Policy
that forbids loading anything. Task text is untrusted, so the template is
autoescaped, and a link is only ever a relative path (an Evidence value
`javascript:...` becomes the harmless relative link `./javascript:...`).
The rows are the board's rows (charter.board.render), so the page shows
exactly the tasks TaskBoard.md does.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from charter.board.charts import Chart, bar_chart, column_chart, scale_chart, share_chart
from charter.board.render import _GLOB, BoardRow, _relative, board_rows
from charter.model import Task
from charter.repo import RepoModel
from charter.templating import render_template

if TYPE_CHECKING:
    from charter.stats.compute import Stats

TEMPLATE = "board.html.j2"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
CHART_WEEKS = 12


PAGE_SIZE = 50  # cards per column drawn at first; "Show more" adds as many again


@dataclass(frozen=True)
class Figures:
    """What the page shows of the statistics: its charts and a note on where they come from."""

    charts: tuple[Chart, ...] = ()
    note: str = ""


def page_figures(stats: Stats | None, columns: Sequence[str]) -> Figures:
    if stats is None:
        return Figures()
    return Figures(tuple(charts(stats, columns)), _stats_note(stats))


def render_board_html(
    repo: RepoModel,
    stats: Stats | None = None,
    *,
    output: str = "board.html",
    rows: Sequence[BoardRow] | None = None,
    figures: Figures | None = None,
) -> str:
    """The page's text. `output` (repo-relative) is where it will live, for relative links
    (or, with `repo_url` configured, links go to the hosting repository's web pages).
    `figures`: the statistics' charts when worked out already (else drawn from `stats`)."""
    config = repo.config
    if figures is None:
        figures = page_figures(stats, config.columns)
    rows = board_rows(repo) if rows is None else rows
    links = Links(config.repo_url, posixpath.dirname(output))
    tasks = {(t.path, t.line): t for t in repo.tasks()}
    plan_names = {p.path: str(p.frontmatter.get("id") or p.path) for p in repo.plans}
    plan_index: dict[str, int] = {}
    plans: list[list[str]] = []
    cards: dict[str, list[list[Any]]] = {name: [] for name in config.columns}
    owners: set[str] = set()
    evidence_links: dict[str, list[Any]] = {}  # many tasks cite one file: link it once
    blocked_column = config.blocked_column
    for row in rows:
        task = tasks.get((row.plan, row.line))
        index = plan_index.get(row.plan)
        if index is None:
            index = plan_index[row.plan] = len(plans)
            plans.append([plan_names.get(row.plan, row.plan), links.plan(row.plan)])
        level, priority, reason = card_fields(task, row.column == blocked_column)
        owners.add(row.owner)
        evidence = []
        for path in row.evidence:
            link = evidence_links.get(path)
            if link is None:
                link = evidence_links[path] = [path, links.evidence(path)]
            evidence.append(link)
        cards.setdefault(row.column, []).append(
            [
                row.id,
                row.title,
                row.owner,
                level,
                priority,
                index,
                row.line,
                list(row.depends),
                evidence,
                reason,
                (task.parent if task else None) or "",
            ]
        )
    data = {"plans": plans, "columns": [[name, items] for name, items in cards.items()]}
    columns = [{"name": name, "count": len(items)} for name, items in cards.items()]
    blocked = len(cards.get(config.blocked_column, []))
    text = script_json(data)
    # 50,000 cards as lists weigh more than their JSON: let them go before the page is
    # rendered, which holds a few copies of its text at once (peak RSS at 50k tasks).
    del data, cards
    page = {
        "plans": sorted({p[0] for p in plans}),
        "owners": sorted(o for o in owners if o),
        "unowned": "" in owners,
        "charts": list(figures.charts),
        "stats_note": figures.note,
        "blocked": blocked,
        "page_size": PAGE_SIZE,
        "data": text,
    }
    context = {
        "title": "Task board",
        "total": len(rows),
        "columns": columns,
        "plan_count": len(repo.plans),
        "plans": list(config.plans),
        "blocked_column": config.blocked_column,
        "page": page,
    }
    return render_template(config, TEMPLATE, **context)


def card_fields(task: Task | None, blocked: bool) -> tuple[str, str, str]:
    """A card's level, priority and (on a blocked card) blocked reason, the first of a
    repeated field winning as `Task.value` does: one pass over the task's fields."""
    if task is None:
        return "", "", "no reason given" if blocked else ""
    level = priority = reason = notes = None
    for field in task.fields:
        name = field.name
        if name == "level":
            level = field.value if level is None else level
        elif name == "priority":
            priority = field.value if priority is None else priority
        elif name == "blocked_reason":
            reason = field.value if reason is None else reason
        elif name == "notes":
            notes = field.value if notes is None else notes
    shown = (reason or notes or "no reason given") if blocked else ""
    return level or "", priority or "", shown


def script_json(data: Any) -> str:
    """JSON safe inside <script type="application/json">: no `<`, `>` or `&` can end the
    element or open a comment, whatever the task text holds."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Links:
    """Where a plan line or an evidence file links: relative to the page, or, with
    `repo_url`, to that file's page on the hosting repository (so the page works when it
    is published on its own, e.g. as a CI artifact)."""

    def __init__(self, repo_url: str, base: str) -> None:
        self.repo_url = repo_url.rstrip("/")
        self.base = base

    def _web(self, path: str) -> str:
        if "{path}" in self.repo_url:
            return self.repo_url.replace("{path}", quote(path))
        return f"{self.repo_url}/blob/HEAD/{quote(path)}"

    def plan(self, path: str) -> str:
        """The plan's link without the line: the page adds `#L<line>`."""
        return self._web(path) if self.repo_url else safe_href(_relative(path, self.base)) or ""

    def evidence(self, path: str) -> str | None:
        if _GLOB.search(path):
            return None
        return self._web(path) if self.repo_url else safe_href(_relative(path, self.base))


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
            column_chart(
                "Done per week",
                [w["week"][5:] for w in weeks],
                [float(w["done"]) for w in weeks],
                note=f"weeks from {weeks[0]['week']}",
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
            scale_chart(
                f"Cycle time in days ({cycle['count']} tasks)",
                [(n, float(cycle[n])) for n in names],
                note="p85: 85 % of tasks were done within this many days",
            )
        )
    # Tasks blocked only since the last commit have 0 days yet: a row of zeros says nothing.
    blocked = sorted(
        (r for r in stats.blocked if r["days"] > 0), key=lambda r: (-r["days"], r["task"])
    )[:8]
    if blocked:
        result.append(
            bar_chart(
                "Days blocked (longest 8)",
                [r["task"] for r in blocked],
                [float(r["days"]) for r in blocked],
                decimals=1,
            )
        )
    evidence = stats.evidence
    if evidence.get("done"):
        result.append(
            share_chart(
                f"Done tasks with their evidence ({evidence['done']} done)",
                int(evidence["with_evidence"]),
                int(evidence["done"]),
                part_name="evidence on disk",
                rest_name="evidence missing",
            )
        )
    return result
