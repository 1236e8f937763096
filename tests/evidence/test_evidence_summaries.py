"""`charter stats` reads the run manifests and the token usage folded into session logs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from charter.config import load_config
from charter.evidence.manifest import Decision, run_with_manifest
from charter.ingest.codex import parse_codex
from charter.ingest.fold import fold_file
from charter.repo import load_repo
from charter.stats.compute import compute_stats, to_csv
from tests.evidence.evidence_helpers import commit_all, git

SAMPLE = Path(__file__).parents[1] / "ingest" / "samples" / "codex-exec.jsonl"
LOG = "docs/agents/sessions/2025-10-01_session-0003.md"


def test_stats_count_runs_per_task_and_tokens_per_session(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "docs" / "agents" / "sessions").mkdir(parents=True)
    (root / LOG).write_text("---\nid: s3\ntask: ST-B-001\ndate: 2025-10-01\n---\n# Session\n")
    git(root, "init", "-q")
    commit_all(root)
    config = load_config(root)
    for command in (["true"], ["false"], ["true"], ["true"]):
        run_with_manifest(
            config, command, task="ST-B-001", level="L1", decision=Decision(True), cwd=root
        )
    fold_file(root / LOG, parse_codex(SAMPLE), root=root, source=SAMPLE)

    stats = compute_stats(load_repo(config, use_cache=False))
    [runs] = stats.runs
    assert {k: runs[k] for k in ("task", "runs", "failures", "failure_rate", "denied")} == {
        "task": "ST-B-001",
        "runs": 4,
        "failures": 1,
        "failure_rate": 0.25,
        "denied": 0,
    }
    assert stats.tokens == [
        {
            "session": "2025-10-01_session-0003",
            "task": "ST-B-001",
            "input": 25963,
            "output": 467,
            "total": 26430,
        }
    ]
    assert "runs,ST-B-001,failure_rate,0.25\n" in to_csv(stats)
    assert "tokens,2025-10-01_session-0003,total,26430\n" in to_csv(stats)

    later = compute_stats(load_repo(config, use_cache=False), since=date(2999, 1, 1))
    assert (later.runs, later.tokens) == ([], [])


PLAN = """---
id: PL-1
title: Ranges
---
# Ranges

- [x] **ST-B-001** Fix parse_range
  - Status: Done
  - Evidence: `README.md`
- [ ] **ST-B-002** Widen ranges
  - Status: In Progress
"""


def test_the_handoff_shows_closed_tasks_runs_and_ended_sessions_tokens(tmp_path: Path) -> None:
    from charter.handoff.regenerate import render_handoff

    root = tmp_path / "repo"
    (root / "docs" / "plans").mkdir(parents=True)
    (root / "docs" / "agents" / "sessions").mkdir(parents=True)
    (root / "docs" / "plans" / "ranges.md").write_text(PLAN)
    (root / "README.md").write_text("demo\n")
    ended = root / "docs" / "agents" / "sessions" / "2025-10-01_session-0001.md"
    active = root / "docs" / "agents" / "sessions" / "2025-10-02_session-0002.md"
    ended.write_text("---\nid: s1\ntask: ST-B-001\nstatus: done\n---\n# Session\n")
    active.write_text("---\nid: s2\ntask: ST-B-002\nstatus: active\n---\n# Session\n")
    git(root, "init", "-q")
    commit_all(root)
    config = load_config(root)
    handoff_before = render_handoff(load_repo(config, use_cache=False))
    assert "## Runs and tokens" not in handoff_before
    for task, command in [("ST-B-001", ["true"]), ("ST-B-001", ["false"]), ("ST-B-002", ["true"])]:
        run_with_manifest(config, command, task=task, level="L1", decision=Decision(True), cwd=root)
    for log in (ended, active):
        fold_file(log, parse_codex(SAMPLE), root=root, source=SAMPLE)

    text = render_handoff(load_repo(config, use_cache=False))
    section = text.split("## Runs and tokens\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    assert [r.split(" | ")[:4] for r in rows[1:2]] == [["| ST-B-001", "2", "1", "50 %"]]
    assert rows[3] == "| s1 | ST-B-001 | 25963 | 467 | 26430 |"
    assert len(rows) == 4  # ST-B-002 is open and session s2 active: neither is shown yet
