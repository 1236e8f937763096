"""`charter board --html` does only the work its inputs call for, counted, and writes the
same bytes as a full regeneration: with the Markdown board and CSV current, only the page
is made (they are neither rendered, nor drop-guarded, nor their patch state recorded
again); after an edit they are rendered once; and a page run leaves the board's no-op
record and patch state usable by the next `charter board`."""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from charter.board import parts, regenerate
from charter.board.regenerate import regenerate_board
from charter.config import Config, load_config
from charter.errors import CharterError
from charter.outputs import protect
from tests.board.conftest import PLAN, GovernedRepo
from tests.conftest import REPO_ROOT

PAGE = "site/board.html"
MD = "docs/taskboard/TaskBoard.md"
CSV = "docs/taskboard/TaskBoard.csv"
# (module, function): the work counted, under a short name.
COUNTED = {
    "markdown": (parts, "board_markdown"),
    "csv": (parts, "render_csv"),
    "page": (parts, "render_page"),
    "rows": (regenerate, "board_rows"),
    "patch state": (regenerate, "record_state"),
    "patched": (regenerate, "patch_board"),
    "drop guard": (protect, "drop_refusal"),
}


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Iterator[collections.Counter[str]]:
    """Calls of COUNTED made in this process (a forked child's are not seen)."""
    calls: collections.Counter[str] = collections.Counter()
    for name, (module, attr) in COUNTED.items():
        original = getattr(module, attr)

        def counted(*args: Any, _name: str = name, _f: Any = original, **kwargs: Any) -> Any:
            calls[_name] += 1
            return _f(*args, **kwargs)

        monkeypatch.setattr(module, attr, counted)
    yield calls


def _commit(root: Path) -> None:
    when = "2025-01-10T10:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "plans"]
    subprocess.run(git, cwd=root, check=True, env=env)


@pytest.fixture(params=["small", "demo"])
def repo(request: pytest.FixtureRequest, governed: GovernedRepo, tmp_path: Path) -> Config:
    if request.param == "small":
        config = governed()
    else:
        root = tmp_path / "demo"
        shutil.copytree(REPO_ROOT / "examples" / "demo", root)
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        config = load_config(root)
    _commit(config.root)
    return config


def _edit(config: Config) -> None:
    """Toggle one task's status in the first plan that has a `Status:` field."""
    for plan in sorted((config.root / "docs" / "plans").rglob("*.md")):
        text = plan.read_text(encoding="utf-8")
        for old, new in (
            ("Status: In Progress", "Status: Review"),
            ("Status: Done", "Status: Review"),
        ):
            if old in text:
                plan.write_text(text.replace(old, new, 1), encoding="utf-8")
                return
    raise AssertionError("no plan with a status to edit")


def _files(root: Path) -> dict[str, bytes]:
    return {rel: (root / rel).read_bytes() for rel in (MD, CSV, PAGE)}


def _full(config: Config, tmp_path: Path) -> dict[str, bytes]:
    """The three files of a regeneration from nothing: a copy without charter's state or board."""
    fresh = tmp_path / "fresh"
    shutil.copytree(config.root, fresh)
    shutil.rmtree(fresh / ".charter", ignore_errors=True)
    for rel in (MD, CSV, PAGE):
        (fresh / rel).unlink()
    regenerate_board(load_config(fresh), html=PAGE)
    return _files(fresh)


def test_a_current_board_is_not_rendered_again_for_the_page(
    repo: Config, work: collections.Counter[str], tmp_path: Path
) -> None:
    regenerate_board(repo, html=PAGE)
    before = _files(repo.root)
    work.clear()
    result = regenerate_board(repo, html=PAGE)
    assert result.up_to_date and result.rows > 0
    assert work["rows"] == 1 and work["page"] == 1  # the page's cards need the rows
    for idle in ("markdown", "csv", "patch state", "drop guard"):
        assert work[idle] == 0, idle
    assert _files(repo.root) == before == _full(repo, tmp_path)


def test_after_an_edit_the_board_is_rendered_once_and_equals_a_full_regeneration(
    repo: Config, work: collections.Counter[str], tmp_path: Path
) -> None:
    regenerate_board(repo, html=PAGE)
    _edit(repo)
    work.clear()
    result = regenerate_board(repo, html=PAGE)
    assert set(result.changed) == {MD, CSV, PAGE}
    assert work["markdown"] == work["csv"] == work["patch state"] == work["drop guard"] == 1
    assert _files(repo.root) == _full(repo, tmp_path)


def test_a_page_run_leaves_the_board_record_and_patch_state_usable(
    repo: Config, work: collections.Counter[str]
) -> None:
    regenerate_board(repo, html=PAGE)
    regenerate_board(repo, html=PAGE)  # the Markdown board current: kept, with its state
    work.clear()
    assert regenerate_board(repo).up_to_date  # the no-op record holds: nothing read further
    assert work["rows"] == work["patched"] == 0
    _edit(repo)
    result = regenerate_board(repo)
    assert set(result.changed) == {MD, CSV}
    assert work["rows"] == 0 and work["patched"] == 1  # the rows of the edited plan alone


def test_a_hand_edited_board_is_still_refused_when_only_the_page_is_asked(
    governed: GovernedRepo,
) -> None:
    config = governed({"ingest.md": PLAN})
    regenerate_board(config, html=PAGE)
    board = config.root / MD
    board.write_text(board.read_text().replace("Table task", "Table task!"))
    with pytest.raises(CharterError, match="edited by hand"):
        regenerate_board(config, html=PAGE)
    assert "Table task!" in board.read_text()
