"""docs/detect.md: the worked example runs, and prints what the page says it prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import doc_block, run_doc_example

DOC = Path(__file__).resolve().parents[2] / "docs" / "detect.md"


def test_the_worked_example_prints_what_the_page_shows(tmp_path: Path) -> None:
    if not Path("/bin/bash").exists():
        pytest.skip("the example is a bash session")
    script = doc_block(DOC, "example: detect-demo")
    expected = doc_block(DOC, "output: detect-demo")
    assert run_doc_example(script, tmp_path) == expected


def test_the_page_names_every_place_charter_looks() -> None:
    from charter.detect.locate import PLAN_FOLDERS

    text = DOC.read_text(encoding="utf-8")
    for folder in PLAN_FOLDERS:
        assert f"`{folder}/`" in text, folder
