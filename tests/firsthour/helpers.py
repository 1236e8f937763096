"""Shared by the first-hour tests: git repos, the installed charter, and its environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
CHARTER = BIN / "charter"


def env(**extra: str) -> dict[str, str]:
    """The environment of a person with charter installed: its bin folder first on PATH."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "CHARTER_"))}
    base.pop("VIRTUAL_ENV", None)
    return {
        **base,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "GIT_AUTHOR_NAME": "Ana",
        "GIT_AUTHOR_EMAIL": "ana@example.org",
        "GIT_COMMITTER_NAME": "Ana",
        "GIT_COMMITTER_EMAIL": "ana@example.org",
        **extra,
    }


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=root, env=env(), capture_output=True, text=True, check=check
    )


def git_repo(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    return root


def charter(root: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHARTER), *args], cwd=root, env=env(), capture_output=True, text=True, check=check
    )
