"""Benchmark `charter mcp`: a tool call on a 200-task repository, once the server is up.

An agent starts the server once per conversation and then calls its tools many
times, so the figure that matters is the latency of one call on a running
server. Measured in one run, in a repository made by `charter init` with 200
tasks in eight plans: the baseline `python -c pass`; the same operations
through the CLI (a fresh `charter task show|next` process each, as an agent
shelling out pays them); and, through the official SDK's client over stdio,
each tool call's latency on a running server (median of many calls, after
one warm-up call each).

Target: every MCP tool call at most 50 ms.
Exit 0 when met, 1 when missed, 2 when a measured command failed.
CHARTER_BENCH_QUICK=1 takes fewer rounds and checks no target.

    .venv/bin/python tools/bench/bench_mcp.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import Bench, BenchError, charter, load, machine, python_c

TARGET_S = 0.050
PLANS = 8
TASKS_PER_PLAN = 25
QUICK = os.environ.get("CHARTER_BENCH_QUICK") == "1"
CALLS = 5 if QUICK else 40


def make_repo(base: Path) -> Path:
    root = base / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run([*charter(), "init", "."], cwd=root, check=True, capture_output=True)
    for plan in range(PLANS):
        lines = ["---", f"id: P{plan}", f"title: Plan {plan}", "---", f"# Plan {plan}", ""]
        for n in range(TASKS_PER_PLAN):
            task = f"P{plan}-{n + 1}"
            lines += [f"- [ ] **{task}** Task {n + 1} of plan {plan}", "  - Status: Backlog"]
            lines += ["  - Owner: team", f"  - Priority: P{n % 3}"]
            if n:
                lines.append(f"  - Depends: P{plan}-{n}")
        (root / "docs" / "plans" / f"plan-{plan}.md").write_text("\n".join(lines) + "\n")
    subprocess.run([*charter(), "board"], cwd=root, check=True, capture_output=True)
    return root


CALLS_TO_TIME = [
    ("show_task", {"task_id": "P3-7"}),
    ("next_task", {"limit": 5}),
    ("list_tasks", {"text": "plan 5", "limit": 50}),
    ("guard_explain", {"command": "git status"}),
]


async def time_tool_calls(root: Path) -> dict[str, list[float]]:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "charter", "mcp"], cwd=str(root)
    )
    times: dict[str, list[float]] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        for name, arguments in CALLS_TO_TIME:
            first = await session.call_tool(name, arguments)  # warm-up: imports, caches
            if first.is_error:
                raise BenchError(f"{name}: {first.content}")
            runs = []
            for _ in range(CALLS):
                start = time.perf_counter()
                result = await session.call_tool(name, arguments)
                runs.append(time.perf_counter() - start)
                if result.is_error:
                    raise BenchError(f"{name}: {result.content}")
            times[name] = runs
    return times


def main() -> int:
    print(machine(), load(), sep="\n")
    with tempfile.TemporaryDirectory() as tmp:
        root = make_repo(Path(tmp))
        bench = Bench(
            f"MCP tool calls against the CLI, {PLANS * TASKS_PER_PLAN} tasks",
            repeat=3 if QUICK else 7,
        )
        base = bench.measure("python -c pass", python_c("pass"))
        bench.measure("CLI: charter task show P3-7", [*charter(), "task", "show", "P3-7"], cwd=root)
        bench.measure("CLI: charter task next", [*charter(), "task", "next"], cwd=root)
        print(bench.report(baseline=base))
        try:
            times = asyncio.run(time_tool_calls(root))
        except BenchError as exc:
            print(f"bench_mcp: {exc}", file=sys.stderr)
            return 2
    print(f"\n## MCP tool calls on a running server ({CALLS} calls each)\n")
    print(f"{'tool':<16} {'median':>9} {'p90':>9} {'x base':>7}  target")
    missed = False
    for name, runs in times.items():
        median = statistics.median(runs)
        p90 = sorted(runs)[int(0.9 * (len(runs) - 1))]
        met = median <= TARGET_S
        missed |= not met
        print(
            f"{name:<16} {median * 1000:6.1f} ms {p90 * 1000:6.1f} ms "
            f"{median / base.median:7.2f}  <= {TARGET_S * 1000:.0f} ms: "
            f"{'met' if met else 'MISSED'}"
        )
    return 1 if missed and not QUICK else 0


if __name__ == "__main__":
    sys.exit(main())
