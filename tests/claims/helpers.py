"""Real git for the claim tests: a bare remote, clones of it, worktrees of a clone."""

from __future__ import annotations

import subprocess
from pathlib import Path

PLAN = """---
id: plan-par
title: Parallel work
status: active
---

# Parallel work

- [ ] **PAR-1** First task
  - Status: Not started
  - Priority: P1
- [ ] **PAR-2** Second task
  - Status: Not started
  - Priority: P2
- [ ] **PAR-3** Third task
  - Status: Not started
  - Priority: P3
"""


def run_git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def governed_clone(tmp: Path, config: str = "") -> Path:
    """A clone with one plan of three tasks, committed, and no remote."""
    root = tmp / "main"
    root.mkdir(parents=True)
    run_git(root, "init", "-q", "-b", "main")
    (root / "docs/plans").mkdir(parents=True)
    (root / "docs/plans/par.md").write_text(PLAN, encoding="utf-8")
    (root / "charter.toml").write_text(config, encoding="utf-8")
    run_git(root, "add", "-A")
    run_git(root, "commit", "-qm", "init")
    return root


def with_remote(tmp: Path, root: Path) -> Path:
    """A bare remote `origin` for `root`, its main branch pushed; returns the bare path."""
    bare = tmp / "remote.git"
    run_git(tmp, "init", "-q", "--bare", "-b", "main", str(bare))
    run_git(root, "remote", "add", "origin", str(bare))
    run_git(root, "push", "-q", "origin", "main")
    return bare


def clone_of(tmp: Path, bare: Path, name: str) -> Path:
    run_git(tmp, "clone", "-q", str(bare), name)
    return tmp / name


def worktree_of(root: Path, name: str) -> Path:
    target = root.parent / name
    run_git(root, "worktree", "add", "-q", "-b", name, str(target))
    return target
