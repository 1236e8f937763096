"""Benchmark: `charter gates` on 1 million metric events (JSON Lines).

Generates the events in a temporary governed repository, runs `charter gates`
there as a whole process (start-up, pandas import, reading, aggregation), and
reports wall time, peak RSS of the child, and the ratio to `python -c pass`
measured in the same run.

    python tools/bench/bench_gates.py [--events N] [--record .runs/bench/gates.jsonl]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GATES = """\
# Telemetry gates

## Plan BENCH

| Metric | Aggregate | Threshold | Source | Blocking |
|---|---|---|---|---|
| latency.ms | p95 | < 950 ms | Logs/*.jsonl#type=DatabaseWrite | yes |
| latency.ms | p99 | < 990 ms | Logs/*.jsonl#type=DatabaseWrite | yes |
| ok=false | share | < 3% | Logs/*.jsonl | yes |
| * | count | > 0 | Logs/*.jsonl#type=Request | yes |
"""


def generate(root: Path, events: int) -> int:
    (root / "docs/plans").mkdir(parents=True)
    (root / "docs/telemetry").mkdir(parents=True)
    (root / "Logs").mkdir()
    (root / "charter.toml").write_text("", encoding="utf-8")
    (root / "docs/plans/bench.md").write_text(
        "---\nid: BENCH\ntitle: Bench\n---\n- [ ] **BN-1** gate me\n", encoding="utf-8"
    )
    (root / "docs/telemetry/GATES.md").write_text(GATES, encoding="utf-8")
    rng = random.Random(1)
    path = root / "Logs/events.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(events):
            out.write(
                json.dumps(
                    {
                        "ts": f"2025-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z",
                        "type": "DatabaseWrite" if i % 2 else "Request",
                        "latency": {"ms": round(rng.random() * 1000, 2)},
                        "ok": i % 50 != 0,
                    }
                )
                + "\n"
            )
    return path.stat().st_size


def timed(argv: list[str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--record",
        type=Path,
        default=None,
        metavar="JSONL",
        help="Append the result as one JSON line (docs/telemetry/GATES.md reads "
        ".runs/bench/gates.jsonl).",
    )
    args = parser.parse_args()
    charter = [sys.executable, "-m", "charter", "gates"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        size = generate(root, args.events)
        baseline = statistics.median(
            timed([sys.executable, "-c", "pass"], root)[0] for _ in range(5)
        )
        runs = [timed(charter, root) for _ in range(args.runs)]
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    best = min(t for t, _ in runs)
    print(f"events: {args.events:,} ({size / 1e6:.0f} MB JSON Lines), 4 gates")
    print(f"python -c pass: {baseline * 1000:.1f} ms (median of 5)")
    print(
        f"charter gates: best {best:.2f} s, median {statistics.median(t for t, _ in runs):.2f} s"
        f" of {args.runs} runs; exit {runs[0][1]}"
    )
    print(f"ratio to python -c pass: {best / baseline:.0f}x")
    print(f"peak RSS of a child process: {peak_kib / 1024:.0f} MiB")
    print(f"throughput: {args.events / best / 1e6:.2f} M events/s")
    if args.record is not None:
        args.record.parent.mkdir(parents=True, exist_ok=True)
        with args.record.open("a", encoding="utf-8") as out:
            out.write(
                json.dumps(
                    {
                        "bench": "gates",
                        "events": args.events,
                        "seconds": round(best, 3),
                        "baseline_seconds": round(baseline, 4),
                        "ratio": round(best / baseline, 1),
                        "peak_mib": round(peak_kib / 1024, 1),
                    }
                )
                + "\n"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
