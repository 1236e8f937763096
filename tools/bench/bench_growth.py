"""How every routine command grows with the number of tasks: wall time, peak memory, exponent.

For each size (1k, 5k, 20k, 50k and 100k tasks) and each layout (many plans
of 25 tasks, or one plan holding them all) a repository is made the way a
team makes one: `charter init`, plans written (30 % of tasks depend on the one
before, a mix of statuses, done tasks with evidence), the board and the
handoff generated, all committed. Then each command runs as a user runs it,
one process per run, and its wall time, CPU time (user + system) and peak RSS
(os.wait4) are taken; a command that edits the repository is undone with git
before the next. A bare interpreter (`python -c pass`) runs in the same run,
as the baseline.

The growth exponent is the slope of log(time - baseline) against log(tasks),
least squares over the sizes measured: about 1 is linear, 2 quadratic, 0 flat.
It is fitted to wall time and to CPU time: on a shared machine wall time carries
the other processes' load, CPU time much less of it.

    .venv/bin/python tools/bench/bench_growth.py            # 1k to 50k (a long run)
    CHARTER_BENCH_QUICK=1 .venv/bin/python tools/bench/bench_growth.py   # 500 to 4,000
    CHARTER_GROWTH_SIZES=1000,5000,20000,50000,100000 .venv/bin/python tools/bench/bench_growth.py
    CHARTER_GROWTH_LAYOUTS=many .venv/bin/python tools/bench/bench_growth.py   # one layout

`make bench` runs it with the defaults: 1k, 5k, 20k and 50k tasks in both
layouts. 100,000 tasks is asked for by name (CHARTER_GROWTH_SIZES): each size
takes several times as long as the one before (docs/benchmarks.md has the minutes).

Prints a Markdown table per layout and writes out/growth.json. Exit 0 always
unless a command crashed (exit 2): the targets live in bench_check.py.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import BenchError, charter, load, machine, user_env

OUT_DIR = Path(__file__).resolve().parent / "out"
SIZES = (1_000, 5_000, 20_000, 50_000)  # 100_000 only when asked for: see above
QUICK_SIZES = (500, 1_000, 2_000, 4_000)
PLAN_TASKS = 25
LAYOUTS = ("many", "one")  # plans of PLAN_TASKS tasks, or one plan holding them all
_GATE_TABLE = """| Metric | Aggregate | Threshold | Source | Blocking |
|---|---|---|---|---|
| failed | max | == 0 | .runs/tests/*.jsonl | yes |
"""
# Task n's status is STATUSES[7n mod 8]: task 8 is in the backlog, task 7 to do.
STATUSES = ("Backlog", "Todo", "In Progress", "Review", "Blocked", "Done", "Done", "Done")


@dataclass
class Command:
    name: str
    args: list[str]
    before: Callable[[Path], None] | None = None
    edits: bool = False  # undo its changes with git afterwards
    ok: tuple[int, ...] = (0, 1)


@dataclass
class Result:
    wall: dict[int, float] = field(default_factory=dict)
    rss_mib: dict[int, float] = field(default_factory=dict)
    cpu: dict[int, float] = field(default_factory=dict)  # user + system seconds
    failed: dict[int, str] = field(default_factory=dict)


def _plan_text(prefix: str, first: int, count: int) -> str:
    lines = [
        "---",
        f"id: {prefix}",
        f"title: Plan {prefix}",
        "owner: team",
        "status: active",
        "next_review: 2099-01-01",
        "level: L2",
        "---",
        f"# Plan {prefix}",
        "",
    ]
    for n in range(first, first + count):
        status = STATUSES[(n * 7) % len(STATUSES)]
        box = "x" if status == "Done" else " "
        lines += [f"- [{box}] **{prefix}-{n}** Task {n} of plan {prefix}", f"  - Status: {status}"]
        lines += ["  - Owner: team", f"  - Priority: P{n % 4}"]
        if n > first and (n * 3) % 10 < 3:
            lines.append(f"  - Depends: {prefix}-{n - 1}")
        if status == "Blocked":
            lines.append("  - Blocked: waiting on a review")
        if status == "Done":
            lines.append("  - Evidence: docs/evidence/run.txt")
    return "\n".join(lines) + "\n"


def make_repo(dest: Path, tasks: int, layout: str) -> Path:
    """An initialised, committed repository holding `tasks` tasks."""
    marker = dest / ".git" / "charter-growth.json"
    if marker.is_file():
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    env = {**user_env(), "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com"}
    env |= {"GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}

    def run(*cmd: str) -> None:
        subprocess.run(cmd, cwd=dest, env=env, check=True, capture_output=True)

    run("git", "init", "-q")
    run(*charter(), "init")
    (dest / "docs" / "plans" / "example.md").unlink()
    (dest / "docs" / "evidence").mkdir(parents=True)
    (dest / "docs" / "evidence" / "run.txt").write_text("ok\n")
    plans = dest / "docs" / "plans"
    prefix = "ALL" if layout == "one" else "P0"
    with (dest / "docs" / "telemetry" / "GATES.md").open("a") as gates:
        gates.write(f"\n## Plan {prefix}\n\n{_GATE_TABLE}")
    if layout == "one":
        (plans / "all.md").write_text(_plan_text("ALL", 1, tasks))
    else:
        for number in range(tasks // PLAN_TASKS):
            folder = plans / f"area-{number // 100:03d}"
            folder.mkdir(exist_ok=True)
            text = _plan_text(f"P{number}", 1, PLAN_TASKS)
            (folder / f"plan-{number:05d}.md").write_text(text)
    run(*charter(), "board", "--force")  # the example plan's rows go with it
    run(*charter(), "handoff", "--force")
    run("git", "add", "-A")
    run("git", "commit", "-q", "--no-verify", "-m", "bench repository")
    marker.write_text(json.dumps({"tasks": tasks, "layout": layout}))
    return dest


def _drop_cache(root: Path) -> None:
    shutil.rmtree(root / ".charter" / "cache", ignore_errors=True)


def _touch_plan(root: Path) -> None:
    plan = next(iter(sorted((root / "docs" / "plans").rglob("*.md"))))
    with plan.open("a") as handle:
        handle.write("\n")


def _fill_log(root: Path) -> None:
    """Write the session log's sections, as the agent would before ending."""
    logs = sorted((root / "docs" / "agents" / "sessions").glob("*session-*.md"))
    if logs:
        logs[-1].write_text(re.sub(r"\(fill in[^)]*\)", "done", logs[-1].read_text()))


def commands(layout: str) -> list[Command]:
    task = "ALL-8" if layout == "one" else "P0-8"
    other = "ALL-7" if layout == "one" else "P0-7"
    return [
        Command("check, cold", ["check", "-q"], before=_drop_cache),
        Command("check, warm", ["check", "-q"]),
        Command("check, one plan edited", ["check", "-q"], before=_touch_plan, edits=True),
        Command("board", ["board"], edits=True),
        Command("board --check", ["board", "--check"]),
        Command("board --html", ["board", "--html", "board.html"], edits=True),
        Command("handoff", ["handoff"], edits=True),
        Command("handoff --check", ["handoff", "--check"]),
        Command("task show", ["task", "show", task]),
        Command("task next", ["task", "next"]),
        Command("task set", ["task", "set", task, "--status", "In Progress"], edits=True),
        Command(
            "task done",
            ["task", "done", task, "--evidence", "docs/evidence/run.txt"],
            edits=True,
        ),
        Command("task block", ["task", "block", other, "--reason", "bench"], edits=True),
        Command("stats", ["stats"]),
        Command("gates", ["gates"], ok=(0, 1, 2)),
        Command("session start", ["session", "start", task, "--agent", "bench"], ok=(0,)),
        Command("session status", ["session", "status"]),
        Command("session end", ["session", "end"], before=_fill_log, edits=True, ok=(0,)),
        Command("guard", ["guard", "--command", "ls docs"], ok=(0, 2)),
        Command("reconcile", ["reconcile"]),
    ]


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    rss_mib: float  # peak resident set
    cpu: float  # user + system seconds


def run_measured(cmd: list[str], cwd: Path, ok: tuple[int, ...]) -> Run:
    """Wall time, peak RSS and CPU time of one run; BenchError when it fails."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=user_env(), stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in ok:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            raise BenchError(f"exit {proc.returncode}: {' / '.join(tail)}")
    return Run(wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)  # KiB on Linux


def _undo(root: Path) -> None:
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=root, check=False)
    subprocess.run(["git", "clean", "-qfd", "--", "docs"], cwd=root, check=False)
    (root / "board.html").unlink(missing_ok=True)


def exponent(points: dict[int, float], floor: float = 0.005) -> float | None:
    """The least-squares slope of log(time) against log(size); None with under two points."""
    if len(points) < 2:
        return None
    xs = [math.log(n) for n in points]
    ys = [math.log(max(t, floor)) for t in points.values()]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else None


def measure(sizes: tuple[int, ...], layout: str, base: Run) -> dict[str, Result]:
    results = {c.name: Result() for c in commands(layout)}
    for n in sizes:
        root = make_repo(OUT_DIR / f"growth-{layout}-{n}", n, layout)
        measure_repo(root, n, layout, results)
        print(f"  {layout}: {n:,} tasks measured ({load()})", file=sys.stderr, flush=True)
        done = tuple(m for m in sizes if m <= n)
        _save_partial(layout, done, results, base)
    return results


def measure_repo(root: Path, n: int, layout: str, results: dict[str, Result]) -> None:
    """Run every command once on `root` (a repository of `n` tasks made by `make_repo`)."""
    for command in commands(layout):
        if command.before is not None:
            command.before(root)
        result = results.setdefault(command.name, Result())
        try:
            run = run_measured([*charter(), *command.args], root, command.ok)
            result.wall[n], result.rss_mib[n], result.cpu[n] = run.wall, run.rss_mib, run.cpu
        except BenchError as exc:
            result.failed[n] = str(exc)[:120]
        if command.edits:
            _undo(root)


def _save_partial(
    layout: str, sizes: tuple[int, ...], results: dict[str, Result], base: Run | None = None
) -> None:
    """What is measured so far, so that a long run stopped early still says something."""
    OUT_DIR.mkdir(exist_ok=True)
    data = {name: _result_json(r) for name, r in results.items()}
    (OUT_DIR / f"growth-partial-{layout}.json").write_text(
        json.dumps({"sizes": sizes, "python_c_pass": _run_json(base), "results": data})
    )


def _result_json(result: Result) -> dict[str, object]:
    return {
        "wall": result.wall,
        "cpu": result.cpu,
        "rss_mib": result.rss_mib,
        "failed": result.failed,
    }


def _run_json(run: Run | None) -> dict[str, float] | None:
    return None if run is None else {"wall": run.wall, "cpu": run.cpu, "rss_mib": run.rss_mib}


def table(layout: str, sizes: tuple[int, ...], results: dict[str, Result], base: Run) -> str:
    head = " | ".join(f"{n:,}" for n in sizes)
    lines = [
        f"### {'one plan' if layout == 'one' else f'plans of {PLAN_TASKS} tasks'}",
        "",
        "Wall time / CPU time in seconds (peak RSS in MiB); `python -c pass`: "
        f"{base.wall:.3f} s wall, {base.cpu:.3f} s CPU ({base.rss_mib:.0f} MiB).",
        "",
        f"| command | {head} | exponent (wall) | exponent (CPU) |",
        "|---|" + "---|" * len(sizes) + "---|---|",
    ]
    for name, result in results.items():
        cells = []
        for n in sizes:
            if n in result.failed:
                cells.append("failed")
            elif n in result.wall:
                cpu = f"{result.cpu[n]:.2f}" if n in result.cpu else "?"
                cells.append(f"{result.wall[n]:.2f} / {cpu} ({result.rss_mib[n]:.0f})")
            else:
                cells.append("")
        for times, floor in ((result.wall, base.wall), (result.cpu, base.cpu)):
            slope = exponent({n: t - floor for n, t in times.items()})
            cells.append(f"{slope:.2f}" if slope is not None else "")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    failures = [(name, n, why) for name, r in results.items() for n, why in r.failed.items()]
    lines += ["", *(f"- {name} at {n:,}: {why}" for name, n, why in failures)]
    return "\n".join(lines)


def _sizes() -> tuple[int, ...]:
    chosen = os.environ.get("CHARTER_GROWTH_SIZES")
    if chosen:
        return tuple(int(s) for s in chosen.split(",") if s.strip())
    return QUICK_SIZES if os.environ.get("CHARTER_BENCH_QUICK") == "1" else SIZES


def _layouts() -> tuple[str, ...]:
    chosen = os.environ.get("CHARTER_GROWTH_LAYOUTS")
    if not chosen:
        return LAYOUTS
    picked = tuple(s.strip() for s in chosen.split(",") if s.strip())
    unknown = [s for s in picked if s not in LAYOUTS]
    if unknown:
        raise SystemExit(f"bench_growth: unknown layout {unknown[0]!r} (have: many, one)")
    return picked


def main() -> int:
    sizes = _sizes()
    layouts = _layouts()
    print(f"# charter growth benchmark\n\nmachine: {machine()}; {load()}\n", flush=True)
    OUT_DIR.mkdir(exist_ok=True)  # the baseline runs there, before any repository is made
    bare = [run_measured([sys.executable, "-c", "pass"], OUT_DIR, (0,)) for _ in range(5)]
    base = sorted(bare, key=lambda run: run.wall)[len(bare) // 2]
    report: dict[str, object] = {"sizes": sizes, "python_c_pass": _run_json(base), "layouts": {}}
    try:
        for layout in layouts:
            results = measure(sizes, layout, base)
            print(table(layout, sizes, results, base) + "\n", flush=True)
            report["layouts"][layout] = {  # type: ignore[index]
                name: _result_json(r) for name, r in results.items()
            }
    except (BenchError, subprocess.CalledProcessError) as exc:
        print(f"bench_growth: error: {exc}", file=sys.stderr)
        return 2
    OUT_DIR.mkdir(exist_ok=True)
    (OUT_DIR / "growth.json").write_text(json.dumps(report, indent=1))
    print(f"After the run: {load()}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
