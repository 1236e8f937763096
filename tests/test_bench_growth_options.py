"""`make bench` includes the growth benchmark, at sizes that let it finish."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO_ROOT

BENCH = REPO_ROOT / "tools" / "bench"


def _load(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCH))  # the benchmarks import their sibling `timing`
    spec = importlib.util.spec_from_file_location(f"charter_bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


def test_make_bench_runs_the_growth_benchmark() -> None:
    run_all = _load("run_all")
    assert "bench_growth.py" in [p.name for p in run_all.scripts([])]
    assert [p.name for p in run_all.scripts(["growth"])] == ["bench_growth.py"]


@pytest.mark.parametrize(
    ("env", "sizes", "layouts"),
    [
        ({}, (1_000, 5_000, 20_000, 50_000), ("many", "one")),
        ({"CHARTER_BENCH_QUICK": "1"}, (500, 1_000, 2_000, 4_000), ("many", "one")),
        (
            {"CHARTER_GROWTH_SIZES": "1000,100000", "CHARTER_GROWTH_LAYOUTS": "one"},
            (1_000, 100_000),
            ("one",),
        ),
    ],
    ids=["default", "quick", "asked"],
)
def test_growth_sizes_and_layouts(
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    sizes: tuple[int, ...],
    layouts: tuple[str, ...],
) -> None:
    growth = _load("bench_growth")
    for name in ("CHARTER_BENCH_QUICK", "CHARTER_GROWTH_SIZES", "CHARTER_GROWTH_LAYOUTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert growth._sizes() == sizes
    assert growth._layouts() == layouts


def test_an_unknown_layout_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    growth = _load("bench_growth")
    monkeypatch.setenv("CHARTER_GROWTH_LAYOUTS", "many,tall")
    with pytest.raises(SystemExit, match="unknown layout 'tall'"):
        growth._layouts()


def test_results_are_saved_after_each_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    growth = _load("bench_growth")
    monkeypatch.setattr(growth, "OUT_DIR", tmp_path / "out")
    results = {"check, warm": growth.Result(wall={1_000: 0.2}, rss_mib={1_000: 20.0})}
    growth._save_partial("many", (1_000,), results)
    saved = (tmp_path / "out" / "growth-partial-many.json").read_text()
    assert '"check, warm"' in saved and "0.2" in saved
