"""Reading GATES.md: plan sections, gate rows, thresholds, units, selectors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from charter.config import load_config
from charter.gates.parse import (
    Condition,
    canonical_aggregate,
    gates_for_plan,
    parse_condition,
    parse_gates,
    parse_source,
    parse_threshold,
    plan_key,
)

GATES = """\
# Telemetry gates

Some prose; this table is not a gate table.

| Name | Value |
|---|---|
| a | b |

## Plan `PLAN-A` — ingestion

| Metric | Aggregate | Threshold | Source | Blocking |
|---|---|---|---|---|
| latency.ms | p95 | < 950 ms | `Logs/*.jsonl#type=DatabaseWrite` | yes |
| ok=false | share | < 1% | Logs/*.jsonl | no |

### Notes inside the plan section

| Metric | Aggregate | Threshold | Source |
|---|---|---|---|
| rows | sum | >= 10 | Logs/*.csv |

## Plan docs/plans/b.md

| Metric | Aggregate | Threshold | Source | Unit | Min samples |
|---|---|---|---|---|---|
| duration | p99 | <= 2 min | Logs/b.json | s | 20 |
| duration | p99x | <= 2 | Logs/b.json | s | |

## Not a plan

| Metric | Aggregate | Threshold | Source |
|---|---|---|---|
| x | max | < 1 | Logs/x.jsonl |
"""


def test_sections_rows_and_lines() -> None:
    doc = parse_gates("docs/telemetry/GATES.md", GATES.encode())
    assert [(s.plan, s.line) for s in doc.sections] == [("PLAN-A", 9), ("docs/plans/b.md", 22)]
    a, share, rows = doc.sections[0].gates
    assert (a.metric, a.aggregate, a.source, a.line, a.blocking) == (
        "latency.ms",
        "p95",
        "Logs/*.jsonl",
        13,
        True,
    )
    assert a.select == (Condition("type", "==", "DatabaseWrite"),)
    assert a.threshold is not None and a.threshold.value == 950 and a.threshold.unit == "ms"
    assert share.condition == Condition("ok", "==", "false") and not share.blocking
    assert share.threshold is not None and share.threshold.value == pytest.approx(0.01)
    assert rows.plan == "PLAN-A"  # a subheading does not close the plan's section
    converted, broken = doc.sections[1].gates
    assert converted.threshold is not None and converted.threshold.value == 120  # 2 min in s
    assert converted.min_samples == 20 and converted.problem is None
    assert broken.problem is not None and "unknown aggregate 'p99x'" in broken.problem
    # A gate table under a heading that names no plan is reported with its line.
    assert [(p.line, p.message) for p in doc.problems] == [
        (31, "gate table outside a `## Plan <id>` section")
    ]


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("Plan PLAN-A", "PLAN-A"),
        ("Plan `docs/plans/x.md` — gates", "docs/plans/x.md"),
        ("plan CH-GATES: telemetry", "CH-GATES"),
        ("**Plan ST-B** (ingestion)", "ST-B"),
        ("Planning notes", None),
        ("Gates", None),
    ],
)
def test_plan_heading(heading: str, key: str | None) -> None:
    assert plan_key(heading) == key


@pytest.mark.parametrize(
    ("text", "aggregate", "unit", "op", "value"),
    [
        ("< 950", "p95", None, "<", 950.0),
        ("<= 950 ms", "p95", None, "<=", 950.0),  # no Unit column: the data is in ms
        ("< 1 s", "p95", "ms", "<", 1000.0),  # converted into the data's unit
        ("< 1.5 GiB", "max", "MiB", "<", 1536.0),
        ("≥ 99.5%", "share", None, ">=", 0.995),
        (">= 0.995", "share", None, ">=", 0.995),
        ("== 0", "count", None, "==", 0.0),
        ("!= 3", "last", None, "!=", 3.0),
        ("> 80 %", "mean", None, ">", 80.0),  # a percentage metric compared as written
        ("= 1e3", "sum", None, "==", 1000.0),
    ],
)
def test_thresholds(text: str, aggregate: str, unit: str | None, op: str, value: float) -> None:
    threshold, problem = parse_threshold(text, aggregate, unit)
    assert problem is None and threshold is not None
    assert (threshold.op, threshold.value) == (op, pytest.approx(value))


@pytest.mark.parametrize(
    ("text", "aggregate", "unit", "message"),
    [
        ("about 950", "p95", None, "cannot read Threshold"),
        ("< 5 MB", "p95", "ms", "does not fit Unit"),
        ("< 150", "share", None, "fraction from 0 to 1"),
        ("< 2 ms", "share", None, "not 'ms'"),
        ("", "p95", None, "cannot read Threshold"),
    ],
)
def test_bad_thresholds(text: str, aggregate: str, unit: str | None, message: str) -> None:
    threshold, problem = parse_threshold(text, aggregate, unit)
    assert threshold is None and problem is not None and message in problem


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("P95", "p95"),
        ("median", "p50"),
        ("avg", "mean"),
        ("rate", "share"),
        ("p99.9", "p99.9"),
        ("count", "count"),
        ("last", "last"),
        ("p101", None),
        ("q95", None),
        ("", None),
    ],
)
def test_aggregates(text: str, canonical: str | None) -> None:
    assert canonical_aggregate(text) == canonical


def test_source_selectors() -> None:
    glob, select, problem = parse_source(
        "Logs/**/*.json#type=DatabaseWrite&latency.ms>=5,ok!=false"
    )
    assert (glob, problem) == ("Logs/**/*.json", None)
    assert select == (
        Condition("type", "==", "DatabaseWrite"),
        Condition("latency.ms", ">=", "5"),
        Condition("ok", "!=", "false"),
    )
    assert parse_source("#type=x")[2] == "empty Source"
    assert "needs a number" in (parse_source("a.json#n>abc")[2] or "")
    assert parse_condition("ok") == (Condition("ok", "truthy"), None)


def test_gates_for_plan_by_id_or_path(make_repo) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(
        {
            "docs/plans/a.md": "---\nid: PLAN-A\ntitle: A\n---\n- [ ] **ST-1** x\n",
            "docs/plans/b.md": "---\nid: PLAN-B\ntitle: B\n---\n- [ ] **ST-2** y\n",
            "docs/telemetry/GATES.md": GATES,
        }
    )
    config = load_config(root)
    assert [g.metric for g in gates_for_plan(config, "PLAN-A")] == [
        "latency.ms",
        "ok=false",
        "rows",
    ]
    assert [g.metric for g in gates_for_plan(config, "docs/plans/a.md")] == [
        "latency.ms",
        "ok=false",
        "rows",
    ]
    # b.md's section names it by path; its malformed row does not count as a gate.
    assert [g.aggregate for g in gates_for_plan(config, "PLAN-B")] == ["p99"]
    assert gates_for_plan(config, "PLAN-C") == []


def test_no_gates_file_means_no_gates(make_repo) -> None:  # type: ignore[no-untyped-def]
    root = make_repo({"docs/plans/a.md": "---\nid: PLAN-A\ntitle: A\n---\n"})
    assert gates_for_plan(load_config(root), "PLAN-A") == []


def test_reading_gates_never_imports_pandas() -> None:
    code = (
        "import sys, charter.gates.parse as g; "
        "g.parse_gates('G.md', b'## Plan A\\n\\n| Metric | Aggregate | Threshold | Source |\\n"
        "|-|-|-|-|\\n| x | p95 | < 1 | a.json |\\n'); "
        "print('pandas' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent,
    )
    assert out.stdout.strip() == "False"
