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
tags: [demo, probe]
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
    # The plan's frontmatter (a flow list) is read with yaml, not the plain reader
    # (charter.parse.plain_yaml); its body needs no markdown_it (the fast scanner reads it,
    # charter.markdown_scan).
    assert "yaml" in cold, "the probe must see a real parse on a cold cache"
    warm = _imported(repo)
    for name in NOT_WHEN_WARM:
        assert name not in warm, f"warm `charter check` imported {name}"


def test_plain_frontmatter_is_read_without_yaml(make_repo: MakeRepo) -> None:
    plain = make_repo(
        {
            "docs/plans/demo.md": PLAN.replace("tags: [demo, probe]\n", "owners:\n  - ana\n"),
            "docs/agents/sessions/2025-01-01_session-0001.md": SESSION,
            ".runs/DM-1/manifest.json": "{}\n",
        }
    )
    cold = _imported(plain)
    assert (plain / ".charter" / "cache").is_dir(), "the cold run should have parsed"
    assert "yaml" not in cold  # charter.parse.plain_yaml read both files' frontmatter


# A replay (checks.replay) needs file times older than its racy window; the probe, not the
# files, is made patient: the window is closed for it.
REPLAY_PROBE = """
import json, sys
from charter.checks import replay
replay.RACY_NS = 0
from charter.cli import main
rc = main(["check", "--repo", sys.argv[1]])
sys.stdout.write("\\nMODULES " + json.dumps({"rc": rc, "modules": sorted(sys.modules)}) + "\\n")
"""
# What a replayed check never loads: the rules, the engine, the models, git, the parsers.
NOT_WHEN_REPLAYED = (
    "charter.checks.engine",
    "charter.checks.registry",
    "charter.checks.memo",
    "charter.repo",
    "charter.model",
    "charter.world",
    "subprocess",
    "markdown_it",
    "yaml",
    "click",
)


def _replay_probe(root: Path) -> tuple[str, set[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", REPLAY_PROBE, str(root)], capture_output=True, text=True, check=False
    )
    printed, _, marker = proc.stdout.rpartition("\nMODULES ")
    assert marker, proc.stdout + proc.stderr
    report = json.loads(marker)
    assert report["rc"] in (0, 1), proc.stdout + proc.stderr
    return printed, set(report["modules"])


def test_a_replayed_check_loads_no_rule_model_or_git(repo: Path) -> None:
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    commit = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit"]
    subprocess.run([*commit, "-qm", "plans"], check=True)
    first, checked = _replay_probe(repo)  # makes .charter/: the top folder changed meanwhile
    assert "charter.checks.engine" in checked, "the probe must see a real check first"
    assert _replay_probe(repo)[0] == first  # stores the replay
    replayed, modules = _replay_probe(repo)
    assert replayed == first
    loaded = sorted(m for m in NOT_WHEN_REPLAYED if m in modules)
    assert not loaded, f"a replayed `charter check` imported {loaded}"


# With a charter.toml at the root, a replay is decided before the configuration is read
# (checks.replay.replay_at_root): its reader, TOML, dataclasses and the guard's path rules
# (the configuration's validation) stay unloaded too.
NOT_WHEN_REPLAYED_AT_ROOT = (
    *NOT_WHEN_REPLAYED,
    "charter.config",
    "charter.presets",
    "charter.guard.paths",
    "tomllib",
    "dataclasses",
    "datetime",
)


def test_a_check_replayed_at_the_root_does_not_read_the_configuration(
    make_repo: MakeRepo,
) -> None:
    repo = make_repo(
        {
            "docs/plans/demo.md": PLAN,
            "docs/agents/sessions/2025-01-01_session-0001.md": SESSION,
            ".runs/DM-1/manifest.json": "{}\n",
        },
        config='id_pattern = "DM-\\\\d+"\n',
    )
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    commit = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit"]
    subprocess.run([*commit, "-qm", "plans"], check=True)
    first, checked = _replay_probe(repo)
    assert "charter.config" in checked, "the probe must see a real check first"
    assert _replay_probe(repo)[0] == first  # stores the replay
    replayed, modules = _replay_probe(repo)
    assert replayed == first
    loaded = sorted(m for m in NOT_WHEN_REPLAYED_AT_ROOT if m in modules)
    assert not loaded, f"a check replayed at the root imported {loaded}"
