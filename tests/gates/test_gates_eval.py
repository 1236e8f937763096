"""Evaluating gates on generated metric files whose answers are known."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from charter.cli import _build_group
from charter.config import load_config
from charter.gates.evaluate import GateResult, evaluate_gates

PLAN = "---\nid: PLAN-A\ntitle: A\n---\n- [ ] **ST-1** x\n  - Status: In Progress\n"


def gates_doc(
    *rows: str, header: str = "| Metric | Aggregate | Threshold | Source | Blocking |"
) -> str:
    separator = "|" + "---|" * (header.count("|") - 1)
    return "## Plan PLAN-A\n\n" + "\n".join([header, separator, *rows]) + "\n"


def events(seed: int = 7, n: int = 2000) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out: list[dict[str, object]] = []
    for i in range(n):
        kind = "DatabaseWrite" if i % 3 else "Request"
        out.append(
            {
                "type": kind,
                "latency": {"ms": round(rng.lognormvariate(5, 0.6), 3)},
                "ok": i % 40 != 0,
                "bytes": rng.randint(1, 5_000_000),
            }
        )
    return out


def jsonl(items: list[dict[str, object]]) -> str:
    return "".join(json.dumps(e) + "\n" for e in items)


def run(
    make_repo,
    files: dict[str, str],
    plan: str | None = None,  # type: ignore[no-untyped-def]
    config: str | None = None,
) -> list[GateResult]:
    root = make_repo({"docs/plans/a.md": PLAN, **files}, config=config)
    return evaluate_gates(load_config(root), plan)


@pytest.mark.parametrize("aggregate", ["p50", "p90", "p95", "p99", "p99.9", "p0", "p100"])
def test_percentiles_match_numpy(make_repo, aggregate: str) -> None:  # type: ignore[no-untyped-def]
    data = events()
    [result] = run(
        make_repo,
        {
            "Logs/m.jsonl": jsonl(data),
            "docs/telemetry/GATES.md": gates_doc(
                f"| latency.ms | {aggregate} | < 100000 | Logs/*.jsonl#type=DatabaseWrite | yes |"
            ),
        },
    )
    chosen = [e["latency"]["ms"] for e in data if e["type"] == "DatabaseWrite"]  # type: ignore[index]
    expected = np.percentile(np.array(chosen, dtype=float), float(aggregate[1:]))
    assert result.status == "pass" and result.samples == len(chosen)
    assert result.value == pytest.approx(expected, rel=1e-12)


def test_aggregates_units_and_share(make_repo) -> None:  # type: ignore[no-untyped-def]
    data = events()
    ms = np.array([e["latency"]["ms"] for e in data], dtype=float)  # type: ignore[index]
    size = np.array([e["bytes"] for e in data], dtype=float)
    failed = sum(1 for e in data if not e["ok"]) / len(data)
    results = run(
        make_repo,
        {
            "Logs/m.jsonl": jsonl(data),
            "docs/telemetry/GATES.md": gates_doc(
                f"| latency.ms | mean | < {ms.mean() + 1:.3f} | Logs/m.jsonl | yes | ms |",
                f"| latency.ms | max | < {ms.max() / 1000:.6f} s | Logs/m.jsonl | yes | ms |",
                f"| bytes | sum | >= {size.sum() / 2**20 - 0.1:.1f} MiB | Logs/m.jsonl | yes | B |",
                "| latency.ms | min | > 0 | Logs/m.jsonl | yes | |",
                "| latency.ms | last | == "
                + repr(data[-1]["latency"]["ms"])  # type: ignore[index]
                + " | Logs/m.jsonl | no | |",
                "| ok=false | share | < 2.6% | Logs/m.jsonl | yes | |",
                "| ok=false | rate | < 2% | Logs/m.jsonl | no | |",
                "| latency.ms>300 | share | <= 1 | Logs/m.jsonl#type=Request | yes | |",
                "| * | count | == 667 | Logs/m.jsonl#type=Request | yes | |",
                header="| Metric | Aggregate | Threshold | Source | Blocking | Unit |",
            ),
        },
    )
    assert [r.status for r in results] == [
        "pass",
        "fail",
        "pass",
        "pass",
        "pass",
        "pass",
        "fail",
        "pass",
        "pass",
    ]
    assert results[0].value == pytest.approx(ms.mean())
    assert results[1].value == pytest.approx(ms.max())  # in the data's unit, ms
    assert results[2].value == pytest.approx(size.sum())
    assert results[5].value == pytest.approx(failed) and failed == 0.025
    assert results[8].samples == len(data)  # count's samples: every event read
    assert [r.blocks for r in results] == [False, True, *[False] * 7]


def test_csv_and_json_array_sources(make_repo) -> None:  # type: ignore[no-untyped-def]
    csv_text = "run,duration.s,status\n" + "".join(
        f"{i},{i * 0.5},{'ok' if i % 5 else 'error'}\n" for i in range(1, 101)
    )
    array = json.dumps([{"metrics": {"cpu": v}} for v in (10, 20, 30, 40)], indent=2)
    results = run(
        make_repo,
        {
            "Logs/runs.csv": csv_text,
            "Logs/cpu.json": array,
            "docs/telemetry/GATES.md": gates_doc(
                "| duration.s | p50 | < 30 s | Logs/runs.csv#status=ok | yes |",
                "| status=error | share | == 20% | Logs/runs.csv | yes |",
                "| metrics.cpu | mean | == 25 | Logs/cpu.json | yes |",
            ),
        },
    )
    ok = [i * 0.5 for i in range(1, 101) if i % 5]
    assert [r.status for r in results] == ["pass", "pass", "pass"]
    assert results[0].value == pytest.approx(np.percentile(ok, 50))
    assert results[1].value == pytest.approx(0.2)


def test_json_with_several_documents_is_read_as_json_lines(make_repo) -> None:  # type: ignore[no-untyped-def]
    [result] = run(
        make_repo,
        {
            "Logs/IngestionMetrics/2025-01-01.json": '{"EventName":"Write","ms":5}\n'
            '{"EventName":"Write","ms":7}\n',
            "docs/telemetry/GATES.md": gates_doc(
                "| ms | max | <= 7 | Logs/IngestionMetrics/*.json#EventName=Write | yes |"
            ),
        },
    )
    assert (result.status, result.value, result.samples) == ("pass", 7.0, 2)


@pytest.mark.parametrize(
    ("files", "source", "status", "where", "message"),
    [
        ({}, "Logs/*.jsonl", "error", "docs/telemetry/GATES.md:5", "no file matches Source"),
        (
            {"Logs/m.jsonl": '{"ms": 1}\n{"ms": 2\n{"ms": 3}\n'},
            "Logs/m.jsonl",
            "error",
            "Logs/m.jsonl:2",
            "invalid JSON",
        ),
        (
            {"Logs/m.jsonl": '{"ms": 1}\n[1, 2]\n'},
            "Logs/m.jsonl",
            "error",
            "Logs/m.jsonl:2",
            "expected a JSON object",
        ),
        (
            {"Logs/m.jsonl": '{"ms": 1}\n\n{"ms": "fast"}\n'},
            "Logs/m.jsonl",
            "error",
            "Logs/m.jsonl:3",
            "ms is 'fast', not a number",
        ),
        (
            {"Logs/m.jsonl": '{"ms": true}\n'},
            "Logs/m.jsonl",
            "error",
            "Logs/m.jsonl:1",
            "not a number",
        ),
        (
            {"Logs/m.json": '{"items": [1, 2,]}'},
            "Logs/m.json",
            "error",
            "Logs/m.json:1",
            "invalid JSON",
        ),
        (
            {"Logs/m.csv": "ms,x\n1,2\n3,4,5\n"},
            "Logs/m.csv",
            "error",
            "Logs/m.csv:3",
            "invalid CSV",
        ),
        (
            {"Logs/m.txt": "ms=1\n"},
            "Logs/m.txt",
            "error",
            "Logs/m.txt",
            "unsupported metrics format",
        ),
        (
            {"Logs/m.jsonl": '{"other": 1}\n'},
            "Logs/m.jsonl",
            "insufficient",
            "docs/telemetry/GATES.md:5",
            "no value of ms",
        ),
        (
            {"Logs/m.jsonl": ""},
            "Logs/m.jsonl",
            "insufficient",
            "docs/telemetry/GATES.md:5",
            "no value of ms",
        ),
        (
            {"Logs/m.jsonl": '{"ms": 1}\n'},
            "/abs/m.jsonl",
            "error",
            "docs/telemetry/GATES.md:5",
            "must be relative",
        ),
    ],
)
def test_missing_and_malformed_sources_never_pass(  # type: ignore[no-untyped-def]
    make_repo, files: dict[str, str], source: str, status: str, where: str, message: str
) -> None:
    [result] = run(
        make_repo,
        {**files, "docs/telemetry/GATES.md": gates_doc(f"| ms | max | < 100 | {source} | yes |")},
    )
    assert (result.status, result.where) == (status, where)
    assert message in result.message
    assert result.blocks


def test_minimum_samples_from_config_and_column(make_repo) -> None:  # type: ignore[no-untyped-def]
    results = run(
        make_repo,
        {
            "Logs/m.jsonl": jsonl([{"ms": v} for v in range(10)]),
            "docs/telemetry/GATES.md": gates_doc(
                "| ms | p95 | < 100 | Logs/m.jsonl | yes | |",
                "| ms | p95 | < 100 | Logs/m.jsonl | yes | 10 |",
                "| ms | p95 | < 100 | Logs/m.jsonl#ms>=5 | yes | 6 |",
                header="| Metric | Aggregate | Threshold | Source | Blocking | Min samples |",
            ),
        },
        config="gate_min_samples = 11\n",
    )
    assert [(r.status, r.samples, r.min_samples) for r in results] == [
        ("insufficient", 10, 11),
        ("pass", 10, 10),
        ("insufficient", 5, 6),
    ]
    assert "fewer than the minimum 11" in results[0].message


def test_definition_problems_and_unknown_plans_are_errors(make_repo) -> None:  # type: ignore[no-untyped-def]
    results = run(
        make_repo,
        {
            "Logs/m.jsonl": '{"ms": 1}\n',
            "docs/telemetry/GATES.md": gates_doc("| ms | p95 | soon | Logs/m.jsonl | yes |")
            + "\n## Plan PLAN-Z\n\n| Metric | Aggregate | Threshold | Source |\n|-|-|-|-|\n"
            "| ms | max | < 2 | Logs/m.jsonl |\n",
        },
    )
    assert [(r.status, r.where) for r in results] == [
        ("error", "docs/telemetry/GATES.md:5"),
        ("error", "docs/telemetry/GATES.md:11"),
    ]
    assert "cannot read Threshold 'soon'" in results[0].message
    assert "names no plan" in results[1].message


def test_metrics_override_and_cli(make_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(
        {
            "docs/plans/a.md": PLAN,
            "docs/telemetry/GATES.md": gates_doc(
                "| ms | p50 | < 10 ms | Logs/*.jsonl#kind=db | yes |",
                "| ms | max | < 10 ms | Logs/*.jsonl | no |",
            ),
        }
    )
    fresh = tmp_path / "ci-metrics.jsonl"
    fresh.write_text(
        jsonl([{"kind": "db", "ms": 4}, {"kind": "db", "ms": 6}, {"kind": "x", "ms": 50}])
    )
    group = _build_group()
    runner = CliRunner()
    missing = runner.invoke(group, ["gates", "--repo", str(root)], standalone_mode=False)
    assert missing.return_value == 1 and "ERROR" in missing.output
    passed = runner.invoke(
        group, ["gates", "--repo", str(root), "--metrics", str(fresh)], standalone_mode=False
    )
    assert passed.return_value == 0, passed.output  # the advisory max gate fails, alone
    assert "FAIL (advisory)" in passed.output and "5 ms" in passed.output
    as_json = runner.invoke(
        group,
        [
            "gates",
            "--repo",
            str(root),
            "--plan",
            "PLAN-A",
            "--metrics",
            str(fresh),
            "--format",
            "json",
        ],
        standalone_mode=False,
    )
    rows = json.loads(as_json.output)["gates"]
    assert [(r["status"], r["value"], r["samples"]) for r in rows] == [
        ("pass", 5.0, 2),
        ("fail", 50.0, 3),
    ]


def test_unknown_plan_and_missing_gates_file_are_usage_errors(make_repo) -> None:  # type: ignore[no-untyped-def]
    from charter.errors import CharterError

    root = make_repo({"docs/plans/a.md": PLAN})
    with pytest.raises(CharterError, match="no gates file"):
        evaluate_gates(load_config(root))
    (root / "docs/telemetry").mkdir(parents=True)
    (root / "docs/telemetry/GATES.md").write_text(gates_doc("| ms | max | < 1 | a.jsonl | yes |"))
    with pytest.raises(CharterError, match=r"no gates for plan 'PLAN-Q' \(sections: PLAN-A\)"):
        evaluate_gates(load_config(root), "PLAN-Q")


def test_gate_table_outside_a_plan_section_is_an_error(make_repo) -> None:  # type: ignore[no-untyped-def]
    from charter.errors import CharterError

    root = make_repo(
        {
            "docs/plans/a.md": PLAN,
            "docs/telemetry/GATES.md": "# Gates\n\n| Metric | Aggregate | Threshold | Source |\n"
            "|-|-|-|-|\n| ms | max | < 1 | a.jsonl |\n",
        }
    )
    with pytest.raises(CharterError, match=r"GATES.md:3: gate table outside"):
        evaluate_gates(load_config(root))


def test_progress_hears_of_each_metric_file(make_repo) -> None:  # type: ignore[no-untyped-def]
    files = {f"Logs/m{n}.jsonl": jsonl(events(seed=n, n=50)) for n in range(3)}
    files["docs/telemetry/GATES.md"] = gates_doc(
        "| latency.ms | p50 | < 100000 | Logs/*.jsonl#type=DatabaseWrite | yes |"
    )
    root = make_repo({"docs/plans/a.md": PLAN, **files})
    heard: list[tuple[int, int]] = []
    results = evaluate_gates(
        load_config(root), None, (), lambda done, total: heard.append((done, total))
    )
    assert heard == [(1, 3), (2, 3), (3, 3)]
    assert results == evaluate_gates(load_config(root))
