"""docs/adoption.md stays true: its worked example runs and prints what the page shows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.adoption.helpers import HERE

DOC = HERE.parents[1] / "docs" / "adoption.md"


def blocks(kind: str) -> list[str]:
    """The bodies of the page's fenced blocks whose info string is `kind`."""
    found: list[str] = []
    open_kind: str | None = None
    body: list[str] = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if not line.startswith("```"):
            body.append(line)
        elif open_kind is None:
            open_kind, body = line[3:].strip(), []
        else:
            if open_kind == kind:
                found.append("\n".join(body) + "\n")
            open_kind = None
    return found


def test_the_worked_example_runs_as_documented(tmp_path: Path) -> None:
    shell = [b.replace("/tmp/adopt", str(tmp_path / "adopt")) for b in blocks("bash")]
    setup, write, board = shell[0], shell[1], shell[2]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}

    def run(script: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", script],
            cwd=tmp_path,
            env=env,
            text=True,
            capture_output=True,
            check=False,
        )

    first = run(setup)
    assert first.returncode == 1, first.stderr
    shown = blocks("")[0].strip().splitlines()
    assert first.stdout.strip().splitlines() == shown
    work = tmp_path / "adopt"
    second = run(f"cd {work} && {write}")
    assert (
        "  - Owner: Ingestion" in second.stdout
        and "**ST-B-007** Only on the board" in second.stdout
    )
    third = run(f"cd {work} && {board}")
    assert third.returncode == 0, third.stdout + third.stderr
    assert "in step" in third.stderr
