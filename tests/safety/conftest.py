"""Fixtures for the safety tests: a governed repository (copied per test) and a pinned clock."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from charter.config import Config, load_config

from .helpers import NOW, governed_repo


@pytest.fixture(scope="session")
def repo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("safety-template") / "repo"
    governed_repo(root)
    return root


@pytest.fixture
def repo(repo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setenv("CHARTER_NOW", NOW)
    for name in ("CHARTER_APPROVED_BY", "CHARTER_AGENT", "CHARTER_BASE_REF"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "repo"
    shutil.copytree(repo_template, root, symlinks=True)
    monkeypatch.chdir(root)
    return load_config(root)
