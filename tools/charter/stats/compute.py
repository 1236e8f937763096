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
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from charter.extras import missing_extra

try:
    import pandas as pd
except ImportError as exc:  # the [analytics] extra
    raise missing_extra("analytics", exc.name or "pandas") from exc

from charter.config import Config
from charter.errors import CharterError
from charter.evidence.manifest import load_manifests, summarize_runs
from charter.files import plan_files, relpath
from charter.ingest.fold import session_usage
from charter.model import SessionLog
from charter.parse.plans import parse_plan
from charter.repo import RepoModel
from charter.status import column_of

QUANTILES = (0.5, 0.85, 0.95)
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+\S")


@dataclass(frozen=True)
class Transition:
    task: str
    before: str | None  # None: the task appeared
    after: str | None  # None: the task was removed
    when: datetime


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
    config = repo.config
    now = now or datetime.now(UTC).astimezone()
    snapshots, commits, has_history = plan_history(config, repo)
    current = current_columns(repo)
    if not snapshots or snapshots[-1][1] != current:
        snapshots.append((now, current))
    moves = transitions(snapshots)
    stats = Stats(since, now, commits, has_history, columns=config.columns)
    frame = pd.DataFrame(  # from columns: asdict() on 50,000 moves cost seconds
        {
            "task": [m.task for m in moves],
            "before": [m.before for m in moves],
            "after": [m.after for m in moves],
            "when": [m.when for m in moves],
        },
        columns=["task", "before", "after", "when"],
    )
    done_at = _completions(frame, current, config)
    started_at = _starts(frame, config)
    last = snapshots[-1][0]  # weeks run to the last change, not to an idle today
    stats.throughput = _throughput(done_at, since, last)
    stats.cycle_time = _cycle_time(done_at, started_at, since)
    stats.wip = _wip(snapshots, config, since, last)
    stats.blocked = _blocked(frame, config, since, now)
    stats.sessions = _sessions(repo.sessions, since)
    stats.evidence = _evidence(repo, done_at, since)
    stats.runs = _runs(config, since)
    stats.tokens = _tokens(repo.sessions, since)
    return stats


# --- history ------------------------------------------------------------------------------

Snapshot = tuple[datetime, dict[str, str]]


def current_columns(repo: RepoModel) -> dict[str, str]:
    columns: dict[str, str] = {}
    for task in repo.tasks():
        if task.id is not None:
            columns[task.id] = column_of(task, repo.config)
    return columns


def plan_history(config: Config, repo: RepoModel | None = None) -> tuple[list[Snapshot], int, bool]:
    """Every first-parent commit touching a plan file: (date, task id -> column), oldest first.
    A version identical to the plan on disk is not parsed again: `repo` has it parsed."""
    root = config.root
    pathspecs = [f":(glob){pattern}" for pattern in config.plans]
    log = _git(
        root,
        "log",
        "--first-parent",
        "--diff-merges=first-parent",
        "--reverse",
        "--no-renames",
        "--format=%x1e%H%x09%cI",
        "--name-only",
        "--",
        *pathspecs,
    )
    if log is None:
        return [], 0, False
    wanted = {relpath(root, p) for p in plan_files(config)}
    commits: list[tuple[str, datetime, list[str]]] = []
    for record in log.split("\x1e")[1:]:
        head, _, names = record.partition("\n")
        sha, _, stamp = head.partition("\t")
        files = [n for n in names.splitlines() if n and _is_plan(n, config, wanted)]
        if files:
            commits.append((sha, datetime.fromisoformat(stamp.strip()), files))
    per_file: dict[str, dict[str, str]] = {}
    snapshots: list[Snapshot] = []
    parsed = {p.path: p for p in repo.plans} if repo is not None else {}
    on_disk: dict[str, bytes | None] = {}
    for sha, when, files in commits:
        for name, content in zip(files, _blobs(root, sha, files), strict=True):
            if content is None:
                per_file.pop(name, None)
            elif name in parsed and content == _disk(config, name, on_disk):
                per_file[name] = {t.id: column_of(t, config) for t in parsed[name].walk() if t.id}
            else:
                plan = parse_plan(name, content, config)
                per_file[name] = {t.id: column_of(t, config) for t in plan.walk() if t.id}
        merged: dict[str, str] = {}
        for name in sorted(per_file):
            merged.update(per_file[name])
        snapshots.append((when, merged))
    return snapshots, len(commits), True


def _is_plan(name: str, config: Config, present: set[str]) -> bool:
    """Plan files now, or deleted ones that were not generated files or session logs."""
    if name in present:
        return True
    generated = {config.board, config.handoff}
    return name not in generated and not name.startswith(config.sessions.rstrip("/") + "/")


def _disk(config: Config, name: str, seen: dict[str, bytes | None]) -> bytes | None:
    if name not in seen:
        try:
            seen[name] = config.path(name).read_bytes()
        except OSError:
            seen[name] = None
    return seen[name]


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "-c", "core.quotepath=off", *args],
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")


def _blobs(root: Path, sha: str, names: list[str]) -> list[bytes | None]:
    """Each file's content at `sha` (None: deleted there), in one `git cat-file --batch`."""
    request = "".join(f"{sha}:{name}\n" for name in names).encode()
    done = subprocess.run(
        ["git", "-C", str(root), "cat-file", "--batch"],
        input=request,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise CharterError(f"git cat-file failed: {done.stderr.decode(errors='replace')}", root)
    out, pos = done.stdout, 0
    result: list[bytes | None] = []
    for _ in names:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if header[-1] == b"missing":
            result.append(None)
            continue
        size = int(header[2])
        result.append(out[pos : pos + size])
        pos += size + 1
    return result


def transitions(snapshots: list[Snapshot]) -> list[Transition]:
    moves: list[Transition] = []
    previous: dict[str, str] = {}
    for when, state in snapshots:
        for task, column in state.items():
            if previous.get(task) != column:
                moves.append(Transition(task, previous.get(task), column, when))
        moves.extend(
            Transition(task, column, None, when)
            for task, column in previous.items()
            if task not in state
        )
        previous = state
    return moves


# --- measures -----------------------------------------------------------------------------


def _completions(frame: pd.DataFrame, current: dict[str, str], config: Config) -> pd.Series:
    """When each task that is Done now last moved into Done."""
    into_done = frame[frame["after"] == config.done_column]
    last = into_done.groupby("task")["when"].max()
    done_now = [t for t, c in current.items() if c == config.done_column]
    return last[last.index.isin(done_now)]


def _starts(frame: pd.DataFrame, config: Config) -> pd.Series:
    started = frame[frame["after"] == config.active_column]
    return started.groupby("task")["when"].min()


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
    for task, finished in done_at.items():
        started = started_at.get(task)
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
    snapshots: list[Snapshot], config: Config, since: date | None, last: datetime
) -> list[dict[str, Any]]:
    if not snapshots:
        return []
    first = snapshots[0][0].date()
    start = max(first, since) if since is not None else first
    rows: list[dict[str, Any]] = []
    index = 0
    state: dict[str, str] = {}
    for week in _weeks(start, last.date()):
        end = datetime.combine(week + timedelta(days=7), time.min, last.tzinfo)
        while index < len(snapshots) and snapshots[index][0] < end:
            state = snapshots[index][1]
            index += 1
        counts = pd.Series(list(state.values()), dtype="object").value_counts()
        rows.append(
            {"week": week.isoformat(), **{c: int(counts.get(c, 0)) for c in config.columns}}
        )
    return rows


def _blocked(
    frame: pd.DataFrame, config: Config, since: date | None, now: datetime
) -> list[dict[str, Any]]:
    floor = datetime.combine(since, time.min, now.tzinfo) if since is not None else None
    by_task: dict[str, list[tuple[Any, Any]]] = {}
    ordered = frame.sort_values("when", kind="stable")
    # Plain tuples, not a groupby of frames: 50,000 tasks made that the page's slowest step.
    for task, after, when in zip(ordered["task"], ordered["after"], ordered["when"], strict=True):
        by_task.setdefault(task, []).append((after, when))
    rows = []
    for task in sorted(by_task):
        total = 0.0
        entered: datetime | None = None
        for after, when in by_task[task]:
            if after == config.blocked_column and entered is None:
                entered = when
            elif after != config.blocked_column and entered is not None:
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


def session_date(log: SessionLog) -> date | None:
    for key in ("started", "date", "start"):
        value = log.frontmatter.get(key)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str) and _DATE_IN_NAME.match(value):
            return date.fromisoformat(value[:10])
    found = _DATE_IN_NAME.search(Path(log.path).name)
    return date.fromisoformat(found.group(1)) if found else None


def count_commands(log: SessionLog) -> int:
    """List items and table body rows under every heading that mentions commands."""
    total = 0
    for section in log.sections:
        if "command" not in section.title.lower():
            continue
        table_rows = 0
        for line in section.body.splitlines():
            if _LIST_ITEM.match(line):
                total += 1
            elif line.lstrip().startswith("|"):
                table_rows += 1
        total += max(0, table_rows - 2)  # header and separator rows
    return total


def _sessions(logs: tuple[SessionLog, ...], since: date | None) -> list[dict[str, Any]]:
    rows = []
    for log in logs:
        if log.task is None:
            continue
        when = session_date(log)
        if since is not None and (when is None or when < since):
            continue
        rows.append({"task": log.task, "commands": count_commands(log)})
    if not rows:
        return []
    frame = pd.DataFrame(rows)
    grouped = frame.groupby("task").agg(sessions=("task", "size"), commands=("commands", "sum"))
    return [
        {"task": str(task), "sessions": int(r.sessions), "commands": int(r.commands)}
        for task, r in grouped.iterrows()
    ]


def _evidence(repo: RepoModel, done_at: pd.Series, since: date | None) -> dict[str, Any]:
    config = repo.config
    done = 0
    proven = 0
    for task in repo.tasks():
        if task.id is None or column_of(task, config) != config.done_column:
            continue
        if since is not None:
            finished = done_at.get(task.id)
            if finished is None or finished.date() < since:
                continue
        done += 1
        if task.evidence and all((repo.root / e.path).exists() for e in task.evidence):
            proven += 1
    share = round(proven / done, 4) if done else None
    return {"done": done, "with_evidence": proven, "share": share}


def _runs(config: Config, since: date | None) -> list[dict[str, Any]]:
    manifests = [
        m for m in load_manifests(config) if since is None or m["started"][:10] >= since.isoformat()
    ]
    return [{"task": task, **row} for task, row in summarize_runs(manifests).items()]


def _tokens(logs: tuple[SessionLog, ...], since: date | None) -> list[dict[str, Any]]:
    rows = []
    for log in logs:
        when = session_date(log)
        if since is not None and (when is None or when < since):
            continue
        usage = session_usage(log.text)
        if usage is not None:
            rows.append(
                {
                    "session": Path(log.path).stem,
                    "task": log.task or "",
                    "input": usage.input,
                    "output": usage.output,
                    "total": usage.total,
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
