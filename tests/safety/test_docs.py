"""docs/safety.md: the worked example runs, and prints what the page says it prints."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "safety.md"
NOW = "2026-03-04T05:06:07Z"


def _block(text: str, marker: str) -> str:
    match = re.search(rf"<!-- {re.escape(marker)} -->\n```\w*\n(.*?)```", text, re.S)
    assert match is not None, f"no block after <!-- {marker} --> in {DOC.name}"
    return match.group(1)


def test_the_worked_example_prints_what_the_page_shows(tmp_path: Path) -> None:
    if not Path("/bin/bash").exists() or shutil.which("make") is None:
        pytest.skip("the example is a bash session that needs make")
    text = DOC.read_text(encoding="utf-8")
    script = _block(text, "example: safety-demo")
    expected = _block(text, "output: safety-demo")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "CHARTER_NOW": NOW,
    }
    # MAKE*: the page shows what a person sees, not `make test` nesting (make[1]: ...)
    for name in (
        "CHARTER_APPROVED_BY",
        "CHARTER_AGENT",
        "CHARTER_BASE_REF",
        "MAKELEVEL",
        "MAKEFLAGS",
        "MFLAGS",
        "MAKEOVERRIDES",
    ):
        env.pop(name, None)
    result = subprocess.run(
        ["/bin/bash", "-c", script],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        timeout=300,
    )
    output = result.stdout
    for demo in {str(tmp_path / "safety-demo"), os.path.realpath(tmp_path / "safety-demo")}:
        output = output.replace(demo, "/path/to/safety-demo")
    assert output == expected


def test_the_page_names_every_budget_and_event() -> None:
    from charter.parse.policy import BUDGET_KEYS
    from charter.safety.escalate import EVENTS

    text = DOC.read_text(encoding="utf-8")
    for name in (*BUDGET_KEYS, *EVENTS):
        assert f"`{name}`" in text, name
