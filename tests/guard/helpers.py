"""Shared test helpers for the guard: the example policy, contexts, the guard process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from hypothesis import HealthCheck, settings

from charter.guard.compiled import CompiledPolicy
from charter.guard.context import GuardContext
from charter.guard.policy import parse_policy
from charter.guard.policy_model import compile_policy

# Profiles for the property tests, applied per test (never loaded globally, so other
# suites keep their own settings). CI runs "guard-ci"; HYPOTHESIS_GUARD_PROFILE=guard-dev
# is quicker while editing.
settings.register_profile(
    "guard-ci",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "guard-dev",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
GUARD_PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_GUARD_PROFILE", "guard-ci"))

POLICY_PATH = "docs/agents/AUTONOMY.md"
POLICY = """\
---
charter_policy: 1
default_level: L1
levels:
  L0:
    title: Observe
    description: Read-only analysis
    allow: ["git status", "git diff", "git log", "git show", "rg", "ls", "cat", "head", "wc"]
  L1:
    title: Edit & test
    inherits: L0
    description: Modify code and docs, run tests
    allow: ["pytest", "make test", "ruff check", "git add", "git commit", "cp", "rm", "touch"]
    requires: ["Attach test results to the session log"]
  L2:
    title: Experiment
    inherits: L1
    description: Run benchmarks and pipelines
    allow: ["make bench", "cd"]
  L3:
    title: Online
    inherits: L2
    description: Guarded downloads
    allow: ["pip install", "git push"]
    env: {CHARTER_ALLOW_NET: "1"}
    network: true
    requires: ["Operator opt-in"]
deny: ["git push --force", "git push -f", "rg --pre", "rg -z", "pytest --basetemp",
       "git reset --hard"]
forbidden_paths: ["*.accdb", "logs/raw/**", ".env", ".env.*", "*.pem", "*.key", "id_rsa*"]
protected_paths: [".git/**", "docs/agents/AUTONOMY.md", ".pre-commit-config.yaml",
                  ".claude/**", ".codex/**"]
---
# Autonomy policy

<!-- charter:begin levels -->
<!-- charter:end levels -->
"""


def compiled(text: str = POLICY) -> CompiledPolicy:
    return CompiledPolicy(compile_policy(parse_policy(text, POLICY_PATH)))


def make_repo(root: Path, policy: str = POLICY) -> Path:
    (root / "docs" / "agents").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / POLICY_PATH).write_text(policy, encoding="utf-8")
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("print('hi')\n", encoding="utf-8")
    return root


def make_context(
    policy: CompiledPolicy,
    root: Path,
    *,
    level: str = "L1",
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> GuardContext:
    return GuardContext(
        policy=policy,
        level=level,
        level_source="test",
        root=str(root),
        cwd=str(cwd or root),
        env=dict(env or {}),
    )


def charter_guard(
    args: list[str],
    *,
    cwd: Path,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """`python -I -m charter.guard ARGS`, as the generated hooks run it."""
    return subprocess.run(
        [sys.executable, "-I", "-m", "charter.guard", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
