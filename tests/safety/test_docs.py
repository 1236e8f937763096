"""docs/safety.md: the worked example runs, and prints what the page says it prints."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import doc_block, run_doc_example

DOC = Path(__file__).resolve().parents[2] / "docs" / "safety.md"
NOW = "2026-03-04T05:06:07Z"


def test_the_worked_example_prints_what_the_page_shows(tmp_path: Path) -> None:
    if not Path("/bin/bash").exists() or shutil.which("make") is None:
        pytest.skip("the example is a bash session that needs make")
    script = doc_block(DOC, "example: safety-demo")
    expected = doc_block(DOC, "output: safety-demo")
    output = run_doc_example(script, tmp_path, {"CHARTER_NOW": NOW}, timeout=300)
    for demo in {str(tmp_path / "safety-demo"), os.path.realpath(tmp_path / "safety-demo")}:
        output = output.replace(demo, "/path/to/safety-demo")
    assert output == expected


def test_the_page_names_every_budget_and_event() -> None:
    from charter.guard.policy import BUDGET_KEYS
    from charter.safety.escalate import EVENTS

    text = DOC.read_text(encoding="utf-8")
    for name in (*BUDGET_KEYS, *EVENTS):
        assert f"`{name}`" in text, name
