"""Benchmark `charter stats` and `charter board --html` on the synthetic 50k-task corpus.

The corpus (tools/bench/corpus.py) is copied to a temporary folder and
committed with git, so that statistics have a plan history to read. Then, in
one run: `python -c pass` (the baseline), and

- `charter stats`, cold: `.charter/cache` deleted before every round (the
  plans parsed, the history read from the first commit);
- `charter stats`, warm: nothing changed since the last run;
- `charter stats` after one commit: one plan's first status toggled and
  committed before every round (the history cache reads that commit only);
- `charter board --html`: the board, its CSV and the page with its charts.

Targets (issues 21 and 23): stats at most 10 s cold and 2 s warm, the page
at most 5 s, at 50,000 tasks, and each within 300 MiB peak RSS (one more run
of each, its peak taken from `os.wait4`, which counts the children it reaped:
the page's forked statistics and the parse pool's child). CPU time (user +
system, children included) is reported beside the wall time: on a loaded
machine it is the steadier figure. Exit 0 when every target is met, 1 when
one is missed, 2 when a command failed.
CHARTER_BENCH_QUICK=1 uses a tenth of the corpus and checks no target.

    .venv/bin/python tools/bench/bench_stats.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # sibling modules, found through the sys.path line above
from bench_board import _STATUS, _Toggle
from bench_growth import run_measured
from timing import Bench, BenchError, charter, load, machine, python_c

STATS_COLD = 10.0
STATS_WARM = 2.0
PAGE = 5.0
MEMORY_MIB = 300.0
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def _git(root: Path, *args: str) -> None:
    done = subprocess.run(
        ["git", "-C", str(root), *args],
        env={**os.environ, **_GIT_ENV},
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace')}")


class _Commit:
    """Before every round: toggle one plan's status and commit it."""

    def __init__(self, root: Path, plan: Path) -> None:
        self.root = root
        self.toggle = _Toggle(plan)

    def __call__(self) -> None:
        self.toggle()
        _git(self.root, "commit", "-q", "--no-verify", "-am", "toggle a status")


def bench(root: Path, info: corpus.CorpusInfo, quick: bool) -> Bench:
    rounds = {"repeat": 2, "warmup": 1} if quick else {"repeat": 5, "warmup": 1}
    result = Bench(f"synthetic corpus: {info.plans:,} plans, {info.tasks:,} tasks", **rounds)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "--no-verify", "-m", "corpus")
    stats = [*charter(), "stats", "--repo", str(root)]
    cache = root / ".charter" / "cache"
    base = result.measure("python -c pass", python_c("pass"))
    result.measure(
        "stats, cold",
        stats,
        before=lambda: shutil.rmtree(cache, ignore_errors=True),
        ok=(0,),
        target=None if quick else STATS_COLD,
    )
    result.measure("stats, warm", stats, ok=(0,), target=None if quick else STATS_WARM)
    plans = sorted((root / "docs" / "plans").rglob("*.md"))
    plan = next(p for p in plans[len(plans) // 2 :] if _STATUS.search(p.read_bytes()))
    result.measure("stats, after one new commit", stats, before=_Commit(root, plan), ok=(0,))
    page = [*charter(), "board", "--html", "board.html", "--force", "--repo", str(root)]
    result.measure("board --html", page, ok=(0,), target=None if quick else PAGE)
    print(result.report(baseline=base), "\n", flush=True)
    return result


def peaks(root: Path) -> dict[str, float]:
    """Peak RSS in MiB of one more run of each command, as the table measured it."""
    cache = root / ".charter" / "cache"
    stats = [*charter(), "stats", "--repo", str(root)]
    page = [*charter(), "board", "--html", "board.html", "--force", "--repo", str(root)]
    found = {"python -c pass": run_measured(python_c("pass"), root, (0,))[1]}
    shutil.rmtree(cache, ignore_errors=True)
    found["stats, cold"] = run_measured(stats, root, (0,))[1]
    found["stats, warm"] = run_measured(stats, root, (0,))[1]
    found["board --html"] = run_measured(page, root, (0,))[1]
    return found


def main() -> int:
    quick = os.environ.get("CHARTER_BENCH_QUICK") == "1"
    scale = 10 if quick else 1
    print(f"# charter stats and board page\n\nmachine: {machine()}; {load()}\n", flush=True)
    try:
        source, info = corpus.ensure(
            "synthetic", plans=2_000 // scale, tasks=50_000 // scale, sessions=5_000 // scale
        )
        with tempfile.TemporaryDirectory(prefix="bench-stats-") as tmp:
            root = Path(tmp) / "repo"
            shutil.copytree(source, root)
            result = bench(root, info, quick)
            memory = peaks(root)
    except BenchError as exc:
        print(f"bench_stats: error: {exc}", file=sys.stderr)
        return 2
    print("Peak RSS, one run each: " + ", ".join(f"{k} {v:.0f} MiB" for k, v in memory.items()))
    print(f"After the run: {load()}.")
    for m in result.missed():
        print(
            f"bench_stats: target missed: {m.name}: median {m.median:.2f} s > {m.target} s",
            file=sys.stderr,
        )
    heavy = [] if quick else [k for k, v in memory.items() if v > MEMORY_MIB]
    for name in heavy:
        print(
            f"bench_stats: target missed: {name}: peak RSS {memory[name]:.0f} MiB "
            f"> {MEMORY_MIB:.0f} MiB",
            file=sys.stderr,
        )
    return 1 if result.missed() or heavy else 0


if __name__ == "__main__":
    sys.exit(main())
