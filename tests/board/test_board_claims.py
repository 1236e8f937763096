"""The board shows who holds each claimed task and until when (`board_claims = true`):
the same claims give the same bytes, and no claims give the board without the columns."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from charter.board.regenerate import regenerate_board
from charter.claims import ops
from charter.config import load_config
from charter.errors import CharterError
from tests.claims.helpers import governed_clone, with_remote

ON = 'board_claims = true\nclaims = "local"\n'


def _board(root: Path) -> tuple[str, str]:
    config = load_config(root)
    regenerate_board(config)
    return (
        config.path(config.board).read_text("utf-8"),
        config.path(config.board_csv).read_text("utf-8"),
    )


def test_no_claims_no_columns(tmp_path: Path) -> None:
    on = governed_clone(tmp_path / "on", ON)
    off = governed_clone(tmp_path / "off", "")

    assert _board(on) == _board(off)
    assert "Claimed" not in _board(on)[1]


def test_claims_show_and_are_byte_stable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = governed_clone(tmp_path, ON)
    unclaimed = _board(root)
    store = ops.Store(root, None)
    monkeypatch.setenv("CHARTER_NOW", "2026-01-01T10:00:00Z")
    ops.claim(store, "PAR-2", "alice", "2h")
    ops.claim(store, "PAR-3", "bob, the builder", "30m")

    markdown, table = _board(root)
    assert table.splitlines()[0].endswith(",Claimed by,Claimed until")
    rows = {line.split(",", 1)[0]: line for line in table.splitlines()[1:]}
    assert rows["PAR-1"].endswith(",,")
    assert rows["PAR-2"].endswith(",alice,2026-01-01T12:00:00Z")
    assert rows["PAR-3"].endswith(',"bob, the builder",2026-01-01T10:30:00Z')
    assert "| Claimed by | Until |" in markdown
    assert "| alice | 2026-01-01T12:00:00Z |" in markdown

    # Later (the claims expired by the clock: the board shows what they record) and
    # without the memo: the same bytes.
    monkeypatch.setenv("CHARTER_NOW", "2026-01-02T10:00:00Z")
    assert regenerate_board(load_config(root)).changed == ()
    shutil.rmtree(root / ".charter" / "cache", ignore_errors=True)
    assert _board(root) == (markdown, table)

    # A renewal changes what is recorded, so the board; releasing all gives back the
    # board without the columns, byte for byte.
    ops.renew(store, "PAR-2", "alice", "4h")
    assert "2026-01-02T14:00:00Z" in _board(root)[1]
    ops.release(store, "PAR-2", "alice")
    ops.release(store, "PAR-3", "bob, the builder")
    assert _board(root) == unclaimed


def test_check_reports_a_changed_claim_as_drift(tmp_path: Path) -> None:
    root = governed_clone(tmp_path, ON)
    _board(root)
    ops.claim(ops.Store(root, None), "PAR-1", "alice", "1h")

    result = regenerate_board(load_config(root), check=True)

    assert set(result.changed) == {"docs/taskboard/TaskBoard.md", "docs/taskboard/TaskBoard.csv"}
    assert "alice" in result.diff


def test_unreadable_claims_are_an_error_naming_the_setting(tmp_path: Path) -> None:
    root = governed_clone(tmp_path, 'board_claims = true\nclaims = "remote"\n')
    bare = with_remote(tmp_path, root)
    bare.rename(tmp_path / "gone.git")

    with pytest.raises(CharterError, match="board_claims = false") as caught:
        regenerate_board(load_config(root))
    assert "cannot reach the claims remote" in str(caught.value)
    assert not (root / "docs/taskboard/TaskBoard.md").exists()


def test_a_folder_that_is_no_git_repository_shows_no_claims(tmp_path: Path) -> None:
    root = governed_clone(tmp_path, ON)
    shutil.rmtree(root / ".git")
    assert "Claimed" not in _board(root)[1]
