"""A small governed repository for the session tests, and golden-file comparison.

Regenerate the golden files after an intended change, and review their diff:

    CHARTER_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/sessions
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from charter.config import Config
from tests.governed import init_governed_repo
from tests.governed import write as write  # re-exported for the session tests

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("CHARTER_UPDATE_GOLDEN") == "1"
NOW = "2026-01-02T03:04:05Z"

POLICY = """\
---
charter_policy: 1
default_level: L1
levels:
  L0:
    title: Observe
    allow: [ls, cat, git status]
  L1:
    title: Edit & test
    inherits: L0
    allow: [make check, charter task]
  L2:
    title: Experiment
    inherits: L1
    allow: [make bench]
  L3:
    title: Online
    inherits: L2
    allow: [pip install]
    env:
      DEMO_ALLOW_NET: "1"
---
# Autonomy

## Stop conditions

- Stop when the build is red.
- Stop when a gate cannot be measured.
"""

GATES = """\
# Gates

## Plan CORE

| Metric | Aggregate | Threshold | Source | Blocking |
|---|---|---|---|---|
| failed | max | == 0 | .runs/tests/*.jsonl | yes |
"""

PLAN = """\
---
id: CORE
title: Core work
owner: core
requires: ["make check"]
---
# Core work

- [x] **CO-1** Groundwork
  - Status: Done
  - Evidence: `README.md`
- [ ] **CO-2** Build the feature
  - Status: Backlog
  - Depends: CO-1
  - Acceptance: the feature works
- [ ] **CO-3** Measure it
  - Depends: CO-2
  - Level: L2
- [ ] **CO-4** Go online
  - Level: L3
"""

MAKEFILE = "check:\n\t@echo ok\n"


def governed_repo(root: Path, plan: str = PLAN) -> Config:
    """A git repository where `charter session start CO-2` passes every precondition."""
    return init_governed_repo(
        root,
        {
            "charter.toml": "[tool.charter]\n",
            "README.md": "# demo\n",
            "Makefile": MAKEFILE,
            "docs/agents/AUTONOMY.md": POLICY,
            "docs/telemetry/GATES.md": GATES,
            "docs/plans/core.md": plan,
        },
    )


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file's bytes, except git's and charter's local state and lock files."""
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if (
            path.is_file()
            and not rel.startswith((".git/", ".charter/"))
            and not rel.endswith(".lock")
        ):
            files[rel] = path.read_bytes()
    return files


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    if not path.exists():
        pytest.fail(f"no golden file {name}: run with CHARTER_UPDATE_GOLDEN=1 and review it")
    assert text == path.read_bytes().decode("utf-8"), f"{name} differs from its golden file"
