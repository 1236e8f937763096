"""A governed repository for the OS sandbox tests, and `charter run` as a real process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.governed import write

HERE = Path(__file__).parent
POLICY = """\
---
charter_policy: 1
default_level: L1
levels:
  L0:
    title: Observe
    allow: ["git status", "cat", "ls"]
  L1:
    title: Edit & test
    inherits: L0
    allow: ["pytest", "python probe.py", "git add", "git commit"]
    network: false
  L3:
    title: Online
    inherits: L1
    allow: ["pip install"]
    env: {CHARTER_ALLOW_NET: "1"}
    network: [pypi.org, files.pythonhosted.org]
deny: ["git push --force"]
forbidden_paths: [".env", "*.pem", "secrets/**"]
protected_paths: ["Makefile"]
---
# Autonomy policy
"""
PASSING_TEST = """\
import os


def test_arithmetic(tmp_path):
    (tmp_path / "scratch.txt").write_text("ok")
    assert 2 + 2 == 4


def test_reads_the_repository():
    assert os.path.exists("probe.py")
"""

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def governed(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    write(root, "docs/agents/AUTONOMY.md", POLICY)
    write(root, ".env", "API_KEY=secret\n")
    write(root, "secrets/token.txt", "secret\n")
    write(root, "Makefile", "test:\n\tpytest\n")
    write(root, "src/app.py", "print('hi')\n")
    write(root, "tests/test_ok.py", PASSING_TEST)
    shutil.copy(HERE / "probe.py", root / "probe.py")
    return root


def start_session(root: Path, level: str) -> None:
    """An active session at `level`, approved, as `charter session start` leaves it."""
    write(
        root,
        ".charter/active-session.json",
        json.dumps(
            {
                "id": "2026-12-01_session-0001",
                "log": "docs/agents/sessions/2026-12-01_session-0001.md",
                "task": "SB-1",
                "level": level,
                "approved_by": "operator",
                "agent": "test",
                "started": "2026-12-01T10:00:00+00:00",
            }
        ),
    )


@pytest.fixture
def charter_run(governed: Path, tmp_path: Path) -> Run:
    """`charter run -- ARGS` (or `charter run --command S`) in the governed repository,
    as its own process."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        bin_dir = os.path.dirname(sys.executable)
        environment = {
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "PROBE_OUTSIDE": str(tmp_path / "outside.txt"),
            **(env or {}),
        }
        if "TMPDIR" in os.environ:  # inside another sandbox, only its TMPDIR is writable
            environment["TMPDIR"] = os.environ["TMPDIR"]
        words = list(args) if args[0] in ("--command", "--manifest") else ["--", *args]
        return subprocess.run(
            [sys.executable, "-m", "charter", "run", *words],
            cwd=governed,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run
