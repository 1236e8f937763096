"""Shared helpers for the adoption tests: fixtures, golden files, small governed repositories.

Regenerate the golden files after an intended change, and review their diff:

    CHARTER_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/adoption
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from charter.config import Config, load_config

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
GOLDEN = HERE / "golden"
CORPUS_CONFIGS = HERE / "corpora"
SHARED = HERE.parents[1] / ".." / "shared"
CORPORA = SHARED / "corpora"
EXAMPLES = SHARED / "examples"
UPDATE = os.environ.get("CHARTER_UPDATE_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(text.encode("utf-8"))
    if not path.exists():
        pytest.fail(f"no golden file {name}: run with CHARTER_UPDATE_GOLDEN=1 and review it")
    assert text == path.read_bytes().decode("utf-8"), f"{name} differs from its golden file"


def make_repo(root: Path, files: dict[str, str | bytes], config: str) -> Config:
    """A git repository holding `files`, with `config` as its charter.toml."""
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "charter.toml").write_text(config, encoding="utf-8")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return load_config(root)


def copy_fixture(name: str, dest: Path) -> Path:
    target = dest / name
    source = FIXTURES / name
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return target


def needs(path: Path) -> Path:
    """`path`, or skip the test with the reason when it is absent (shared/ is not in every checkout)."""
    if not path.exists():
        pytest.skip(
            f"{path.name} is not available: this test reads ../shared beside the repository"
        )
    return path
