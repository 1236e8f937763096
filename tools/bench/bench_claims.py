"""Benchmark task claims: claims per second against this clone's refs and against a
bare remote on the same disk (the best case for a remote: no network).

Measured in one run: one agent claiming distinct tasks one after another (the latency
of `ops.claim`: read the ref, write the claim commit, one compare-and-swap), and four
agents claiming the same set of tasks at once (every task claimed by exactly one, the
others refused: the throughput of contended claiming). No target: the figures size the
limits docs/parallel.md describes. CHARTER_BENCH_QUICK=1 claims fewer tasks.

    .venv/bin/python tools/bench/bench_claims.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from charter.claims import ops

QUICK = os.environ.get("CHARTER_BENCH_QUICK") == "1"
TASKS = 20 if QUICK else 200
AGENTS = 4


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=b", "-c", "user.email=b@b", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def setup(base: Path) -> Path:
    root = base / "clone"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "commit", "-q", "--allow-empty", "-m", "init")
    git(base, "init", "-q", "--bare", "-b", "main", str(base / "remote.git"))
    git(root, "remote", "add", "origin", str(base / "remote.git"))
    git(root, "push", "-q", "origin", "main")
    return root


def sequential(store: ops.Store, prefix: str) -> float:
    start = time.perf_counter()
    for n in range(TASKS):
        assert ops.claim(store, f"{prefix}-{n}", "solo", "1h").ok
    return TASKS / (time.perf_counter() - start)


def contended(store: ops.Store, prefix: str) -> tuple[float, int]:
    ids = [f"{prefix}-{n}" for n in range(TASKS)]

    def work(agent: int) -> int:
        order = ids[agent::AGENTS] + [i for k, i in enumerate(ids) if k % AGENTS != agent]
        return sum(
            ops.claim(store, task, f"agent-{agent}", "1h").action == "claimed" for task in order
        )

    start = time.perf_counter()
    with ThreadPoolExecutor(AGENTS) as pool:
        won = sum(pool.map(work, range(AGENTS)))
    elapsed = time.perf_counter() - start
    return TASKS * AGENTS / elapsed, won


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = setup(Path(tmp))
        print(f"{TASKS} tasks; {AGENTS} contending agents (threads, each claim runs git)")
        for label, remote in (("this clone (update-ref)", None), ("bare remote (push)", "origin")):
            store = ops.Store(root, remote)
            tag = "R" if remote else "L"
            solo = sequential(store, f"S{tag}")
            rate, won = contended(store, f"C{tag}")
            assert won == TASKS, f"{won} winners for {TASKS} tasks"
            print(
                f"{label}: {solo:.1f} claims/s one agent; {rate:.1f} attempts/s contended, "
                f"{won} winners for {TASKS} tasks"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
