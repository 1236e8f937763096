"""`charter stats`: throughput, cycle time, WIP, blocked time, sessions, evidence."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from charter.commands.common import config_for, echo_json, format_option, repo_option

if TYPE_CHECKING:
    from charter.stats.compute import Stats


@click.command("stats")
@click.option(
    "--since",
    "since",
    default=None,
    metavar="YYYY-MM-DD",
    help="Only weeks, completions, sessions and blocked time from this date on.",
)
@format_option(("text", "json", "csv"))
@repo_option
def stats(since: str | None, output_format: str, repo_dir: Path | None) -> int:
    """Delivery statistics from the plans, their git history and the session logs.

    See docs/stats.md for how each figure is derived.
    """
    from charter.stats.compute import cached_stats, to_csv  # lazy: pandas only when this runs

    try:
        since_date = date.fromisoformat(since) if since else None
    except ValueError as exc:
        raise click.BadParameter(
            f"{since!r} is not a date (YYYY-MM-DD)", param_hint="--since"
        ) from exc
    result = cached_stats(config_for(repo_dir), since_date)
    if output_format == "json":
        echo_json(result.to_dict())
    elif output_format == "csv":
        click.echo(to_csv(result), nl=False)
    else:
        click.echo(format_text(result))
    return 0


def format_text(s: Stats) -> str:
    out = [
        f"charter stats: {s.commits} plan commit(s) read"
        + ("" if s.history else " (no git history: current plans only)")
        + (f", since {s.since.isoformat()}" if s.since else "")
    ]
    out += ["", "Throughput (tasks done per week)"]
    out += _table(["week", "done"], s.throughput) if s.throughput else ["  none yet"]
    c = s.cycle_time
    out += ["", "Cycle time, first In Progress to Done (days)"]
    if c.get("count"):
        out.append(
            f"  {c['count']} task(s): p50 {c['p50']:.2f}, p85 {c['p85']:.2f}, "
            f"p95 {c['p95']:.2f}, mean {c['mean']:.2f}"
        )
    else:
        out.append("  no task has moved from In Progress to Done")
    out += ["", "WIP per column (end of week)"]
    out += _table(["week", *s.columns], s.wip) if s.wip else ["  no history"]
    out += ["", "Blocked time (days)"]
    out += _table(["task", "days", "blocked_now"], s.blocked) if s.blocked else ["  none"]
    out += ["", "Sessions and commands per task"]
    out += _table(["task", "sessions", "commands"], s.sessions) if s.sessions else ["  none"]
    e = s.evidence
    out += ["", "Evidence"]
    if e.get("done"):
        out.append(
            f"  {e['with_evidence']} of {e['done']} done task(s) have evidence "
            f"that exists ({e['share'] * 100:.0f} %)"
        )
    else:
        out.append("  no done tasks")
    out += ["", "Runs per task (run manifests)"]
    run_keys = ["task", "runs", "failures", "failure_rate", "seconds", "denied"]
    out += _table(run_keys, s.runs) if s.runs else ["  none"]
    out += ["", "Tokens per session (ingested transcripts)"]
    token_keys = ["session", "task", "input", "output", "total"]
    out += _table(token_keys, s.tokens) if s.tokens else ["  none"]
    return "\n".join(out)


def _table(keys: list[str], rows: list[dict[str, Any]]) -> list[str]:
    cells = [keys] + [[_cell(r.get(k)) for k in keys] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(keys))]
    return [
        "  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
