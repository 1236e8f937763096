"""`charter check` runs on every commit: heavy imports stay off its path.

pandas, watchdog and jinja2 are never imported by a check, nor is click by a
plain one (`charter.commands.check_plain`); on a warm parse cache, neither are
markdown_it and yaml (the cache holds parsed models).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MakeRepo

PLAN = """---
id: demo
title: Demo plan
---
# Demo

- [x] **DM-1** Ship it
  - Status: Done
  - Evidence: `.runs/DM-1/manifest.json`
- [ ] **DM-2** Follow up
  - Depends: DM-1

| ID | Title | Status |
|----|-------|--------|
| DM-3 | Table task | Backlog |
"""
SESSION = """---
id: S-1
task: DM-2
status: closed
---
# Session

## Results

Done.
"""
PROBE = """
import json, sys
from charter.cli import main
rc = main(["check", "--repo", sys.argv[1]])
sys.stdout.write("\\nMODULES " + json.dumps({"rc": rc, "modules": sorted(sys.modules)}) + "\\n")
"""
NEVER = ("pandas", "watchdog", "jinja2", "click")
NOT_WHEN_WARM = ("markdown_it", "yaml")


def _imported(root: Path) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(root)], capture_output=True, text=True, check=False
    )
    marker = next((ln for ln in proc.stdout.splitlines() if ln.startswith("MODULES ")), None)
    assert marker is not None, proc.stdout + proc.stderr
    report = json.loads(marker.removeprefix("MODULES "))
    assert report["rc"] in (0, 1), proc.stdout + proc.stderr
    return {name.split(".")[0] for name in report["modules"]}


@pytest.fixture
def repo(make_repo: MakeRepo) -> Path:
    return make_repo(
        {
            "docs/plans/demo.md": PLAN,
            "docs/agents/sessions/2025-01-01_session-0001.md": SESSION,
            ".runs/DM-1/manifest.json": "{}\n",
        }
    )


def test_check_never_imports_analytics_watch_or_templates(repo: Path) -> None:
    cold = _imported(repo)
    assert (repo / ".charter" / "cache").is_dir(), "the cold run should have filled the cache"
    warm = _imported(repo)
    for name in NEVER:
        assert name not in cold, f"cold `charter check` imported {name}"
        assert name not in warm, f"warm `charter check` imported {name}"


def test_warm_check_parses_nothing(repo: Path) -> None:
    cold = _imported(repo)
    # The plan's frontmatter is read with yaml; its body needs no markdown_it (the
    # fast scanner reads it, charter.markdown_scan).
    assert "yaml" in cold, "the probe must see a real parse on a cold cache"
    warm = _imported(repo)
    for name in NOT_WHEN_WARM:
        assert name not in warm, f"warm `charter check` imported {name}"
