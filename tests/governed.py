"""Governed repositories for tests, made one way.

`init_charter_repo`: a git repository made by `charter init` (without git
hooks: a fixture, not a test of them), optionally committed. `init_governed_repo`
and `governed_repo_fixtures`: the hand-written repository tests/safety and
tests/sessions share, built once and copied per test; each package supplies
its own files (policy, gates, plans) and pinned clock.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from charter.board.regenerate import regenerate_board
from charter.config import Config, load_config


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


GIT = ("git", "-c", "user.name=t", "-c", "user.email=t@example.com")


def git(root: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=root, check=True, capture_output=True)


def init_charter_repo(
    root: Path, files: dict[str, str] | None = None, *, commit: bool = True, **init: Any
) -> Path:
    """`git init` (branch main), `files` (path -> text), `charter init` with `init`'s
    options and no git hooks, then everything committed when `commit`."""
    from charter.scaffold import init_repo

    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    for rel, text in (files or {}).items():
        write(root, rel, text)
    init_repo(root, git_hooks=False, **init)
    if commit:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial")
    return root


def init_governed_repo(root: Path, files: dict[str, str]) -> Config:
    """A git repository holding `files` (path -> text), with its board generated."""
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for rel, text in files.items():
        write(root, rel, text)
    config = load_config(root)
    regenerate_board(config)
    return config


def governed_repo_fixtures(
    build: Callable[[Path], Config],
    *,
    now: str,
    unset: tuple[str, ...],
    chdir: bool = False,
) -> tuple[Any, Any]:
    """The `repo_template` and `repo` fixtures for a conftest to bind at module level:

        repo_template, repo = governed_repo_fixtures(governed_repo, now=NOW, unset=(...))

    `repo` pins CHARTER_NOW to `now`, unsets `unset`, copies the template to
    tmp_path/repo (and changes into it when `chdir`), and returns its config.
    """

    @pytest.fixture(scope="session")
    def repo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
        """Built once (git init and a board take a while); each test gets a copy."""
        root = tmp_path_factory.mktemp("template") / "repo"
        build(root)
        return root

    @pytest.fixture
    def repo(repo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
        monkeypatch.setenv("CHARTER_NOW", now)
        for name in unset:
            monkeypatch.delenv(name, raising=False)
        root = tmp_path / "repo"
        shutil.copytree(repo_template, root, symlinks=True)
        if chdir:
            monkeypatch.chdir(root)
        return load_config(root)

    return repo_template, repo


def board_bytes(config: Config) -> tuple[bytes, bytes]:
    """The board's Markdown and CSV as they are on disk."""
    return config.path(config.board).read_bytes(), config.path(config.board_csv).read_bytes()


def full_board(config: Config, tmp_path: Path) -> tuple[bytes, bytes]:
    """What `charter board --force` writes from scratch (no caches, no old board), made in a
    copy of the repository under `tmp_path`."""
    copy = tmp_path / "scratch"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(config.root, copy, ignore=shutil.ignore_patterns(".charter", "TaskBoard.*"))
    fresh = load_config(copy)
    regenerate_board(fresh, force=True)
    return board_bytes(fresh)


def count_calls(
    monkeypatch: pytest.MonkeyPatch, counts: dict[str, int], module: object, name: str, kind: str
) -> None:
    """Each call of `module.name` adds one to `counts[kind]`."""
    original: Callable[..., object] = getattr(module, name)

    def wrapper(*args: object, **kwargs: object) -> object:
        counts[kind] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
