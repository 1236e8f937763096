"""`make release` tags v<version>, and that tag is the `rev:` the README's pre-commit
snippet pins, so the snippet resolves once the tag is pushed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

import charter
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _version() -> str:
    text = (REPO_ROOT / "pyproject.toml").read_text("utf-8")
    return str(tomllib.loads(text)["project"]["version"])


def test_the_readme_rev_is_the_release_tag_of_this_version() -> None:
    revs = re.findall(r"^\s*rev: (\S+)$", (REPO_ROOT / "README.md").read_text("utf-8"), re.M)
    assert revs == [f"v{_version()}"]
    assert charter.__version__ == _version()


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=Rel", "-c", "user.email=rel@example.org", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )


def test_make_release_tags_the_version_once_and_refuses_a_dirty_tree(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    for rel in ("Makefile", "pyproject.toml", "README.md", "tools/charter/__init__.py"):
        (clone / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / rel, clone / rel)
    _git(tmp_path, "init", "-q", str(clone))
    _git(clone, "add", "-A")
    _git(clone, "commit", "-qm", "release candidate")
    env = {**os.environ, "GIT_COMMITTER_NAME": "Rel", "GIT_COMMITTER_EMAIL": "rel@example.org"}
    (clone / "stray.txt").write_text("x")
    dirty = subprocess.run(["make", "release"], cwd=clone, capture_output=True, text=True, env=env)
    assert dirty.returncode != 0 and "commit or stash" in dirty.stdout
    (clone / "stray.txt").unlink()
    made = subprocess.run(["make", "release"], cwd=clone, capture_output=True, text=True, env=env)
    assert made.returncode == 0, made.stdout + made.stderr
    tag = f"v{_version()}"
    listed = _git(tmp_path, "ls-remote", "--tags", str(clone), tag).stdout
    assert f"refs/tags/{tag}" in listed  # what pre-commit fetches for `rev: {tag}`
    again = subprocess.run(["make", "release"], cwd=clone, capture_output=True, text=True, env=env)
    assert again.returncode != 0 and "tagged already" in again.stdout
