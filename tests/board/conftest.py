"""Fixtures for the board, task edits and watch tests: small governed repositories."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from charter.config import Config, load_config

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"

PLAN = """\
---
id: ingest
title: Ingestion speed-up
---
# Ingestion speed-up

- [x] **ST-B-1** Investigate snapshot regression
  - Status: Done - 2025-12-22
  - Owner: Ingestion
  - Evidence: `.runs/ST-B-1/manifest.json`
- [ ] **ST-B-2** Trial reduced ceilings
  - Status: In Progress
  - Owner: Ingestion
  - Depends: ST-B-1
- [ ] **ST-B-10** Write the report
  - Depends: ST-B-2

| ID | Title | Owner | Status | Blocked reason | Evidence |
|----|-------|-------|--------|----------------|----------|
| ST-C-3 | Table task | QA | Backlog | | |
| ST-C-4 | Another table task | | Backlog | | |
"""

GovernedRepo = Callable[..., Config]


@pytest.fixture
def governed(tmp_path: Path) -> GovernedRepo:
    """A git repository with plans (path -> text or bytes) and its loaded Config."""

    def make(
        plans: dict[str, str | bytes] | None = None,
        config: str = "",
        files: dict[str, str | bytes] | None = None,
    ) -> Config:
        root = tmp_path / "repo"
        root.mkdir(exist_ok=True)
        if not (root / ".git").exists():
            subprocess.run(["git", "init", "-q", str(root)], check=True)
        (root / "charter.toml").write_text(config, encoding="utf-8")
        everything: dict[str, str | bytes] = {".runs/ST-B-1/manifest.json": "{}\n"}
        everything.update({f"docs/plans/{k}": v for k, v in (plans or {"ingest.md": PLAN}).items()})
        everything.update(files or {})
        for rel, content in everything.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return load_config(root)

    return make


@pytest.fixture
def fixture_repo(tmp_path: Path) -> Config:
    """A copy of tests/board/fixtures/repo: the plans behind the golden board files."""
    root = tmp_path / "fixture"
    shutil.copytree(FIXTURES / "repo", root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return load_config(root)
