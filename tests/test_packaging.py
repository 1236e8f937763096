"""`pip install .` ships the console script, `python -m charter`, templates and schemas."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow


def test_wheel_carries_templates_schemas_and_entry_point(tmp_path: Path) -> None:
    # Build from a copy: setuptools writes build/ and egg-info beside the sources.
    source = tmp_path / "source"
    shutil.copytree(
        REPO_ROOT / "tools" / "charter",
        source / "tools" / "charter",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = wheels.glob("agent_charter-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (REPO_ROOT / "tools" / "charter" / "templates").rglob("*"):
        if template.is_file():
            rel = template.relative_to(REPO_ROOT / "tools").as_posix()
            assert rel in names, f"{rel} is not in the wheel"
    assert "charter/schemas/run-manifest.v1.json" in names
    assert "charter/py.typed" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "charter = charter.cli:main" in text


def test_python_dash_m_charter(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "charter", "--version"], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0 and "charter, version" in result.stdout
