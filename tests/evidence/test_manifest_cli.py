"""`charter run --manifest` and `charter task done`: the wiring from the command line to evidence."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from charter.cli import main
from charter.schemas import load_schema
from charter.state.session import ActiveSession, write_active
from tests.evidence.evidence_helpers import commit_all, git

POLICY = """---
charter_policy: 1
default_level: L1
levels:
  L1:
    title: Edit
    allow:
      - git status
      - ls
{extra}---
# Autonomy
"""
PLAN = """---
id: PL-1
title: Ranges
---
# Ranges

- [ ] **ST-B-001** Fix parse_range
  - Status: In Progress
"""


def make_repo(root: Path, extra: str = "", session: bool = True) -> Path:
    (root / "docs" / "agents").mkdir(parents=True)
    (root / "docs" / "plans").mkdir(parents=True)
    (root / "charter.toml").write_text("")
    (root / "docs" / "agents" / "AUTONOMY.md").write_text(POLICY.format(extra=extra))
    (root / "docs" / "plans" / "ranges.md").write_text(PLAN)
    git(root, "init", "-q")
    commit_all(root)
    if session:
        write_active(
            root,
            ActiveSession(
                id="s1",
                log="docs/agents/sessions/s1.md",
                task="ST-B-001",
                level="L1",
                approved_by=None,
                agent="codex",
                started="2025-11-04T09:00:00Z",
            ),
        )
    return root


def manifests(root: Path) -> list[dict[str, object]]:
    found = sorted((root / ".runs").rglob("manifest.json")) if (root / ".runs").exists() else []
    data = [json.loads(p.read_text()) for p in found]
    for manifest in data:
        jsonschema.validate(manifest, load_schema("run-manifest.v1.json"))
    return data


def run(root: Path, *args: str) -> int:
    return main(["run", *args])


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    return root


def test_run_with_manifest_records_the_allowed_command(
    repo: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    assert run(repo, "--manifest", "--", "git", "status", "--short") == 0
    [manifest] = manifests(repo)
    assert manifest["task"] == "ST-B-001"
    assert manifest["argv"] == ["git", "status", "--short"]
    assert manifest["decision"]["allowed"] is True
    assert manifest["level"] == "L1"
    assert manifest["session"] == {
        "id": "s1",
        "log": "docs/agents/sessions/s1.md",
        "agent": "codex",
    }
    assert "charter run: manifest .runs/ST-B-001/" in capfd.readouterr().err


def test_a_denied_command_is_recorded_and_nothing_runs(repo: Path) -> None:
    assert run(repo, "--manifest", "--", "touch", "created.txt") == 2
    [manifest] = manifests(repo)
    assert (manifest["status"], manifest["exit_code"], manifest["stdout"]) == ("denied", None, None)
    assert not (repo / "created.txt").exists()


def test_without_the_flag_no_manifest_is_written(repo: Path) -> None:
    assert run(repo, "--", "ls") == 0
    assert manifests(repo) == []


def test_the_policy_can_make_manifests_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(tmp_path / "repo", extra="manifest: always\n")
    monkeypatch.chdir(root)
    assert run(root, "--", "ls") == 0
    assert len(manifests(root)) == 1


def test_manifest_needs_a_session_and_then_nothing_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "repo", session=False)
    monkeypatch.chdir(root)
    assert run(root, "--manifest", "--", "ls") == 2
    assert "--manifest needs an active session" in capfd.readouterr().err
    assert manifests(root) == []


def test_a_bad_manifest_setting_names_the_policy_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "repo", extra="manifest: sometimes\n")
    monkeypatch.chdir(root)
    assert run(root, "--", "ls") == 2
    assert "docs/agents/AUTONOMY.md:10: manifest must be `always`" in capfd.readouterr().err


def test_task_done_records_the_evidence_hash(repo: Path) -> None:
    assert run(repo, "--manifest", "--", "ls") == 0
    [path] = list((repo / ".runs").rglob("manifest.json"))
    rel = path.relative_to(repo).as_posix()
    assert main(["task", "done", "ST-B-001", "--evidence", rel, "--no-board"]) == 0
    from charter.evidence.digest import sha256_file

    text = (repo / "docs" / "plans" / "ranges.md").read_text()
    assert f"  - Evidence: `{rel}` (sha256: {sha256_file(path)})\n" in text
    assert main(["check", "--no-cache"]) == 0
    path.write_text(path.read_text().replace('"ls"', '"ls -la"'))
    assert main(["check", "--no-cache"]) == 1


def test_task_done_can_leave_the_hash_out(repo: Path) -> None:
    (repo / "report.txt").write_text("ok\n")
    assert (
        main(["task", "done", "ST-B-001", "--evidence", "report.txt", "--no-hash", "--no-board"])
        == 0
    )
    assert "  - Evidence: `report.txt`\n" in (repo / "docs" / "plans" / "ranges.md").read_text()
