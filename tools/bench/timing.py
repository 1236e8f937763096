"""Whole-process timing for charter's benchmarks.

Every figure is the wall time of a fresh process, measured the way a user or
a pre-commit hook meets it: interpreter start-up, imports, work, exit. Each
measurement runs a few warm-up rounds (not recorded: they fill the OS file
cache), then N recorded rounds, and reports the median. A report always
carries a baseline measured in the same run (`python -c pass`), and ratios
against it, so figures from a loaded or slow machine still compare. Beside
the wall time it shows the CPU time the process used (user + system), which
other work on the machine inflates far less.

    from timing import Bench, charter, python_c
    bench = Bench("charter check, 1.8 MB corpus")
    base = bench.measure("python -c pass", python_c("pass"))
    bench.measure("check (warm)", [*charter(), "check", "--repo", str(root)], target=0.15)
    print(bench.report(baseline=base))
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

DEFAULT_REPEAT = 7
DEFAULT_WARMUP = 2
_TRACEBACK = b"Traceback (most recent call last)"


class BenchError(Exception):
    """A measured command failed in a way that makes its timing meaningless."""


@dataclass
class Measurement:
    name: str
    times: list[float]  # wall seconds, one per recorded round
    target: float | None = None  # wall seconds the median must not exceed, if any
    note: str = ""
    cpu: list[float] = field(default_factory=list)  # CPU seconds per round, where measurable

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu) if self.cpu else None

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.median <= self.target


def python_c(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def charter() -> list[str]:
    """The installed `charter` script next to this interpreter, as a user runs it."""
    script = Path(sys.executable).with_name("charter")
    if not script.is_file():
        raise BenchError(f"no charter script beside {sys.executable}: install charter in this venv")
    return [str(script)]


def user_env() -> dict[str, str]:
    """The environment measured commands run in: this one, with bytecode caching on.

    A user's `charter` loads its modules from `__pycache__`; a shell that sets
    PYTHONDONTWRITEBYTECODE would make every round compile them again, and the
    figures would measure the compiler. The warm-up rounds write the caches.
    """
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _children_cpu() -> float | None:
    try:
        import resource
    except ImportError:  # not on Windows: wall time only
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(
    cmd: Sequence[str],
    ok: Sequence[int] = (0, 1),
    cwd: Path | None = None,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
) -> tuple[float, float | None]:
    """(wall seconds, CPU seconds or None) of one run of `cmd`.

    Raises BenchError on an exit code outside `ok` or a Python traceback on
    stderr: a crashed run is not a fast run. `env` defaults to user_env().
    """
    cpu_before = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        input=stdin,
        env=user_env() if env is None else env,
        capture_output=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    cpu_after = _children_cpu()
    if proc.returncode not in ok or _TRACEBACK in proc.stderr:
        tail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip().splitlines()[-15:]
        raise BenchError(
            f"{' '.join(cmd)} exited {proc.returncode} (expected one of {list(ok)}):\n  "
            + "\n  ".join(tail)
        )
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return elapsed, cpu


def run_once(
    cmd: Sequence[str],
    ok: Sequence[int] = (0, 1),
    cwd: Path | None = None,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
) -> float:
    """Wall seconds of one run of `cmd` (see run_timed)."""
    return run_timed(cmd, ok, cwd, stdin, env)[0]


@dataclass
class Bench:
    """A titled set of measurements taken in one run, and their report."""

    title: str
    repeat: int = DEFAULT_REPEAT
    warmup: int = DEFAULT_WARMUP
    results: list[Measurement] = field(default_factory=list, init=False)

    def measure(
        self,
        name: str,
        cmd: Sequence[str],
        *,
        before: Callable[[], object] | None = None,
        ok: Sequence[int] = (0, 1),
        cwd: Path | None = None,
        stdin: bytes | None = None,
        env: dict[str, str] | None = None,
        target: float | None = None,
        note: str = "",
        repeat: int | None = None,
        warmup: int | None = None,
    ) -> Measurement:
        """Time `cmd`; `before` runs ahead of every round, untimed (e.g. drop a cache).

        `repeat` and `warmup` override the bench's own counts for a slow command."""
        result = Measurement(name, [], target, note)
        warmup = self.warmup if warmup is None else warmup
        repeat = self.repeat if repeat is None else repeat
        for round_no in range(warmup + repeat):
            if before is not None:
                before()
            wall, cpu = run_timed(cmd, ok=ok, cwd=cwd, stdin=stdin, env=env)
            if round_no >= warmup:
                result.times.append(wall)
                if cpu is not None:
                    result.cpu.append(cpu)
        self.results.append(result)
        return result

    def report(self, baseline: Measurement, reference: Measurement | None = None) -> str:
        """A table: wall median and spread, CPU median, ratios against the baseline
        (and against a reference measurement), and each target's verdict."""
        ref_head = f" {'x ' + _short(reference.name):>10}" if reference else ""
        lines = [
            f"## {self.title}",
            "",
            f"{'measurement':<36} {'median':>9} {'min-max':>15} {'cpu':>9} {'x base':>7}"
            f"{ref_head}  target",
        ]
        for m in self.results:
            spread = f"{_ms(min(m.times))}-{_ms(max(m.times))}"
            cpu = f"{_ms(m.cpu_median)} ms" if m.cpu_median is not None else "-"
            ratio = f"{m.median / baseline.median:7.1f}"
            ref = f" {m.median / reference.median:10.1f}" if reference else ""
            verdict = ""
            if m.target is not None:
                verdict = f"  <= {_ms(m.target)} ms: {'met' if m.met else 'MISSED'}"
            lines.append(
                f"{m.name:<36} {_ms(m.median):>6} ms {spread:>12} ms {cpu:>9} {ratio}{ref}{verdict}"
            )
            if m.note or len(m.times) != self.repeat:
                rounds = f"{len(m.times)} rounds" if len(m.times) != self.repeat else ""
                lines.append(f"{'':<4}{'; '.join(x for x in (rounds, m.note) if x)}")
        lines += [
            "",
            f"Medians of {self.repeat} rounds after {self.warmup} warm-up round(s): wall time of "
            "the whole process; cpu = its user + system time.",
        ]
        return "\n".join(lines)

    def missed(self) -> list[Measurement]:
        return [m for m in self.results if m.met is False]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def _short(name: str) -> str:
    return name.split(" (")[0].split()[0][:8]


def load() -> str:
    """The machine's load averages, where the OS reports them: figures taken under
    load are slower, and the report should say so."""
    try:
        one, five, _ = os.getloadavg()
    except (AttributeError, OSError):
        return "load average unknown"
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def machine() -> str:
    """One line naming the machine, so a figure can be read with its context."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in handle if ln.startswith("model name")), cpu
            )
    except OSError:
        pass
    return (
        f"{date.today().isoformat()}; {cpu}; {os.cpu_count()} CPU(s); "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}"
    )
