"""Benchmark the OS sandbox of `charter run`: `charter run -- true` with it and without it.

Measured in one run, round by round interleaved, in a scratch repository
whose policy allows `true`:
the bare interpreter (`python -c pass`, the baseline), `charter run -- true`
with `sandbox: off` (the guard alone) and with `sandbox: auto` (the strongest
kind this system offers), then the same in a repository of 5,000 files in
250 folders, where finding the forbidden and protected paths costs a walk
(first run) or a `stat` per folder (later runs, from the cache).

Target: the sandbox adds at most 30 ms to `charter run -- true` in the small
repository (median with it minus median without, taken in the same run).
Exit 0 when met, 1 when missed, 2 when a measured command failed or this
system offers no sandbox (then nothing about its cost can be said).
CHARTER_BENCH_QUICK=1 takes fewer rounds and checks no target.

    .venv/bin/python tools/bench/bench_sandbox.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import Bench, BenchError, Measurement, charter, load, machine, run_timed

TARGET_ADDED_S = 0.030
POLICY = """\
---
charter_policy: 1
default_level: L1
sandbox: {mode}
levels:
  L1:
    title: Edit & test
    allow: ["true", "pytest"]
forbidden_paths: [".env", "*.pem", "*.key", "secrets/**"]
protected_paths: ["Makefile"]
---
# Autonomy policy
"""


def scratch_repo(base: Path, name: str, files: int = 0) -> Path:
    root = base / name
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".env").write_text("KEY=secret\n", encoding="utf-8")
    for index in range(files):
        folder = root / "src" / f"pkg{index // 20:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"module{index:05d}.py").write_text("x = 1\n", encoding="utf-8")
    return root


def set_mode(root: Path, mode: str) -> None:
    policy = root / "docs" / "agents" / "AUTONOMY.md"
    policy.parent.mkdir(parents=True, exist_ok=True)
    policy.write_text(POLICY.format(mode=mode), encoding="utf-8")


def interleaved(
    bench: Bench, runs: list[tuple[str, list[str], Path | None, str]]
) -> list[Measurement]:
    """Measure `runs` round by round, one of each per round, after the bench's warm-up."""
    results = [Measurement(name, [], None, note) for name, _, _, note in runs]
    for round_no in range(bench.warmup + bench.repeat):
        for result, (_, cmd, cwd, _) in zip(results, runs, strict=True):
            wall, cpu = run_timed(cmd, ok=(0,), cwd=cwd)
            if round_no >= bench.warmup:
                result.times.append(wall)
                if cpu is not None:
                    result.cpu.append(cpu)
    bench.results.extend(results)
    return results


def in_process(root: Path, rounds: int) -> tuple[float, float]:
    """Medians (seconds) of starting and reaping `true` with subprocess.Popen, and through
    the sandbox (plan, launcher, start, reap, clean-up), interleaved in this process:
    the sandbox's own cost, without an interpreter's start-up around it."""
    import statistics
    import time

    from charter.guard.cache import load_compiled
    from charter.sandbox.launcher import launcher
    from charter.sandbox.plan import build_plan

    policy = load_compiled(str(root), "docs/agents/AUTONOMY.md")
    plain: list[float] = []
    boxed: list[float] = []
    env = dict(os.environ)
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.Popen(["true"], cwd=root, env=env).wait()
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        chosen = launcher(build_plan(str(root), policy, "L1", env))
        chosen(["true"], cwd=root, env=env).wait()
        chosen.close()
        boxed.append(time.perf_counter() - start)
    return statistics.median(plain), statistics.median(boxed)


def main() -> int:
    from charter.sandbox.system import capabilities

    quick = os.environ.get("CHARTER_BENCH_QUICK") == "1"
    system = capabilities()
    if system.best_kind() == "none":
        print(f"bench_sandbox: this system offers no OS sandbox ({system.summary()})")
        return 2
    bench = Bench("charter run -- true, with and without the OS sandbox", repeat=5 if quick else 25)
    run = [*charter(), "run", "--", "true"]
    with tempfile.TemporaryDirectory() as temp:
        small = scratch_repo(Path(temp), "small")
        large = scratch_repo(Path(temp), "large", files=5000)
        cache = large / ".charter" / "cache" / "sandbox-tree.json"
        set_mode(large, "auto")
        set_mode(small, "auto")
        small_off = small.with_name("small-off")
        large_off = large.with_name("large-off")
        for source, copy in ((small, small_off), (large, large_off)):
            shutil.copytree(source, copy, symlinks=True)
            set_mode(copy, "off")
        try:
            # the rounds of the runs compared are interleaved, so a machine whose load
            # changes during the run weighs on each of them alike
            base, off, on, big_off, big_on = interleaved(
                bench,
                [
                    ("baseline: python -c pass", [sys.executable, "-c", "pass"], None, ""),
                    ("charter run -- true, sandbox: off", run, small_off, ""),
                    (
                        "charter run -- true, sandbox: auto",
                        run,
                        small,
                        f"kind {system.best_kind()} ({system.summary()})",
                    ),
                    ("5,000 files, sandbox: off", run, large_off, ""),
                    ("5,000 files, sandbox: auto", run, large, "tree cache warm"),
                ],
            )
            large_cold = bench.measure(
                "5,000 files, sandbox: auto, cold",
                run,
                ok=(0,),
                cwd=large,
                before=lambda: cache.unlink(missing_ok=True),
                note="tree cache removed: the whole tree is walked",
                repeat=5 if quick else 10,
            )
            plain, boxed = in_process(small, 10 if quick else 50)
        except BenchError as exc:
            print(f"bench_sandbox: {exc}", file=sys.stderr)
            return 2
    print(machine())
    print(load())
    print()
    print(bench.report(baseline=base))
    print()
    added = on.median - off.median
    print(
        f"the sandbox adds {added * 1000:.1f} ms to charter run -- true (target <= 30 ms)", end=""
    )
    if on.cpu_median is not None and off.cpu_median is not None:
        # CPU time is what a loaded machine distorts least
        print(f"; {(on.cpu_median - off.cpu_median) * 1000:.1f} ms of CPU time", end="")
    print()
    print(
        f"in one process: starting and reaping `true` takes {plain * 1000:.1f} ms, "
        f"{boxed * 1000:.1f} ms through the sandbox (plan, launcher, clean-up included)"
    )
    warm = big_on.median - big_off.median
    cold = large_cold.median - big_off.median
    print(
        f"in 5,000 files it adds {warm * 1000:.1f} ms warm, {cold * 1000:.1f} ms with the ", end=""
    )
    print("tree cache removed")
    if not quick and added > TARGET_ADDED_S:
        print(f"MISSED: the sandbox added {added * 1000:.1f} ms")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
