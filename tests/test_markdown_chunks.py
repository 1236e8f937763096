"""A long document is parsed a piece at a time (charter.markdown.outline), and its outline
is exactly the one a single parse gives: on every real document, and on documents made of
the constructs that could hide a cut (fences, HTML blocks, tables, quotes, lazy lines,
thematic breaks, ordered and empty items)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charter import markdown
from tests.conftest import CORPORA, EXAMPLES

WHOLE = 10**9  # CHUNK_LINES that parses any document in one piece


def _outline(text: str, chunk: int, monkeypatch: pytest.MonkeyPatch) -> markdown.Outline:
    monkeypatch.setattr(markdown, "CHUNK_LINES", chunk)
    monkeypatch.setattr(markdown, "SCAN", False)  # markdown-it alone, in pieces
    return markdown.outline(text)


def _documents() -> list[Path]:
    found = [p for folder in (CORPORA, EXAMPLES) if folder.is_dir() for p in folder.rglob("*.md")]
    # The longer documents: a short one is parsed in one piece at every size tried.
    return sorted(p for p in found if p.stat().st_size > 6_000)


DOCUMENTS = _documents()


@pytest.mark.skipif(not DOCUMENTS, reason="../shared/corpora and ../shared/examples are absent")
def test_every_long_real_document_reads_the_same_in_pieces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cut = 0
    for path in DOCUMENTS:
        text = path.read_text("utf-8", "replace").replace("\r\n", "\n")
        whole = _outline(text, WHOLE, monkeypatch)
        for chunk in (7, 40):
            assert _outline(text, chunk, monkeypatch) == whole, f"{path} in pieces of {chunk}"
        cut += markdown._cut(text.split("\n"), 7) < text.count("\n")
    assert cut > len(DOCUMENTS) // 4  # most of them were really cut somewhere


LINES = [
    "- [ ] **T-1** a task",
    "- [x] **T-2** done",
    "  - Status: Done",
    "  - Evidence: `a.md`",
    "    - [ ] **T-3** nested",
    "* star item",
    "+ plus item",
    "-",
    "- ",
    "- - -",
    "* * *",
    "---",
    "1. ordered",
    "2. ordered second",
    "```",
    "  ```",
    "~~~",
    "<div>",
    "<!--",
    "-->",
    "<pre>",
    "</pre>",
    "> - quoted item",
    "> quoted text",
    "| ID | Title |",
    "|----|-------|",
    "| T-9 | row |",
    "- a | b",
    "- b | c",
    "|---|---|",
    "# Heading",
    "## Sub",
    "text of a paragraph",
    "    indented code",
    "",
    "",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(st.sampled_from(LINES), min_size=1, max_size=60),
    chunk=st.integers(min_value=1, max_value=8),
)
def test_any_document_reads_the_same_in_pieces(lines: list[str], chunk: int) -> None:
    text = "\n".join(lines)
    with pytest.MonkeyPatch.context() as patch:
        assert _outline(text, chunk, patch) == _outline(text, WHOLE, patch)


def test_a_long_checklist_is_parsed_in_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    items = [f"- [ ] **T-{n}** task {n}\n  - Status: Todo\n  - Owner: a" for n in range(300)]
    text = "# Plan\n\n" + "\n".join(items) + "\n\n| ID | Title |\n|---|---|\n| T-x | row |\n"
    pieces: list[int] = []
    parser = markdown._parser()
    parse = parser.parse
    monkeypatch.setattr(parser, "parse", lambda src: pieces.append(src.count("\n")) or parse(src))
    outline = _outline(text, 100, monkeypatch)
    assert len(pieces) == 9  # 900 lines of items in pieces of 100 lines, the table with the last
    assert max(pieces) <= 100 + 3  # a piece ends where the next item starts
    monkeypatch.setattr(parser, "parse", parse)
    assert outline == _outline(text, WHOLE, monkeypatch)
    assert [i.line for i in outline.items if i.depth == 0][-1] == 2 + 3 * 299
    assert outline.tables[0].rows == [2 + 900 + 3]


def test_a_cut_inside_a_fence_falls_back_to_one_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "```\n" + "\n".join(f"- [ ] **T-{n}** not a task" for n in range(50)) + "\n```\n- [ ] x"
    outline = _outline(text, 5, monkeypatch)
    assert [i.line for i in outline.items] == [52]
    assert outline == _outline(text, WHOLE, monkeypatch)
