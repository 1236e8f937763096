"""Benchmark `charter check`, cold and warm, on the realistic and the synthetic corpus.

For each corpus, in one run: `python -c pass` (the baseline), a process that
reads every plan and session log (the floor for any Python tool that reads
them), then `charter check --repo DIR` with the parse cache removed before
every round (cold), with the cache as the previous round left it (warm: the
last check's result is replayed, checks.replay), warm with only the
memo and the replay record dropped (every file's facts from the facts cache, the
rules that compare files over them), and warm with one plan edited before every round (the
pre-commit case: one file parsed and checked again, checks.incremental): a
trailing line added, and a task's status changed (which changes what the
rules that compare files read of the plan).

Exit 0 when every target is met, 1 when one is missed, 2 when charter crashed
or found a different number of plans, tasks or session logs than the corpus
holds. CHARTER_BENCH_QUICK=1 runs a tenth of the synthetic corpus, fewer rounds,
and checks no targets: a smoke test of the benchmark itself.

    .venv/bin/python tools/bench/bench_check.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # a sibling module, found through the line above
from timing import Bench, BenchError, Measurement, charter, load, machine, python_c, user_env

# Targets, in seconds of wall time (issue 21, CH-F-9): on the 1.8 MB realistic corpus, and
# at 50k tasks, cold, warm and after one plan is edited. The report gives each figure as a
# ratio to `python -c pass` in the same run too, which carries over between machines.
REALISTIC_COLD = 0.5
REALISTIC_WARM = 0.1
SYNTHETIC_COLD = 4.0
SYNTHETIC_WARM = 0.3
SYNTHETIC_EDIT = 0.3

READ_ALL = """
import os, sys
total = 0
for folder, _, names in os.walk(os.path.join(sys.argv[1], "docs")):
    for name in names:
        if name.endswith(".md"):
            with open(os.path.join(folder, name), "rb") as handle:
                total += len(handle.read())
"""
_SUMMARY = re.compile(rb"(\d+) plan\(s\), (\d+) task\(s\), (\d+) session log\(s\)")


def _verify(root: Path, info: corpus.CorpusInfo) -> None:
    """charter must read what the corpus holds: a fast run that skipped files proves nothing."""
    cmd = [*charter(), "check", "--no-cache", "--repo", str(root)]
    proc = subprocess.run(cmd, capture_output=True, env=user_env(), check=False)
    found = _SUMMARY.search(proc.stderr)
    if proc.returncode not in (0, 1) or found is None:
        raise BenchError(
            f"{' '.join(cmd)} exited {proc.returncode}:\n"
            + proc.stderr.decode("utf-8", "replace")[-2000:]
        )
    counts = tuple(int(n) for n in found.groups())
    if counts != (info.plans, info.tasks, info.sessions):
        raise BenchError(
            f"charter read {counts} (plans, tasks, logs) in {root}; "
            f"the corpus holds {(info.plans, info.tasks, info.sessions)}"
        )


def _drop_cache(root: Path) -> Callable[[], None]:
    def drop() -> None:
        shutil.rmtree(root / ".charter" / "cache", ignore_errors=True)

    return drop


def _drop_memo(root: Path) -> Callable[[], None]:
    def drop() -> None:
        # The replay record too: it would answer without reading the memo.
        for name in ("check.cache", "check-replay.cache"):
            (root / ".charter" / "cache" / name).unlink(missing_ok=True)

    return drop


_STATUS = re.compile(rb"(Status: *)([^\n]*)")


def _trailing_line(text: bytes) -> bytes:
    return text + b"\n"


def _status_changed(text: bytes) -> bytes:
    """The first task's status changed: the plan's facts and its summary for the rules that
    compare files change too (a trailing line changes neither)."""
    found = _STATUS.search(text)
    if found is None:
        return text + b"\n"
    new = b"Review" if found.group(2) != b"Review" else b"Todo"
    return text[: found.start(2)] + new + text[found.end(2) :]


class _Editor:
    """Changes one plan before every round (`change`, on then off) and restores it."""

    def __init__(self, path: Path, change: Callable[[bytes], bytes] = _trailing_line):
        self.path = path
        self.original = path.read_bytes()
        self.changed = change(self.original)
        self.edited = False

    def __call__(self) -> None:
        self.edited = not self.edited
        self.path.write_bytes(self.changed if self.edited else self.original)

    def restore(self) -> None:
        self.path.write_bytes(self.original)


def bench_corpus(
    title: str,
    root: Path,
    info: corpus.CorpusInfo,
    bench: Bench,
    cold_target: float | None,
    warm_target: float | None,
    edit_target: float | None = None,
) -> None:
    _verify(root, info)
    check = [*charter(), "check", "--repo", str(root)]
    bench.title = (
        f"{title}: {info.plans:,} plans, {info.tasks:,} tasks, "
        f"{info.sessions:,} session logs, {info.bytes / 1e6:.2f} MB"
    )
    base = bench.measure("python -c pass", python_c("pass"))
    read = bench.measure("read all plans and logs", [*python_c(READ_ALL), str(root)])
    # Each cold round drops the cache, so it needs no warm-up round; at 50,000 tasks one
    # round takes many seconds, and three of them show the spread well enough.
    repeat, warmup = (3, 0) if info.tasks > 10_000 else (None, None)
    bench.measure(
        "charter check, cold cache",
        check,
        before=_drop_cache(root),
        target=cold_target,
        repeat=repeat,
        warmup=warmup,
    )
    bench.measure("charter check, warm cache", check, target=warm_target)
    # The warm case without the memo of the plan rules' findings: every file's facts read
    # back, the one-file findings replayed and the rules that compare files run over them.
    bench.measure("charter check, warm, memo dropped", check, before=_drop_memo(root))
    plans = sorted((root / "docs" / "plans").rglob("*.md"))
    edited = plans[len(plans) // 2]  # a typical plan, not the one large file
    for name, change in (
        ("charter check, warm, 1 plan edited", _trailing_line),
        ("charter check, warm, 1 task's status edited", _status_changed),
    ):
        editor = _Editor(edited, change)
        try:
            bench.measure(name, check, before=editor, target=edit_target)
        finally:
            editor.restore()
    report = bench.report(baseline=base, reference=read)
    print(f"{report}\n\nAfter this corpus: {load()}.\n", flush=True)


def main() -> int:
    quick = os.environ.get("CHARTER_BENCH_QUICK") == "1"
    scale = 10 if quick else 1
    repeat, warmup = (3, 1) if quick else (7, 2)
    print(f"# charter check benchmarks\n\nmachine: {machine()}; {load()}\n", flush=True)
    missed: list[tuple[str, Measurement]] = []
    try:
        root, info = corpus.ensure("realistic", target_bytes=1_800_000)
        bench = Bench("realistic", repeat, warmup)
        bench_corpus(
            "realistic corpus",
            root,
            info,
            bench,
            None if quick else REALISTIC_COLD,
            None if quick else REALISTIC_WARM,
        )
        missed += [(bench.title, m) for m in bench.missed()]
        root, info = corpus.ensure(
            "synthetic", plans=2_000 // scale, tasks=50_000 // scale, sessions=5_000 // scale
        )
        bench = Bench("synthetic", repeat, warmup)
        bench_corpus(
            "synthetic corpus",
            root,
            info,
            bench,
            None if quick else SYNTHETIC_COLD,
            None if quick else SYNTHETIC_WARM,
            None if quick else SYNTHETIC_EDIT,
        )
        missed += [(bench.title, m) for m in bench.missed()]
    except BenchError as exc:
        print(f"bench_check: error: {exc}", file=sys.stderr)
        return 2
    for title, m in missed:
        print(
            f"bench_check: target missed: {title}: {m.name}: median {m.median * 1000:.0f} ms "
            f"> {(m.target or 0) * 1000:.0f} ms",
            file=sys.stderr,
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
