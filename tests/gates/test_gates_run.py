"""`charter gates` through `run_gates`: the same results as `evaluate_gates`, with the
plans' names read before pandas is imported (their peaks never add up)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from charter.config import load_config
from charter.gates.evaluate import evaluate_gates
from charter.gates.run import run_gates
from tests.conftest import REPO_ROOT, MakeRepo

PLAN = "---\nid: PLAN-A\ntitle: A\n---\n- [ ] **ST-1** x\n  - Status: In Progress\n"
GATES = """## Plan PLAN-A

| Metric | Aggregate | Threshold | Source | Blocking |
|---|---|---|---|---|
| ms | p50 | < 100 | .runs/a.jsonl | yes |
| ms | max | < 10 | .runs/a.jsonl | no |

## Plan docs/plans/a.md

| Metric | Aggregate | Threshold | Source | Blocking |
|---|---|---|---|---|
| ms | min | >= 1 | .runs/a.jsonl | yes |

## Plan NOBODY

| Metric | Aggregate | Threshold | Source | Blocking |
|---|---|---|---|---|
| ms | min | >= 1 | .runs/a.jsonl | yes |
"""
RUNS = "".join(json.dumps({"ms": n}) + "\n" for n in range(1, 60))


def _repo(make_repo: MakeRepo) -> Path:
    return make_repo(
        {"docs/plans/a.md": PLAN, "docs/telemetry/GATES.md": GATES, ".runs/a.jsonl": RUNS}
    )


@pytest.mark.parametrize("plan", [None, "PLAN-A", "docs/plans/a.md"])
def test_run_gates_gives_what_evaluate_gates_gives(make_repo: MakeRepo, plan: str | None) -> None:
    config = load_config(_repo(make_repo))
    results = run_gates(config, plan)
    assert [r.to_dict() for r in results] == [r.to_dict() for r in evaluate_gates(config, plan)]
    # Both names of the plan select its gates; the section naming no plan is an error.
    assert len(results) == (4 if plan is None else 3)
    assert [r.status for r in results][:3] == ["pass", "fail", "pass"]


def test_the_plans_are_read_before_pandas_is_imported(make_repo: MakeRepo) -> None:
    root = _repo(make_repo)
    script = f"""
import sys
import charter.repo
from charter.config import load_config
from charter.gates.run import run_gates
seen = []
build = charter.repo.build_repo
def spy(*args, **kwargs):
    seen.append("pandas" in sys.modules)
    return build(*args, **kwargs)
charter.repo.build_repo = spy
results = run_gates(load_config({str(root)!r}))
print(seen, "pandas" in sys.modules, len(results))
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(REPO_ROOT / "tools"), "PATH": "/usr/bin:/bin"},
    )
    assert done.stdout.split() == ["[False]", "True", "4"]
