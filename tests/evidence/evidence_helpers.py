"""Helpers for the evidence tests: git in a temp repo, golden files.

Regenerate golden files after an intended change, and review their diff:

    CHARTER_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/evidence tests/ingest
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

UPDATE = os.environ.get("CHARTER_UPDATE_GOLDEN") == "1"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "charter tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "charter tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    return proc.stdout


def commit_all(root: Path, message: str = "work") -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def check_golden(path: Path, text: str) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    if not path.exists():
        pytest.fail(f"no golden file {path.name}: run with CHARTER_UPDATE_GOLDEN=1 and review it")
    assert text == path.read_bytes().decode("utf-8"), f"{path.name} differs from its golden file"


def sample_manifest(**changes: Any) -> dict[str, Any]:
    """A valid manifest (format v1) for task ST-B-001, with `changes` applied on top."""
    manifest: dict[str, Any] = {
        "schema": "charter/run-manifest/v1",
        "run_id": "2025-11-04T01-16-58-286Z-eeec1865",
        "task": "ST-B-001",
        "session": {"id": "s-7", "log": "docs/agents/sessions/s7.md", "agent": "codex"},
        "command": "make test",
        "argv": ["make", "test"],
        "cwd": ".",
        "level": "L2",
        "decision": {"allowed": True, "rule": "allow: make test", "reason": None},
        "approvals": [{"by": "dana", "level": "L2", "source": "session"}],
        "started": "2025-11-04T01:16:58.286Z",
        "ended": "2025-11-04T01:17:02.001Z",
        "duration_seconds": 3.715,
        "status": "succeeded",
        "exit_code": 0,
        "signal": None,
        "git": {
            "head": "a" * 40,
            "branch": "main",
            "dirty": False,
            "dirty_count": 0,
            "dirty_paths": [],
        },
        "stdout": {"bytes": 3, "sha256": "b" * 64, "tail": "ok\n", "tail_truncated": False},
        "stderr": {"bytes": 0, "sha256": "c" * 64, "tail": "", "tail_truncated": False},
        "files_changed": [{"path": "src/a.py", "change": "modified", "sha256": "d" * 64}],
        "charter_version": "0.1.0",
    }
    manifest.update(changes)
    return manifest
