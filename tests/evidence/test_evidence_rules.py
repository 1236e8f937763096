"""`charter check` on evidence: recorded hashes (CH019) and the manifests done tasks cite (CH020-CH023)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from charter.cli import main
from charter.config import load_config
from charter.evidence.digest import evidence_digest
from charter.evidence.manifest import Decision, run_with_manifest
from tests.conftest import check_findings
from tests.evidence.evidence_helpers import commit_all, git, sample_manifest

EVIDENCE_CODES = {"CH004", "CH019", "CH020", "CH021", "CH022", "CH023"}
RUN = ".runs/ST-B-001/2025-11-04T01-16-58-286Z-eeec1865/manifest.json"
POLICY = """---
charter_policy: 1
default_level: L1
levels:
  L1:
    title: Read only
    allow:
      - git status
{extra}---
# Autonomy
"""


def plan(evidence: str, checked: bool = True, status: str = "Done", subtask: str = "") -> str:
    box = "x" if checked else " "
    return (
        f"---\nid: PL-1\ntitle: Ranges\n---\n# Ranges\n\n"
        f"- [{box}] **ST-B-001** Fix parse_range\n  - Status: {status}\n"
        f"  - Evidence: {evidence}\n{subtask}"
    )


PLAN = "docs/plans/ranges.md"


def findings(root: Path) -> list[tuple[str, int]]:
    """(code, line) of every evidence finding; each must sit on the plan that cites the evidence."""
    config = load_config(root)
    found = [d for d in check_findings(config) if d.code in EVIDENCE_CODES]
    assert all(d.path == PLAN for d in found), [str(d) for d in found]
    return [(d.code, d.line) for d in found]


def codes(root: Path) -> list[str]:
    return [code for code, _ in findings(root)]


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "charter.toml").write_text("")
    return tmp_path


# ---- tampering with a real run's manifest ---------------------------------------


def test_tampering_with_evidence_is_caught_and_restoring_it_clears(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root, "src/app.py", "x = 1\n")
    git(root, "init", "-q")
    commit_all(root)
    config = load_config(root)
    outcome = run_with_manifest(
        config,
        ["sh", "-c", "echo tests pass"],
        task="ST-B-001",
        level="L1",
        decision=Decision(True, "allow: sh"),
        cwd=root,
    )
    rel = outcome.path.relative_to(root).as_posix()
    digest = evidence_digest(root, rel)
    write(root, PLAN, plan(f"`{rel}` (sha256: {digest})"))
    assert findings(root) == []

    original = outcome.path.read_bytes()
    # the forger's edit: a failed run made to read as a pass would be the same bytes changed
    outcome.path.write_bytes(original.replace(b'"tests pass', b'"tests PASS'))
    assert findings(root) == [("CH019", 9)]

    outcome.path.write_bytes(original)
    assert findings(root) == []

    outcome.path.unlink()
    assert codes(root) == ["CH004"]  # a done task's vanished evidence: CH004 alone, not twice


def test_a_folder_of_evidence_is_hashed_as_a_whole(root: Path) -> None:
    write(root, "reports/run1/summary.txt", "ok\n")
    write(root, "reports/run1/detail.txt", "all 12 passed\n")
    digest = evidence_digest(root, "reports/run1")
    write(root, PLAN, plan(f"`reports/run1` (sha256: {digest})"))
    assert findings(root) == []
    write(root, "reports/run1/extra.txt", "slipped in later\n")
    assert codes(root) == ["CH019"]


def test_check_reports_through_the_command_line(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(root, "evidence.txt", "before\n")
    digest = evidence_digest(root, "evidence.txt")
    write(root, PLAN, plan(f"`evidence.txt` (sha256: {digest})"))
    write(root, "evidence.txt", "after\n")
    code = main(["check", "--repo", str(root), "--no-cache", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    found = [d for d in report["findings"] if d["code"] == "CH019"]
    assert report["errors"] >= 1 and report["plans"] == 1
    assert code == 1
    assert found[0]["path"] == "docs/plans/ranges.md"
    assert found[0]["line"] == 9
    assert "evidence.txt changed since its hash was recorded" in found[0]["message"]


# ---- the table: what a cited manifest says, and what check makes of it --------------


@dataclass(frozen=True)
class Case:
    name: str
    manifest: dict[str, Any] | str | None  # JSON data, raw text, or None for no file
    expected: list[str]
    checked: bool = True
    status: str = "Done"
    policy: str | None = None  # extra policy lines; None: no policy file
    subtask: str = ""


def _manifest(**changes: Any) -> dict[str, Any]:
    return sample_manifest(**changes)


DIRTY = {
    "head": "a" * 40,
    "branch": "main",
    "dirty": True,
    "dirty_count": 4,
    "dirty_paths": ["src/a.py", "src/b.py", "src/c.py", "src/d.py"],
}
CLEAN_TREE = "require_clean_tree: true\n"

CASES = [
    Case("passing run", _manifest(), []),
    Case("says succeeded, exit code 1", _manifest(exit_code=1), ["CH021"]),
    Case("failed run", _manifest(status="failed", exit_code=1), ["CH021"]),
    Case("killed run", _manifest(status="failed", exit_code=143, signal=15), ["CH021"]),
    Case(
        "denied command",
        _manifest(
            status="denied",
            exit_code=None,
            stdout=None,
            stderr=None,
            decision={"allowed": False, "rule": "deny", "reason": "no"},
        ),
        ["CH021"],
    ),
    Case(
        "failed run on an open task",
        _manifest(status="failed", exit_code=1),
        [],
        checked=False,
        status="In Progress",
    ),
    Case("another task's run", _manifest(task="ST-B-002"), ["CH022"]),
    Case(
        "a subtask's run cited by its parent",
        _manifest(task="ST-B-009"),
        [],
        subtask="  - [x] **ST-B-009** Sub step\n    - Status: Done\n    - Evidence: `x.txt`\n",
    ),
    Case(
        "failed run for another task",
        _manifest(task="ST-B-002", status="failed", exit_code=2),
        ["CH021", "CH022"],
    ),
    Case("dirty tree, no policy", _manifest(git=DIRTY), []),
    Case("dirty tree, policy silent", _manifest(git=DIRTY), [], policy=""),
    Case("dirty tree, policy requires clean", _manifest(git=DIRTY), ["CH023"], policy=CLEAN_TREE),
    Case("clean tree, policy requires clean", _manifest(), [], policy=CLEAN_TREE),
    Case(
        "outside git, policy requires clean",
        _manifest(git=None, files_changed=None),
        ["CH023"],
        policy=CLEAN_TREE,
    ),
    Case(
        "dirty tree, open task",
        _manifest(git=DIRTY),
        [],
        checked=False,
        status="Review",
        policy=CLEAN_TREE,
    ),
    Case("not JSON", '{"schema": "charter/run-manifest/v1", "task": ', ["CH020"]),
    Case(
        "breaks the schema", {k: v for k, v in _manifest().items() if k != "exit_code"}, ["CH020"]
    ),
    Case("newer format", _manifest(schema="charter/run-manifest/v9"), ["CH020"]),
    Case(
        "damaged manifest on an open task",
        '{"schema": "charter/run-manifest/v1"}',
        ["CH020"],
        checked=False,
        status="In Progress",
    ),
    Case("another tool's manifest", {"schema": "other", "status": "failed"}, []),
    Case("JSON that is not a manifest", "[1, 2, 3]", []),
    Case("vanished, done", None, ["CH004"]),
    Case("vanished, open", None, [], checked=False, status="In Progress"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_cited_manifests(root: Path, case: Case) -> None:
    if isinstance(case.manifest, dict):
        write(root, RUN, json.dumps(case.manifest, indent=2))
    elif isinstance(case.manifest, str):
        write(root, RUN, case.manifest)
    if case.subtask:
        write(root, "x.txt", "sub evidence\n")
    if case.policy is not None:
        write(root, "docs/agents/AUTONOMY.md", POLICY.format(extra=case.policy))
    write(root, PLAN, plan(f"`{RUN}`", case.checked, case.status, case.subtask))
    assert codes(root) == case.expected


def test_a_broken_policy_is_reported_when_the_rule_needs_it(root: Path) -> None:
    write(root, RUN, json.dumps(_manifest(git=DIRTY)))
    write(root, "docs/agents/AUTONOMY.md", "---\ncharter_policy: 1\nlevels: [\n---\n")
    write(root, PLAN, plan(f"`{RUN}`"))
    config = load_config(root)
    found = [d for d in check_findings(config) if d.code == "CH023"]
    assert [(d.path, d.code) for d in found] == [("docs/agents/AUTONOMY.md", "CH023")]
    assert "cannot tell whether evidence may come from a dirty tree" in found[0].message


def test_messages_say_what_the_manifest_records(root: Path) -> None:
    write(
        root,
        RUN,
        json.dumps(
            _manifest(
                task="ST-B-002",
                status="failed",
                exit_code=2,
                command="pytest -q tests/test_ranges.py",
            )
        ),
    )
    write(root, PLAN, plan(f"`{RUN}`"))
    config = load_config(root)
    messages = {d.code: d.message for d in check_findings(config) if d.code in EVIDENCE_CODES}
    assert messages == {
        "CH021": f"ST-B-001 is done, but its evidence {RUN} records a failed run "
        "(`pytest -q tests/test_ranges.py` exited 2)",
        "CH022": f"ST-B-001 cites {RUN}, a run for task ST-B-002",
    }
