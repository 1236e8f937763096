"""docs/guard.md: the worked example runs, and prints what the page says it prints."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "guard.md"


def _block(text: str, marker: str) -> str:
    match = re.search(rf"<!-- {re.escape(marker)} -->\n```\w*\n(.*?)```", text, re.S)
    assert match is not None, f"no block after <!-- {marker} --> in {DOC.name}"
    return match.group(1)


def test_the_worked_example_prints_what_the_page_shows(tmp_path: Path) -> None:
    if not Path("/bin/bash").exists():
        pytest.skip("the example is a bash session")
    text = DOC.read_text(encoding="utf-8")
    script = _block(text, "example: guard-demo")
    expected = _block(text, "output: guard-demo")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("CHARTER_ALLOW_NET", None)
    result = subprocess.run(
        ["/bin/bash", "-c", script],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.stdout == expected


def test_the_page_lists_every_hook_agent() -> None:
    from charter.guard.hooks import AGENTS

    text = DOC.read_text(encoding="utf-8")
    for agent in AGENTS:
        assert f"--hook {agent}" in text
