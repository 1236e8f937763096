"""Shared fixtures: temporary governed repositories."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
CORPORA = SHARED / "corpora"
EXAMPLES = SHARED / "examples"

MakeRepo = Callable[..., Path]


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """A git repository holding `files` (path -> text or bytes), with an optional charter.toml."""

    def make(files: dict[str, str | bytes], config: str | None = None, git: bool = True) -> Path:
        root = tmp_path / "repo"
        root.mkdir(exist_ok=True)
        if git:
            subprocess.run(["git", "init", "-q", str(root)], check=True)
        if config is not None:
            (root / "charter.toml").write_text(config, encoding="utf-8")
        write_files(root, files)
        return root

    return make


def _charter_state_in_shared() -> set[Path]:
    if not SHARED.is_dir():
        return set()
    return {p for p in SHARED.glob("**/.charter") if p.is_dir()}


@pytest.fixture(scope="session", autouse=True)
def shared_corpora_stay_untouched() -> object:
    """Tests read ../shared in place; none may leave charter's state behind there."""
    before = _charter_state_in_shared()
    yield
    created = _charter_state_in_shared() - before
    assert not created, f"tests wrote charter state into shared/: {sorted(map(str, created))}"
