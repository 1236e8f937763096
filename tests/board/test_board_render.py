"""Rendering the board: golden files, byte stability, CSV quoting, natural order.

Regenerate the golden files after an intended change, and review their diff:

    CHARTER_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/board/test_board_render.py
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from charter.board.parts import board_files, render_parts
from charter.board.render import CSV_HEADER
from charter.config import Config
from charter.repo import RepoModel, load_repo
from tests.board.conftest import GOLDEN


def render_board(repo: RepoModel, *, html: str | None = None) -> dict[str, str]:
    """Every board file's text as `charter board` would write it."""
    return board_files(repo.config, render_parts(repo, html=html), html)


UPDATE = os.environ.get("CHARTER_UPDATE_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(text.encode("utf-8"))
    if not path.exists():
        pytest.fail(f"no golden file {name}: run with CHARTER_UPDATE_GOLDEN=1 and review it")
    assert text == path.read_bytes().decode("utf-8"), f"{name} differs from its golden file"


def test_board_matches_golden_files(fixture_repo: Config) -> None:
    files = render_board(load_repo(fixture_repo, use_cache=False))
    assert sorted(files) == ["docs/taskboard/TaskBoard.csv", "docs/taskboard/TaskBoard.md"]
    check_golden("TaskBoard.md", files["docs/taskboard/TaskBoard.md"])
    check_golden("TaskBoard.csv", files["docs/taskboard/TaskBoard.csv"])


def test_rendering_is_byte_stable(fixture_repo: Config) -> None:
    first = render_board(load_repo(fixture_repo, use_cache=False))
    second = render_board(load_repo(fixture_repo, use_cache=True))
    third = render_board(load_repo(fixture_repo, use_cache=True))
    assert first == second == third
    for text in first.values():
        assert "\r" not in text and text.endswith("\n") and not text.endswith("\n\n")


def test_generated_markdown_says_so_first(fixture_repo: Config) -> None:
    text = render_board(load_repo(fixture_repo))["docs/taskboard/TaskBoard.md"]
    first = text.splitlines()[0]
    assert first.startswith("<!-- charter:generated sha256=")
    assert "do not edit" in first and "docs/plans/**/*.md" in first and "charter board" in first


def test_csv_is_rfc4180_and_one_row_per_task(fixture_repo: Config) -> None:
    repo = load_repo(fixture_repo)
    text = render_board(repo)["docs/taskboard/TaskBoard.csv"]
    assert not text.startswith("#")  # a comment line would break CSV readers
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_HEADER
    ids = [r[0] for r in rows[1:]]
    assert sorted(ids) == sorted(t.id for t in repo.tasks() if t.id)
    by_id = {r[0]: dict(zip(CSV_HEADER, r, strict=True)) for r in rows[1:]}
    assert by_id["ST-B-10"]["Title"] == 'Write the report, "with quotes", commas'
    assert '"Write the report, ""with quotes"", commas"' in text  # RFC 4180 quoting
    assert by_id["ST-B-10"]["Depends"] == "ST-B-2"
    assert by_id["ST-B-10"]["Updated"] == "2026-01-05"
    assert by_id["ST-B-1"]["Updated"] == "2025-12-22"  # the date in "Done - 2025-12-22"
    assert by_id["QA-10"]["Column"] == "Done"
    assert by_id["ST-B-3"]["Column"] == "Dropped"
    assert by_id["ST-B-2a"]["Column"] == "Review"


def test_rows_sort_naturally(fixture_repo: Config) -> None:
    text = render_board(load_repo(fixture_repo))["docs/taskboard/TaskBoard.csv"]
    ids = [r[0] for r in list(csv.reader(io.StringIO(text)))[1:]]
    assert ids == ["QA-2", "QA-9", "QA-10", "ST-B-1", "ST-B-2", "ST-B-2a", "ST-B-3", "ST-B-10"]


def test_markdown_has_every_column_with_its_count(fixture_repo: Config) -> None:
    text = render_board(load_repo(fixture_repo))["docs/taskboard/TaskBoard.md"]
    for heading in (
        "## Backlog (1)",
        "## In Progress (2)",
        "## Review (1)",
        "## Blocked (1)",
        "## Done (2)",
        "## Dropped (1)",
    ):
        assert heading in text
    assert r"Trial reduced ceilings \| keep the old path" in text  # a pipe cannot split the cell
    assert "[`.runs/ST-B-1/manifest.json`](../../.runs/ST-B-1/manifest.json)" in text
    assert "`.runs/QA-*/report.md`" in text and "(../../.runs/QA-*" not in text  # globs: no link


def test_repo_template_overrides_the_default_by_file_name(fixture_repo: Config) -> None:
    override = fixture_repo.root / "templates" / "board.md.j2"
    override.parent.mkdir()
    override.write_text("{% for c in columns %}{{ c.name }}={{ c.count }}\n{% endfor %}")
    text = render_board(load_repo(fixture_repo))["docs/taskboard/TaskBoard.md"]
    assert text.splitlines()[1:] == [
        "Backlog=1",
        "In Progress=2",
        "Review=1",
        "Blocked=1",
        "Done=2",
        "Dropped=1",
    ]


def test_html_is_autoescaped_and_markdown_is_not(governed: object) -> None:
    from tests.board.conftest import PLAN

    config = governed({"p.md": PLAN.replace("Write the report", "Report <b>&</b> more")})  # type: ignore[operator]
    files = render_board(load_repo(config), html="board.html")
    # the page carries task text as escaped JSON, drawn as text; never as markup
    assert "Report \\u003cb\\u003e\\u0026\\u003c/b\\u003e more" in files["board.html"]
    assert "<b>&</b>" not in files["board.html"]
    assert "Report <b>&</b> more" in files["docs/taskboard/TaskBoard.md"]


def test_template_errors_name_the_template_and_line(fixture_repo: Config) -> None:
    from charter.errors import CharterError

    override = fixture_repo.root / "templates" / "board.md.j2"
    override.parent.mkdir()
    override.write_text("# Board\n\n{{ no_such_variable }}\n")
    with pytest.raises(CharterError) as info:
        render_board(load_repo(fixture_repo))
    assert info.value.path == str(override) and info.value.line == 3
    override.write_text("# Board\n{% for x in columns %}\n")
    with pytest.raises(CharterError) as info:
        render_board(load_repo(fixture_repo))
    assert "syntax" in str(info.value) and info.value.path == str(override)


def test_empty_repository_renders_every_column_empty(governed: object) -> None:
    config = governed({"empty.md": "---\nid: e\ntitle: E\n---\n# Nothing yet\n"})  # type: ignore[operator]
    files = render_board(load_repo(config))
    assert files["docs/taskboard/TaskBoard.csv"] == ",".join(CSV_HEADER) + "\n"
    assert files["docs/taskboard/TaskBoard.md"].count("_No tasks._") == 6


def test_golden_fixture_is_in_the_tree() -> None:
    assert (Path(__file__).parent / "fixtures" / "repo" / "docs" / "plans").is_dir()
