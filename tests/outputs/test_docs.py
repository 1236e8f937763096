"""docs/reliability.md's worked example prints what the page says it prints."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import doc_block, run_doc_example

DOC = Path(__file__).resolve().parents[2] / "docs/reliability.md"


def test_the_worked_example_prints_what_the_page_shows(tmp_path: Path) -> None:
    script = doc_block(DOC, "charter:example reliability")
    expected = doc_block(DOC, "charter:output reliability")
    output = run_doc_example(script, tmp_path, {"CHARTER_NOW": "2026-12-01T10:00:00Z"})
    assert output == expected
