"""Run manifests from real command runs in a temporary git repository, against golden files.

Each case runs a real command through `run_with_manifest`, checks the
manifest against the shipped JSON Schema (with jsonschema), then compares it,
with the fields that change from run to run masked, to tests/evidence/golden/.
Regenerate: CHARTER_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/evidence
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from charter.config import load_config
from charter.evidence.manifest import Decision, load_manifests, run_with_manifest, summarize_runs
from charter.schemas import load_schema
from charter.state.session import ActiveSession
from tests.evidence.evidence_helpers import check_golden, commit_all, git

GOLDEN = Path(__file__).parent / "golden"
SESSION = ActiveSession(
    id="2025-11-04_session-0007",
    log="docs/agents/sessions/s7.md",
    task="ST-B-001",
    level="L2",
    approved_by="dana",
    agent="codex",
    started="2025-11-04T09:00:00Z",
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("x = 1\n")
    (root / "README.md").write_text("demo\n")
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "initial")
    return root


def _edit_app(root: Path) -> None:
    (root / "src" / "app.py").write_text("x = 'edited before the run'\n")


@dataclass(frozen=True)
class Case:
    name: str
    command: list[str] | str
    exit_code: int
    allowed: bool = True
    before: Callable[[Path], None] | None = None
    tail_bytes: int | None = None
    session: ActiveSession | None = None
    extra: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case(
        "succeeds-and-writes",
        [
            "sh",
            "-c",
            "printf 'built\\n'; printf 'x = 2\\n' > src/app.py; mkdir -p out; "
            "printf data > out/result.txt",
        ],
        0,
        session=SESSION,
    ),
    Case("fails-with-stderr", ["sh", "-c", "echo boom >&2; exit 3"], 3),
    Case("shell-string", "printf '%s\\n' one two | wc -l", 0),
    Case("command-not-found", ["charter-test-no-such-command"], 127),
    Case("denied", ["rm", "-rf", "src"], 2, allowed=False),
    Case("dirty-tree-deletes", ["rm", "src/app.py"], 0, before=_edit_app),
    Case("long-output-tail", ["sh", "-c", "seq 1 5000"], 0, tail_bytes=64),
    Case("killed-by-signal", ["sh", "-c", "kill -TERM $$"], 143),
]


def _mask(manifest: dict[str, Any], head: str) -> dict[str, Any]:
    masked = json.loads(json.dumps(manifest))
    for key in ("run_id", "started", "ended", "charter_version"):
        masked[key] = f"<{key}>"
    masked["duration_seconds"] = "<seconds>"
    if masked["git"] is not None:
        assert masked["git"]["head"] == head
        masked["git"]["head"] = "<head>"
    return masked


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_manifest_of_a_real_run_matches_its_golden_file(repo: Path, case: Case) -> None:
    if case.before is not None:
        case.before(repo)
    head = git(repo, "rev-parse", "HEAD").strip()
    out: list[bytes] = []
    err: list[bytes] = []
    decision = Decision(
        case.allowed,
        "allow: sh" if case.allowed else "deny: rm -rf",
        None if case.allowed else "rm -rf is denied at every level",
    )
    outcome = run_with_manifest(
        load_config(repo),
        case.command,
        task="ST-B-001",
        level="L2",
        decision=decision,
        cwd=repo,
        session=case.session,
        tail_bytes=case.tail_bytes,
        stdout_sink=out.append,
        stderr_sink=err.append,
    )
    manifest = json.loads(outcome.path.read_text(encoding="utf-8"))
    jsonschema.validate(manifest, load_schema("run-manifest.v1.json"))
    assert outcome.exit_code == case.exit_code
    assert manifest == outcome.manifest
    assert outcome.path == repo / ".runs" / "ST-B-001" / manifest["run_id"] / "manifest.json"
    if manifest["stdout"] is not None:
        # the terminal saw every byte the record describes
        assert len(b"".join(out)) == manifest["stdout"]["bytes"]
        assert hashlib.sha256(b"".join(out)).hexdigest() == manifest["stdout"]["sha256"]
        assert hashlib.sha256(b"".join(err)).hexdigest() == manifest["stderr"]["sha256"]
    text = json.dumps(_mask(manifest, head), indent=2, ensure_ascii=False) + "\n"
    check_golden(GOLDEN / f"{case.name}.json", text)


def test_writing_a_manifest_never_dirties_the_next_run(repo: Path) -> None:
    config = load_config(repo)
    allowed = Decision(True, "allow: true")
    run_with_manifest(config, ["true"], task="ST-B-001", level="L1", decision=allowed, cwd=repo)
    second = run_with_manifest(
        config, ["true"], task="ST-B-001", level="L1", decision=allowed, cwd=repo
    )
    assert second.manifest["git"]["dirty"] is False
    assert second.manifest["files_changed"] == []


def test_a_file_dirty_before_and_changed_again_counts_as_changed(repo: Path) -> None:
    _edit_app(repo)
    outcome = run_with_manifest(
        load_config(repo),
        ["sh", "-c", "echo more >> src/app.py"],
        task="ST-B-001",
        level="L1",
        decision=Decision(True),
        cwd=repo,
    )
    assert [f["path"] for f in outcome.manifest["files_changed"]] == ["src/app.py"]
    assert outcome.manifest["files_changed"][0]["change"] == "modified"


def test_outside_git_the_manifest_says_so(tmp_path: Path) -> None:
    (tmp_path / "charter.toml").write_text("")
    outcome = run_with_manifest(
        load_config(tmp_path),
        ["true"],
        task="ST-B-001",
        level=None,
        decision=Decision(True),
        cwd=tmp_path,
    )
    assert outcome.manifest["git"] is None
    assert outcome.manifest["files_changed"] is None


def test_summary_counts_runs_failures_and_time_per_task(repo: Path) -> None:
    config = load_config(repo)
    for task, command in [
        ("ST-B-001", ["true"]),
        ("ST-B-001", ["false"]),
        ("ST-B-001", ["true"]),
        ("ST-B-002", ["false"]),
    ]:
        run_with_manifest(config, command, task=task, level="L1", decision=Decision(True), cwd=repo)
    run_with_manifest(
        config, ["rm", "x"], task="ST-B-002", level="L1", decision=Decision(False, "deny"), cwd=repo
    )
    (repo / ".runs" / "other-tool").mkdir()
    (repo / ".runs" / "other-tool" / "manifest.json").write_text('{"status": "succeeded"}')
    manifests = load_manifests(config)
    assert len(manifests) == 5
    summary = summarize_runs(manifests)
    assert list(summary) == ["ST-B-001", "ST-B-002"]
    assert {k: summary["ST-B-001"][k] for k in ("runs", "failures", "denied")} == {
        "runs": 3,
        "failures": 1,
        "denied": 0,
    }
    assert summary["ST-B-001"]["failure_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert summary["ST-B-002"] == {
        "runs": 1,
        "failures": 1,
        "failure_rate": 1.0,
        "seconds": summary["ST-B-002"]["seconds"],
        "denied": 1,
    }
    seconds = sum(m["duration_seconds"] for m in manifests if m["task"] == "ST-B-001")
    assert summary["ST-B-001"]["seconds"] == pytest.approx(seconds, abs=1e-3)


@pytest.mark.parametrize("task", ["../escape", "a/b", ".hidden", ""])
def test_a_task_id_that_is_not_a_plain_name_is_refused(repo: Path, task: str) -> None:
    from charter.errors import CharterError

    with pytest.raises(CharterError, match="cannot name a folder"):
        run_with_manifest(
            load_config(repo), ["true"], task=task, level=None, decision=Decision(True), cwd=repo
        )


def test_a_background_process_holding_the_pipes_does_not_hold_the_run(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    import charter.evidence.capture

    monkeypatch.setattr(charter.evidence.capture, "PIPE_GRACE_S", 0.2)
    out: list[bytes] = []
    start = time.monotonic()
    outcome = run_with_manifest(
        load_config(repo),
        ["sh", "-c", "(sleep 2; echo late) & echo early"],
        task="ST-B-001",
        level="L1",
        decision=Decision(True),
        cwd=repo,
        stdout_sink=out.append,
    )
    assert time.monotonic() - start < 1.5
    assert outcome.exit_code == 0
    assert outcome.manifest["stdout"]["tail"] == "early\n"


def test_paths_are_relative_to_a_charter_root_inside_a_larger_work_tree(tmp_path: Path) -> None:
    top = tmp_path / "mono"
    root = top / "services" / "api"
    (root / "src").mkdir(parents=True)
    (root / "charter.toml").write_text("")
    (root / "src" / "app.py").write_text("x = 1\n")
    (top / "other.txt").write_text("outside charter's root\n")
    git(top, "init", "-q")
    commit_all(top)
    (top / "other.txt").write_text("changed outside\n")
    outcome = run_with_manifest(
        load_config(root),
        ["sh", "-c", "echo y > app.py"],
        task="ST-B-001",
        level="L1",
        decision=Decision(True),
        cwd=root / "src",
    )
    assert outcome.manifest["cwd"] == "src"
    assert outcome.manifest["git"]["dirty"] is False  # other.txt is outside the charter root
    assert [f["path"] for f in outcome.manifest["files_changed"]] == ["src/app.py"]
