"""Run every benchmark in tools/bench/ (each `bench_*.py`), one after another.

Each runs as its own process, so one benchmark's imports and caches never
colour another's figures, and never in parallel, so they do not compete for
the CPU. Their reports print as they come; a summary follows. `make bench`
calls this.

    .venv/bin/python tools/bench/run_all.py            # all of them
    .venv/bin/python tools/bench/run_all.py check      # only bench_check.py
    CHARTER_BENCH_QUICK=1 .venv/bin/python tools/bench/run_all.py   # a quick smoke run

Exit 0 when every benchmark exited 0; otherwise 1 (a missed target) or 2 (a
benchmark failed), the worst seen.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts(names: list[str]) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    if not names:
        return found
    wanted = {n.removeprefix("bench_").removesuffix(".py") for n in names}
    picked = [p for p in found if p.stem.removeprefix("bench_") in wanted]
    unknown = wanted - {p.stem.removeprefix("bench_") for p in picked}
    if unknown:
        known = ", ".join(p.stem.removeprefix("bench_") for p in found)
        raise SystemExit(
            f"run_all: no benchmark named {', '.join(sorted(unknown))} (have: {known})"
        )
    return picked


def main(argv: list[str] | None = None) -> int:
    chosen = scripts(list(sys.argv[1:] if argv is None else argv))
    results: list[tuple[str, int, float]] = []
    for script in chosen:
        print(f"\n==> {script.name}\n", flush=True)
        start = time.perf_counter()
        code = subprocess.run(
            [sys.executable, str(script)], cwd=HERE.parents[1], check=False
        ).returncode
        results.append((script.name, code, time.perf_counter() - start))
    print("\n==> summary\n")
    meaning = {0: "ok", 1: "target missed"}
    for name, code, elapsed in results:
        print(f"{name:<24} {meaning.get(code, f'failed (exit {code})'):<20} {elapsed:6.0f} s")
    codes = {code for _, code, _ in results}
    return 0 if codes <= {0} else 1 if codes <= {0, 1} else 2


if __name__ == "__main__":
    sys.exit(main())
