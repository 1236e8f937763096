"""One answer to "is this inside the repository": the guard's path checks and the
configuration's locations (`guard.paths.relative_to_root`)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from charter.config import load_config
from charter.errors import CharterError
from charter.guard.paths import PathRules, relative_to_root


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/r/repo", "."),
        ("/r/repo/a/b.md", "a/b.md"),
        ("/r/repo-other/a.md", None),  # a sibling sharing the prefix is outside
        ("/r", None),
        ("/elsewhere/x", None),
    ],
)
def test_relative_to_root(path: str, expected: str | None) -> None:
    assert relative_to_root("/r/repo", path) == expected


def test_the_guards_rules_use_it(tmp_path: Path) -> None:
    rules = PathRules(str(tmp_path), str(tmp_path), [], [])
    root = os.path.realpath(tmp_path)
    assert rules.relative(os.path.join(root, "x")) == "x"
    assert rules.relative(root + "-other/x") is None


@pytest.mark.parametrize(
    ("setting", "link", "message"),
    [
        ('board = "../board.md"', False, "must be a path inside the repository"),
        ('board = "/tmp/board.md"', False, "must be a path inside the repository"),
        ('handoff = "out/HANDOFF.md"', True, "outside the repository (a symbolic link?)"),
    ],
)
def test_a_configured_location_outside_the_repository_is_refused(
    tmp_path: Path, setting: str, link: bool, message: str
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".git").mkdir()
    if link:
        (tmp_path / "elsewhere").mkdir()
        (root / "out").symlink_to(tmp_path / "elsewhere")
    (root / "charter.toml").write_text(setting + "\n", encoding="utf-8")
    with pytest.raises(CharterError, match=re.escape(message)):
        load_config(root)
