"""Every routine command's work grows no faster than n log n in the number of tasks.

Wall time flakes on a loaded machine, so this counts operations instead: the
Python function calls a command makes (sys.setprofile), in-process, on two
repositories made by the growth benchmark (tools/bench/bench_growth.py) at a
small size and at four times that size. n log n allows a ratio of
4 * log(4n) / log(n); a quadratic step shows as a ratio near 16.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import math
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from charter import beside, cli, parse_pool
from tests.conftest import REPO_ROOT

SMALL = 150
SLACK = 1.2  # for the rounding of plans to whole files, and a few caches filling up


def _bench_growth() -> ModuleType:
    folder = REPO_ROOT / "tools" / "bench"
    sys.path.insert(0, str(folder))  # bench_growth imports its sibling `timing`
    spec = importlib.util.spec_from_file_location(
        "charter_bench_growth", folder / "bench_growth.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


growth = _bench_growth()


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, int], Path]]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    made = {}
    for layout in ("many", "one"):
        for n in (SMALL, 4 * SMALL):
            made[layout, n] = growth.make_repo(
                tmp_path_factory.mktemp(f"{layout}-{n}") / "repo", n, layout
            )
    yield made


def _calls(root: Path, command: object, monkeypatch: pytest.MonkeyPatch) -> int:
    """The function calls one run of `command` makes, run as a warm user would run it."""
    monkeypatch.chdir(root)
    args = list(command.args)  # type: ignore[attr-defined]
    count = 0

    def counter(frame: object, event: str, arg: object) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        cli.main(args)  # once unmeasured: imports done, caches as a second run finds them
        _undo(root, command)
        if command.before is not None:  # type: ignore[attr-defined]
            command.before(root)  # type: ignore[attr-defined]
        sys.setprofile(counter)
        try:
            code = cli.main(args)
        finally:
            sys.setprofile(None)
        _undo(root, command)
    assert code in command.ok, f"{' '.join(args)} exited {code}: {sink.getvalue()[-500:]}"  # type: ignore[attr-defined]
    return count


def _undo(root: Path, command: object) -> None:
    if command.edits:  # type: ignore[attr-defined]
        growth._undo(root)
    subprocess.run(["git", "-C", str(root), "checkout", "-q", "--", "."], check=False)


# Session start and end change state the next run depends on; they are measured by the
# benchmark, in order, and left out here.
NAMES = [
    c.name
    for c in growth.commands("many")
    if not c.name.startswith("session start") and not c.name.startswith("session end")
]
# Known to grow faster today, each with its issue: the test holds the line for the rest
# and turns red when one of these is fixed without being taken off the list (strict).
KNOWN: dict[str, str] = {}


@pytest.mark.parametrize("layout", ["many", "one"])
@pytest.mark.parametrize("name", NAMES)
def test_operation_count_grows_at_most_n_log_n(
    repos: dict[tuple[str, int], Path], layout: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if name in KNOWN:
        pytest.xfail(KNOWN[name])
    monkeypatch.setattr(parse_pool, "MIN_FILES", 10**9)  # a forked child's calls go uncounted
    monkeypatch.setattr(beside, "can_fork", lambda *_: False)  # nor the page's child
    command = next(c for c in growth.commands(layout) if c.name == name)
    small = _calls(repos[layout, SMALL], command, monkeypatch)
    large = _calls(repos[layout, 4 * SMALL], command, monkeypatch)
    allowed = 4 * math.log(4 * SMALL) / math.log(SMALL) * SLACK
    assert large / small <= allowed, (
        f"{name} ({layout}): {small:,} calls at {SMALL} tasks, {large:,} at {4 * SMALL}: "
        f"x{large / small:.1f}, more than n log n allows (x{allowed:.1f})"
    )
