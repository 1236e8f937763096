"""Delivery statistics from the plans, their git history and the session logs (pandas).

Each commit that touched a plan file is a snapshot of every task's board
column; consecutive snapshots give the transitions (task, from, to, when),
dated by the commit's committer date in its own time zone. Uncommitted edits
to the plans count as one more snapshot, dated `now`. History is read along
the first-parent line (what the main branch saw, merges included), so work
on side branches counts when it was merged.

- throughput: tasks whose last move into Done falls in each ISO week (Monday
  first), for tasks that are Done now;
- cycle time: from a task's first move into In Progress to that last move
  into Done, in days (p50, p85, p95, mean);
- WIP: tasks per column at the end of each week (or at `now`);
- blocked time: days each task spent in Blocked (still blocked: up to `now`);
- sessions and commands per task: session logs by their `task`; commands are
  the list items and table rows under a heading that mentions "command";
- evidence: the share of Done tasks whose Evidence paths exist;
- runs per task, from the run manifests (charter.evidence.manifest): runs, failures,
  failure rate, seconds spent, denied commands;
- tokens per session, where an agent transcript was ingested into its log.

`since` keeps weeks, completions, sessions and blocked time from that date on.

The history is read incrementally and cached (charter.stats.history); `charter
stats` takes the plans' and logs' facts from a per-file cache (charter.stats.facts)
instead of the full repository model. The measures work on the moves as columns
(pandas), not row by row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from charter.extras import missing_extra

try:
    import numpy as np
    import pandas as pd
except ImportError as exc:  # the [analytics] extra
    raise missing_extra("analytics", exc.name or "pandas") from exc

from charter.config import Config
from charter.evidence.manifest import load_manifests, summarize_runs
from charter.parse.plans import parse_plan
from charter.repo import RepoModel
from charter.stats.facts import Facts, SessionFacts, cached_facts, facts_of_repo
from charter.stats.history import State, add_moves, read_history
from charter.status import column_of

QUANTILES = (0.5, 0.85, 0.95)


@dataclass
class Stats:
    since: date | None
    now: datetime
    commits: int  # plan-file commits read
    history: bool  # False when the repository has no git history to read
    throughput: list[dict[str, Any]] = field(default_factory=list)  # week, done
    cycle_time: dict[str, Any] = field(default_factory=dict)  # count, p50, p85, p95, mean, tasks
    wip: list[dict[str, Any]] = field(default_factory=list)  # week, then one key per column
    blocked: list[dict[str, Any]] = field(default_factory=list)  # task, days, now_blocked
    sessions: list[dict[str, Any]] = field(default_factory=list)  # task, sessions, commands
    evidence: dict[str, Any] = field(default_factory=dict)  # done, with_evidence, share
    runs: list[dict[str, Any]] = field(default_factory=list)  # task, runs, failures, ...
    tokens: list[dict[str, Any]] = field(default_factory=list)  # session, task, input, ...
    columns: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["since"] = self.since.isoformat() if self.since else None
        data["now"] = self.now.isoformat()
        data["columns"] = list(self.columns)
        return data


def compute_stats(repo: RepoModel, since: date | None = None, now: datetime | None = None) -> Stats:
    """Statistics of a loaded repository (the board page has one)."""
    return stats_from_facts(repo.config, facts_of_repo(repo), since, now, use_cache=repo.cache)


def cached_stats(config: Config, since: date | None = None, now: datetime | None = None) -> Stats:
    """Statistics of the repository on disk from cached per-file facts and cached history:
    `charter stats` never builds the full repository model."""
    return stats_from_facts(config, cached_facts(config), since, now)


def stats_from_facts(
    config: Config,
    facts: Facts,
    since: date | None = None,
    now: datetime | None = None,
    *,
    use_cache: bool = True,
) -> Stats:
    now = now or datetime.now(UTC).astimezone()
    history = read_history(
        config, facts.known, lambda name, data: _columns(name, data, config), use_cache=use_cache
    )
    current = facts.columns
    times = history.times
    if not times or history.state() != current:
        # Uncommitted edits to the plans are one more snapshot, dated now.
        add_moves(history, history.state(), current, len(times))
        times = [*times, now]
    stats = Stats(since, now, history.commits, history.available, columns=config.columns)
    frame = pd.DataFrame(  # from columns: a row per move cost seconds at 50,000 tasks
        {
            "task": history.task,
            "before": history.before,
            "after": history.after,
            "when": pd.Series([times[s] for s in history.snap], dtype="object"),
            "snap": history.snap,
        },
        columns=["task", "before", "after", "when", "snap"],
    )
    moments = np.array([t.timestamp() for t in times], dtype="float64")
    frame["at"] = moments[np.array(history.snap, dtype="int64")] if len(frame) else 0.0
    done_at = _completions(frame, current, config)
    started_at = _starts(frame, config)
    last = times[-1]  # weeks run to the last change, not to an idle today
    stats.throughput = _throughput(done_at, since, last)
    stats.cycle_time = _cycle_time(done_at, started_at, since)
    stats.wip = _wip(frame, times, config, since, last)
    stats.blocked = _blocked(frame, config, since, now)
    stats.sessions = _sessions(facts.sessions, since)
    stats.evidence = _evidence(config, facts, done_at, since)
    stats.runs = _runs(config, since)
    stats.tokens = _tokens(facts.sessions, since)
    return stats


def _columns(name: str, data: bytes, config: Config) -> State:
    """A plan version's task columns, in walk order (a later mention wins)."""
    return {t.id: column_of(t, config) for t in parse_plan(name, data, config).walk() if t.id}


# --- measures -----------------------------------------------------------------------------


def _completions(frame: pd.DataFrame, current: dict[str, str], config: Config) -> pd.Series:
    """When each task that is Done now last moved into Done."""
    last = _when(frame, frame["after"] == config.done_column, latest=True)
    done_now = [t for t, c in current.items() if c == config.done_column]
    return last[last.index.isin(done_now)]


def _starts(frame: pd.DataFrame, config: Config) -> pd.Series:
    return _when(frame, frame["after"] == config.active_column, latest=False)


def _when(frame: pd.DataFrame, chosen: pd.Series, *, latest: bool) -> pd.Series:
    """Each task's latest (or earliest) move among the `chosen` rows, as the commit's own
    datetime. Grouped on the moment as a number: a groupby over datetime objects runs in
    Python per group (seconds at 50,000 tasks). The first of equal moments wins, as max
    and min over the objects would pick."""
    moves = frame[chosen]
    grouped = moves.groupby("task")["at"]
    rows = grouped.idxmax() if latest else grouped.idxmin()
    return pd.Series(
        frame["when"].to_numpy()[rows.to_numpy(dtype="int64")], index=rows.index, dtype="object"
    )


def week_of(moment: datetime | date) -> date:
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def _weeks(first: date, last: date) -> Iterator[date]:
    week = week_of(first)
    while week <= last:
        yield week
        week += timedelta(days=7)


def _throughput(done_at: pd.Series, since: date | None, last: datetime) -> list[dict[str, Any]]:
    days = [when.date() for when in done_at.tolist()]
    if since is not None:
        days = [d for d in days if d >= since]
    if not days:
        return []
    counts = pd.Series([week_of(d) for d in days]).value_counts()
    start = since if since is not None else min(days)
    return [
        {"week": w.isoformat(), "done": int(counts.get(w, 0))} for w in _weeks(start, last.date())
    ]


def _cycle_time(done_at: pd.Series, started_at: pd.Series, since: date | None) -> dict[str, Any]:
    rows = []
    # A dict, not the Series: looking one label up in pandas costs tens of microseconds.
    starts = dict(zip(started_at.index, started_at.to_numpy(), strict=True))
    for task, finished in zip(done_at.index, done_at.to_numpy(), strict=True):
        started = starts.get(task)
        if started is None or started > finished:
            continue
        if since is not None and finished.date() < since:
            continue
        days = (finished - started).total_seconds() / 86400
        rows.append(
            {
                "task": task,
                "started": started.isoformat(),
                "done": finished.isoformat(),
                "days": round(days, 4),
            }
        )
    result: dict[str, Any] = {"count": len(rows), "tasks": sorted(rows, key=lambda r: r["task"])}
    if rows:
        days_series = pd.Series([r["days"] for r in rows], dtype="float64")
        for q in QUANTILES:
            result[f"p{round(q * 100)}"] = round(float(days_series.quantile(q)), 4)
        result["mean"] = round(float(days_series.mean()), 4)
    return result


def _wip(
    frame: pd.DataFrame, times: list[datetime], config: Config, since: date | None, last: datetime
) -> list[dict[str, Any]]:
    """Tasks per column at the end of each week: the column counts after each snapshot are
    the running sum of the moves (+1 into `after`, -1 out of `before`), not a walk of every
    snapshot's tasks."""
    if not times:
        return []
    columns = list(config.columns)
    ins = frame[frame["after"].isin(columns)].groupby(["snap", "after"]).size()
    outs = frame[frame["before"].isin(columns)].groupby(["snap", "before"]).size()
    table = pd.DataFrame(0, index=range(len(times)), columns=columns, dtype="int64")
    if len(ins):
        table = table.add(ins.unstack(fill_value=0), fill_value=0)
    if len(outs):
        table = table.sub(outs.unstack(fill_value=0), fill_value=0)
    counts = table[columns].fillna(0).astype("int64").cumsum().to_numpy().tolist()
    first = times[0].date()
    start = max(first, since) if since is not None else first
    rows: list[dict[str, Any]] = []
    index = 0  # snapshots before `index` are in the state
    for week in _weeks(start, last.date()):
        end = datetime.combine(week + timedelta(days=7), time.min, last.tzinfo)
        while index < len(times) and times[index] < end:
            index += 1
        state = counts[index - 1] if index else [0] * len(columns)
        rows.append({"week": week.isoformat(), **dict(zip(columns, state, strict=True))})
    return rows


def _blocked(
    frame: pd.DataFrame, config: Config, since: date | None, now: datetime
) -> list[dict[str, Any]]:
    floor = datetime.combine(since, time.min, now.tzinfo) if since is not None else None
    blocked = config.blocked_column
    # Only tasks that were ever blocked have blocked time: the rest are left out in one step.
    ever = frame.loc[frame["after"] == blocked, "task"].unique()
    moves = frame[frame["task"].isin(ever)].sort_values("when", kind="stable")
    by_task: dict[str, list[tuple[Any, Any]]] = {}
    for task, after, when in zip(moves["task"], moves["after"], moves["when"], strict=True):
        by_task.setdefault(task, []).append((after, when))
    rows = []
    for task in sorted(by_task):
        total = 0.0
        entered: datetime | None = None
        for after, when in by_task[task]:
            if after == blocked and entered is None:
                entered = when
            elif after != blocked and entered is not None:
                total += _overlap(entered, when, floor)
                entered = None
        if entered is not None:
            total += _overlap(entered, now, floor)
        if total > 0 or entered is not None:
            rows.append(
                {"task": task, "days": round(total / 86400, 4), "blocked_now": entered is not None}
            )
    return rows


def _overlap(start: datetime, end: datetime, floor: datetime | None) -> float:
    if floor is not None:
        start = max(start, floor)
    return max(0.0, (end - start).total_seconds())


def _sessions(logs: list[SessionFacts], since: date | None) -> list[dict[str, Any]]:
    rows = []
    for log in logs:
        if log.task is None:
            continue
        if since is not None and (log.day is None or log.day < since):
            continue
        rows.append({"task": log.task, "commands": log.commands})
    if not rows:
        return []
    frame = pd.DataFrame(rows)
    grouped = frame.groupby("task").agg(sessions=("task", "size"), commands=("commands", "sum"))
    return [
        {"task": str(task), "sessions": int(r.sessions), "commands": int(r.commands)}
        for task, r in grouped.iterrows()
    ]


def _evidence(
    config: Config, facts: Facts, done_at: pd.Series, since: date | None
) -> dict[str, Any]:
    done = 0
    proven = 0
    exists: dict[str, bool] = {}  # many tasks cite one file: look at it once
    finished_on = {task: when.date() for task, when in done_at.items()} if since else {}
    for task, evidence in facts.done:
        if since is not None:
            finished = finished_on.get(task)
            if finished is None or finished < since:
                continue
        done += 1
        if evidence and all(_exists(config, path, exists) for path in evidence):
            proven += 1
    share = round(proven / done, 4) if done else None
    return {"done": done, "with_evidence": proven, "share": share}


def _exists(config: Config, path: str, seen: dict[str, bool]) -> bool:
    found = seen.get(path)
    if found is None:
        found = seen[path] = (config.root / path).exists()
    return found


def _runs(config: Config, since: date | None) -> list[dict[str, Any]]:
    manifests = [
        m for m in load_manifests(config) if since is None or m["started"][:10] >= since.isoformat()
    ]
    return [{"task": task, **row} for task, row in summarize_runs(manifests).items()]


def _tokens(logs: list[SessionFacts], since: date | None) -> list[dict[str, Any]]:
    rows = []
    for log in logs:
        if since is not None and (log.day is None or log.day < since):
            continue
        if log.usage is not None:
            tokens_in, tokens_out, total = log.usage
            rows.append(
                {
                    "session": log.name,
                    "task": log.task or "",
                    "input": tokens_in,
                    "output": tokens_out,
                    "total": total,
                }
            )
    return rows


# --- output -------------------------------------------------------------------------------


def to_csv(stats: Stats) -> str:
    """One long table: table, key, column, value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("table", "key", "column", "value"))
    for row in stats.throughput:
        writer.writerow(("throughput", row["week"], "done", row["done"]))
    for name in ("count", *(f"p{round(q * 100)}" for q in QUANTILES), "mean"):
        if name in stats.cycle_time:
            writer.writerow(("cycle_time_days", "", name, stats.cycle_time[name]))
    for task in stats.cycle_time.get("tasks", []):
        writer.writerow(("cycle_time_days", task["task"], "days", task["days"]))
    for row in stats.wip:
        for column in stats.columns:
            writer.writerow(("wip", row["week"], column, row[column]))
    for row in stats.blocked:
        writer.writerow(("blocked_days", row["task"], "days", row["days"]))
    for row in stats.sessions:
        writer.writerow(("sessions", row["task"], "sessions", row["sessions"]))
        writer.writerow(("sessions", row["task"], "commands", row["commands"]))
    for key in ("done", "with_evidence", "share"):
        writer.writerow(("evidence", "", key, stats.evidence.get(key)))
    for row in stats.runs:
        for key in ("runs", "failures", "failure_rate", "seconds", "denied"):
            writer.writerow(("runs", row["task"], key, row[key]))
    for row in stats.tokens:
        for key in ("input", "output", "total"):
            writer.writerow(("tokens", row["session"], key, row[key]))
    return out.getvalue()
