"""Ordinary agent commands are allowed at L1 in a repository `charter init` made."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from charter.guard.api import check_command
from tests.guard.cases_usability import USABILITY
from tests.guard.initrepo import build_init_repo


@pytest.fixture(scope="module")
def init_repo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = build_init_repo(tmp_path_factory.mktemp("usability") / "repo")
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("command", USABILITY)
def test_ordinary_command_is_allowed_at_l1(init_repo_root: Path, command: str) -> None:
    outcome = check_command(command, cwd=str(init_repo_root), level="L1", env={}, count=False)
    assert outcome.decision.allowed, outcome.decision.reason


def test_usability_battery_is_large() -> None:
    assert len(USABILITY) >= 100
    assert len(set(USABILITY)) == len(USABILITY)
