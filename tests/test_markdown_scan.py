"""The fast scanner (charter.markdown_scan) gives exactly markdown-it's outline: on
documents made of every kind of line it reads or gives up on, indented every way, on
every real document, and in full (no markdown-it at all) on the plans charter writes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charter import markdown, markdown_lines, markdown_scan
from tests.conftest import CORPORA, EXAMPLES, REPO_ROOT

WHOLE = 10**9


def _fast(text: str) -> markdown.Outline:
    return markdown.outline(text)


def _markdown_it(text: str, monkeypatch: pytest.MonkeyPatch) -> markdown.Outline:
    """markdown-it's outline of the whole text in one parse."""
    with monkeypatch.context() as patch:
        patch.setattr(markdown, "SCAN", False)
        patch.setattr(markdown, "CHUNK_LINES", WHOLE)
        return markdown.outline(text)


INDENTS = ["", " ", "  ", "   ", "    ", "     ", "      ", "        "]
CONTENTS = [
    "- [ ] **T-1** a task",
    "- [x] **T-2** done",
    "- Status: Done",
    "* star item",
    "+ plus item",
    "-",
    "- ",
    "-   four spaces",
    "-      code after marker",
    "1. ordered",
    "2) ordered paren",
    "10. ten",
    "1234567890. too long",
    "1.",
    "3.",
    "1.text",
    "-text",
    "- - nested on one line",
    "1. - nested ordered",
    "- # heading in an item",
    "- > quote in an item",
    "- ```",
    "- <div>",
    "- [ref]: /url",
    "# Heading",
    "## Heading ##",
    "### trailing #s#",
    "#",
    "# ",
    "# #",
    "#nospace",
    "####### seven",
    "\\# escaped",
    "text of a paragraph",
    "more text with trailing spaces   ",
    "[ref]: /url",
    "[x] text",
    "[link](u) text",
    "[a\\]b]: /url",
    "[unclosed label",
    "<div>",
    "<!-- comment -->",
    "> quote",
    "```",
    "~~~",
    "```bash",
    "````",
    "~~~~ text",
    "``` a`b",
    "~~~ a`b",
    "```|x",
    "```  \t",
    "~~~\t ",
    "\t```",
    "``not a fence",
    "---",
    "***",
    "* * *",
    "_ _ _",
    "- - -",
    "===",
    "--",
    "| a | b |",
    "|---|---|",
    ":-:",
    "a | b",
    "| a |",
    "| a | b | c |",
    "| x \\| y |",
    "a \\|",
    "|",
    "|:--|--:|",
    "| --- |",
    "---|---",
    "|---||---|",
    "| - |",
    "- | x | y |",
    "1. a | b",
    "\u3000",
    "___",
    "-  -  -",
    "= =",
    "\ttab",
    "a\ttab inside",
    "a\rcarriage return",
    "nul\0byte",
    "",
    "",
    "",
]
LINE = st.tuples(st.sampled_from(INDENTS), st.sampled_from(CONTENTS)).map("".join)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(LINE, min_size=1, max_size=40), end=st.sampled_from(["", "\n", "\n  "]))
def test_any_document_reads_as_markdown_it_reads_it(lines: list[str], end: str) -> None:
    text = "\n".join(lines) + end
    with pytest.MonkeyPatch.context() as patch:
        assert _fast(text) == _markdown_it(text, patch)


FIELD = st.sampled_from(["- Status: Todo", "- Evidence: `a.md`", "- Owner: x", "text"])
TASK = st.tuples(
    st.sampled_from(["- [ ] **T-1** a task", "* [x] **T-2** done", "1. ordered task"]),
    st.lists(FIELD, max_size=4),
    st.lists(st.tuples(st.just("- [ ] **T-3** nested"), st.lists(FIELD, max_size=3)), max_size=2),
    st.sampled_from(["", "\n", "\n## Section", "\n# Part ##\n\nSome text\ngoes on.\n"]),
)


def _task_lines(task: tuple[str, list[str], list[tuple[str, list[str]]], str]) -> list[str]:
    head, fields, subtasks, after = task
    lines = [head] + ["   " + f for f in fields]  # three columns: under "1. " too
    for sub, sub_fields in subtasks:
        lines += ["   " + sub] + ["     " + f for f in sub_fields]
    return lines + ([after] if after else [])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tasks=st.lists(TASK, min_size=1, max_size=15))
def test_plan_shaped_documents_never_need_markdown_it(
    tasks: list[tuple[str, list[str], list[tuple[str, list[str]]], str]],
) -> None:
    text = "# Plan\n\n" + "\n".join(line for t in tasks for line in _task_lines(t)) + "\n"
    found = markdown_lines.marks(text)
    scanned = markdown_scan.scan(text.split("\n"), 0, found, 0)
    assert scanned.restart is None  # the scanner read all of it
    with pytest.MonkeyPatch.context() as patch:
        assert _fast(text) == _markdown_it(text, patch)


FOREIGN = [
    "```\n- [ ] **T-9** in a fence\n```",
    "```\n- [ ] **T-9** in a fence that never closes",
    "~~~ text\n| a | b |\n|---|---|\n~~~",
    "> quoted\n- [ ] **T-9** after a quote",
    "> - [ ] **T-9** quoted item\nlazy line",
    "<div>\n- [ ] **T-9** in HTML\n</div>",
    "<!--\n- [ ] **T-9** in a comment\n-->",
    "    indented code\n    - [ ] **T-9** code",
    "Setext heading\n---",
    "Setext heading\n===",
    "[ref]: /url\n- [ ] **T-9** after a definition",
    "\tTabbed line\n- [ ] **T-9** after a tab",
    "- a | b\n|---|---|",
    "* * *",
    "1. ordered\n2. list",
]
BLOCK = st.one_of(st.builds(lambda t: "\n".join(_task_lines(t)), TASK), st.sampled_from(FOREIGN))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks=st.lists(BLOCK, min_size=1, max_size=12), joint=st.sampled_from(["\n", "\n\n"]))
def test_plans_with_foreign_blocks_read_as_markdown_it_reads_them(
    blocks: list[str], joint: str
) -> None:
    """The scanner gives up on each foreign block, markdown-it reads it, the scanner
    goes on after it: the outline is still markdown-it's."""
    text = joint.join(blocks) + "\n"
    with pytest.MonkeyPatch.context() as patch:
        assert _fast(text) == _markdown_it(text, patch)


CASES = [
    ("- a\ntext at column 0\n- b\n", "a lazy line continues the item"),
    ("- a\n\n  b\n\n- c\n", "a loose item keeps its blank lines"),
    ("1. a\n1) b\n", "another delimiter starts another list"),
    ("- a\n* b\n+ c\n", "another bullet starts another list"),
    ("text\n2. not a list\n", "an ordered item interrupting a paragraph starts at 1"),
    ("text\n-\n", "an empty item does not interrupt a paragraph"),
    ("1.\n\n   text\n", "an empty item followed by a blank line ends its list"),
    ("- a\n - b\n  - c\n   - d\n    - e\n", "a staircase of items"),
    ("# Title #\n# #\n#\n###### six\n####### seven\n", "ATX headings"),
    ("- a\n\n```\n- b\n```\n- c\n", "a fence between items"),
    ("| a | b |\n|---|---|\n| 1 | 2 |\n- c\n", "a table before a list"),
    ("- a\n- b | c\n|---|---|\n- d\n", "a bullet item is a table's header only when parsed alone"),
    ("- " * 300 + "deep\n", "nesting past what the scanner follows"),
    ("| a | b |\n|---|---|\n| 1 | 2 |\n- x\n", "a list item ends a table"),
    ("| a | b |\n|---|---|\n| 1 |\n| 1 | 2 | 3 |\n\n", "rows with too few and too many cells"),
    ("| a \\| b |\n|---|\n| 1 |\n", "an escaped pipe is no cell border"),
    ("- | a | b |\n  |---|---|\n  | 1 | 2 |\n", "a table in an item"),
    ("text\n| a | b |\n|---|---|\n", "a table interrupts a paragraph"),
    ("text\n---\n\n---\n\n***\n- a\n---\n", "setext underline and thematic breaks"),
    ("# S\n\n```sh\n# not a heading\n- not an item\n```\n\n## R\n\n- a\n", "a fence"),
    ("````\n```\n# in\n````\n# out\n", "a shorter fence does not close a longer one"),
    ("~~~\n```\n# in\n~~~~  \n# out\n", "only the opening marker closes, longer is fine"),
    ("```\n    ```\n# in\n   ```\n# out\n", "a closing fence indented four is code"),
    ("```\n \t```\n# in\n  \t```\n# out\n", "tabs before a closing fence count columns"),
    ("```\n``` x\n# in\n```\n# out\n", "a closing fence holds only spaces after it"),
    ("```\n# in\n- in\n", "a fence that never closes runs to the end"),
    ("```\n# in\n```", "a fence closed on the last line"),
    ("``` a`b\n# out\n```\n# out too\n", "no backtick in a backtick fence's info"),
    ("- a\n\n```\n# in\n```\n# out\n", "a fence after a list"),
    ("text\n```\n# in\n```\n# out\n", "a fence interrupts a paragraph"),
    ("```\na\rb\n```\n# out\n", "a carriage return splits a line in a fence"),
    ("- a\n```\n# in\n```\n# out\n", "a fence ends an item's paragraph"),
    ("- a\n  - b\n\n    c\n~~~\n# in\n~~~\n", "a fence ends nested items"),
    ("-\n```\n# in\n```\n", "a fence after an empty item"),
    ("| a | b |\n|---|---|\n| 1 | 2 |\n```\n# in\n```\n", "a fence ends a table"),
    ("- | a | b |\n  |---|---|\n```\n# in\n```\n", "a fence ends a table in an item"),
    ("1. a\n\n   ```\n   # in\n   ```\n# out\n", "a fence inside an item"),
    ("- a\n ```\n# in\n```\n", "an indented fence after an item"),
    ("```\n# in\n```\n```\n# in too\n```\n- a\n```\n", "fences one after another"),
]


@pytest.mark.parametrize(("text", "why"), CASES, ids=[why for _, why in CASES])
def test_tricky_documents(text: str, why: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _fast(text) == _markdown_it(text, monkeypatch), why


def test_the_scanner_trims_what_markdown_it_trims() -> None:
    from markdown_it.common.utils import MD_TRIM_CHARS

    assert markdown_lines.MD_TRIM_CHARS == MD_TRIM_CHARS


def _plan(tasks: int) -> str:
    sys.path.insert(0, str(REPO_ROOT / "tools" / "bench"))
    try:
        import bench_growth
    finally:
        sys.path.pop(0)
    text: str = bench_growth._plan_text("P", 1, tasks)
    return text


def test_a_plan_charter_writes_needs_no_markdown_it(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _plan(2_000)
    body = text.split("---\n", 2)[2]
    parser = markdown._parser()
    monkeypatch.setattr(parser, "parse", lambda src: pytest.fail("markdown-it was called"))
    outline = markdown.outline(body)
    monkeypatch.undo()
    assert outline == _markdown_it(body, monkeypatch)
    assert sum(item.depth == 0 for item in outline.items) == 2_000


def test_only_the_region_the_scanner_gives_up_on_goes_to_markdown_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tasks = [f"- [ ] **T-{n}** task {n}\n  - Status: Todo" for n in range(100)]
    table = "| ID | Title |\n|---|---|\n| T-x | row |"
    html = "<div>\n- [ ] **T-x** not a task\n</div>"
    text = "\n".join([*tasks[:50], "", table, "", html, "", *tasks[50:]]) + "\n"
    parsed: list[str] = []
    parser = markdown._parser()
    parse = parser.parse
    monkeypatch.setattr(parser, "parse", lambda src: parsed.append(src) or parse(src))
    outline = markdown.outline(text)
    monkeypatch.undo()
    assert outline == _markdown_it(text, monkeypatch)
    # The HTML block up to a bullet line inside it (which proves nothing), then up to the
    # line of the next item, which proves where the block ended.
    assert parsed == ["<div>\n- [ ] **T-x** not a task", html + "\n\n- [ ] **T-50** task 50"]
    assert outline.tables[0].rows == [100 + 3]
    assert [item.line for item in outline.items if item.depth == 0][50] == 100 + 9


def test_a_top_level_fence_needs_no_markdown_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A session log's shape: the scanner skips a fence at the left margin (after a
    heading, a list, a task's fields) as markdown-it's fence rule does, whatever lines it
    holds, and reads on after it."""
    text = (
        "# Session\n\n## Commands\n\n```bash\nmake test\n\t# a tab, <html>, > quote\n"
        "## not a heading\n- not an item\n```\n\n## Results\n\n- Next: more\n"
        "\n~~~~\n| a | b |\n|---|---|\n~~~~\n\n# End\n\n- [ ] **T-1** a\n  - Status: Todo\n"
        "```markdown\n- [ ] **T-0** an example, not a task\n```\n"
    )
    parser = markdown._parser()
    monkeypatch.setattr(parser, "parse", lambda src: pytest.fail("markdown-it was called"))
    outline = markdown.outline(text)
    monkeypatch.undo()
    assert outline == _markdown_it(text, monkeypatch)
    assert [h.text for h in outline.headings] == ["Session", "Commands", "Results", "End"]
    assert [item.line for item in outline.items] == [13, 22, 23]


def _documents() -> list[Path]:
    folders = (CORPORA, EXAMPLES, REPO_ROOT / "tests", REPO_ROOT / "examples", REPO_ROOT / "docs")
    return sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*.md"))


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is absent")
def test_every_real_document_reads_as_markdown_it_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    whole_fast = 0
    documents = _documents()
    for path in documents:
        text = path.read_text("utf-8", "replace").replace("\r\n", "\n")
        assert _fast(text) == _markdown_it(text, monkeypatch), path
        found = markdown_lines.marks(text)
        whole_fast += markdown_scan.scan(text.split("\n"), 0, found, 0).restart is None
    # Most real documents hold a fence, a table or a rule somewhere; the rest is read fast.
    assert whole_fast > len(documents) // 5
