"""Presets: defaults applied under the user's own keys, and the TOML `charter init` writes."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from charter.config import Config, load_config
from charter.errors import CharterError
from charter.presets import DEFAULT_STATUS_MAP, PRESETS
from tests.adoption.helpers import make_repo


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_loads_and_applies_its_values(tmp_path: Path, name: str) -> None:
    preset = PRESETS[name]
    config = make_repo(tmp_path, {}, f'[tool.charter]\npreset = "{name}"\n')
    assert config.preset == name
    for key, value in preset.values.items():
        got = getattr(config, key)
        if key == "status_map":
            for column, phrases in value.items():
                assert got[column] == tuple(phrases)
        elif key == "severity":
            assert dict(got) == value
        elif isinstance(value, list):
            assert got == tuple(value)
        else:
            assert got == value


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_the_toml_init_writes_names_the_preset_and_parses(tmp_path: Path, name: str) -> None:
    text = PRESETS[name].toml
    assert tomllib.loads(text) == {"tool": {"charter": {"preset": name}}}
    # Every commented key, uncommented, is valid TOML giving the preset's value.
    uncommented = "\n".join(
        line[2:] if line.startswith(("# [", "# ")) and ("=" in line or "[" in line[:3]) else line
        for line in text.splitlines()
        if not line.startswith("# The preset")
    )
    table = tomllib.loads(uncommented)["tool"]["charter"]
    for key, value in PRESETS[name].values.items():
        assert table[key] == value
    config = make_repo(tmp_path, {}, text)
    assert config.preset == name


def test_user_keys_win_and_tables_merge(tmp_path: Path) -> None:
    config = make_repo(
        tmp_path,
        {},
        '[tool.charter]\npreset = "speckit"\nid_pattern = "T-\\\\d+"\n'
        '[tool.charter.severity]\nCH003 = "warning"\n'
        '[tool.charter.status_map]\nDone = ["shipped"]\n',
    )
    assert config.id_pattern == r"T-\d+"
    assert dict(config.severity) == {"duplicate-task-id": "warning", "CH003": "warning"}
    assert config.status_map["Done"] == ("shipped",)
    assert config.status_map["Dropped"] == (*DEFAULT_STATUS_MAP["Dropped"], "deferred", "skipped")
    assert config.table_tasks is False  # from the preset, untouched


def test_chinese_statuses_of_role_sessions_map_to_columns(tmp_path: Path) -> None:
    config = make_repo(tmp_path, {}, '[tool.charter]\npreset = "role-sessions"\n')
    assert [config.column_for_status(s) for s in ("✅ 已修复", "进行中", "阻塞", "待修复")] == [
        "Done",
        "In Progress",
        "Blocked",
        "Backlog",
    ]


def test_unknown_preset_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "charter.toml").write_text(
        '[tool.charter]\nplans = ["x/*.md"]\npreset = "spec-kit"\n'
    )
    with pytest.raises(CharterError) as caught:
        load_config(tmp_path)
    assert caught.value.path == str(tmp_path / "charter.toml")
    assert caught.value.line == 3
    assert "unknown preset 'spec-kit'" in caught.value.message and "speckit" in caught.value.message


def test_a_handoff_read_as_a_plan_cannot_be_charters_output(tmp_path: Path) -> None:
    (tmp_path / "charter.toml").write_text(
        '[tool.charter]\npreset = "github-issues"\nhandoff = "docs/SESSION_HANDOFF.md"\n'
    )
    with pytest.raises(CharterError, match="would overwrite it"):
        load_config(tmp_path)


def test_no_preset_means_the_defaults() -> None:
    assert Config(root=Path(".")).preset is None
