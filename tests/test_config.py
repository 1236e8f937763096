"""Configuration: where it is read from, and errors that name the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.config import Config, load_config, normalize_status
from charter.errors import CharterError


def test_pyproject_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.charter]\nplans = ["plans/*.md"]\nid_pattern = "X-\\\\d+"\n'
    )
    config = load_config(tmp_path)
    assert config.plans == ("plans/*.md",)
    assert config.id_re.fullmatch("X-12")
    assert config.source == tmp_path / "pyproject.toml"


def test_charter_toml_wins_and_is_found_from_a_subdirectory(tmp_path: Path) -> None:
    (tmp_path / "charter.toml").write_text('board = "BOARD.md"\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert load_config(sub).board == "BOARD.md"


def test_defaults_without_config(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    config = load_config(tmp_path)
    assert config.source is None and config.plans == ("docs/plans/**/*.md",)


@pytest.mark.parametrize(
    ("toml", "message", "line"),
    [
        ('colour = "blue"\n', "colour: unknown key", 1),
        ("board = 3\n", "board: must be a non-empty string", 1),
        ("\n\nplans = [1]\n", "plans: must be a list of strings", 3),
        ('id_pattern = "("\n', "id_pattern: invalid regular expression", 1),
        ('id_pattern = ".*"\n', "id_pattern: must not match the empty string", 1),
        ('done_column = "Finished"\n', "done_column: 'Finished' is not one of columns", 1),
        ("max_drop_share = 2\n", "max_drop_share: must be a number between 0 and 1", 1),
        (
            '[status_map]\nShipped = ["shipped"]\n',
            "status_map.Shipped: 'Shipped' is not one of columns",
            None,
        ),
        (
            '[severity]\nCH001 = "loud"\n',
            'severity.CH001: must be "error", "warning" or "off"',
            None,
        ),
        ('require_evidence = "yes"\n', "require_evidence: must be true or false", 1),
    ],
)
def test_bad_values_name_file_key_and_line(
    tmp_path: Path, toml: str, message: str, line: int | None
) -> None:
    (tmp_path / "charter.toml").write_text(toml)
    with pytest.raises(CharterError) as err:
        load_config(tmp_path)
    assert message in str(err.value)
    assert err.value.path == str(tmp_path / "charter.toml")
    if line is not None:
        assert err.value.line == line


def test_invalid_toml(tmp_path: Path) -> None:
    (tmp_path / "charter.toml").write_text("board = \n")
    with pytest.raises(CharterError, match="invalid TOML"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    ("status", "column"),
    [
        ("Done - 2025-12-22", "Done"),
        ("✅ DONE", "Done"),
        ("done (2025-01-02)", "Done"),
        ("in-progress", "In Progress"),
        ("IN_PROGRESS", "In Progress"),
        ("Won't Do", "Dropped"),
        ("Won’t do", "Dropped"),
        ("not started", "Backlog"),
        ("Blocked: waiting on infra", "Blocked"),
        ("in review", "Review"),
        ("_completed 2025-11-03_", "Done"),
        ("doneish", None),
        ("", None),
    ],
)
def test_status_mapping(status: str, column: str | None) -> None:
    assert Config(root=Path(".")).column_for_status(status) == column


def test_user_status_map_extends_defaults(tmp_path: Path) -> None:
    (tmp_path / "charter.toml").write_text('[status_map]\nDone = ["sort of finished"]\n')
    config = load_config(tmp_path)
    assert config.column_for_status("Sort of finished") == "Done"
    assert config.column_for_status("in progress") == "In Progress"
    assert config.column_for_status("done") is None  # the user's list replaced Done's phrases


def test_normalize_status() -> None:
    assert normalize_status("  **✅ Done** — 2025-12-22  ") == "done"
