"""A governed repository for the safety tests: a policy with budgets and a recording notifier.

The notifier is a small script that appends each JSON payload it reads on stdin
to `notified.jsonl` (and exits with the code in `notify-exit`, when present),
so a test sees exactly what a person's notifier would receive.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from charter.config import Config
from charter.sessions.preconditions import Request
from charter.sessions.start import start_session
from charter.state.session import ActiveSession
from tests.governed import init_governed_repo, write

NOW = "2026-03-04T05:06:07Z"
NOTIFIED = "notified.jsonl"

NOTIFIER = """\
import pathlib, sys
data = sys.stdin.read()
with open("notified.jsonl", "a", encoding="utf-8") as out:
    out.write(data if data.endswith("\\n") else data + "\\n")
code = pathlib.Path("notify-exit")
if code.exists():
    sys.stderr.write("the chat service is down\\n")
    sys.exit(int(code.read_text()))
"""

POLICY = """\
---
charter_policy: 1
default_level: L1
notify: {notify}
test_commands: ["make test"]
needs_decision_record: ["schemas/**", "*.sql"]
forbidden_paths: [".env", "*.pem", "logs/raw/**"]
protected_paths: ["Makefile"]
levels:
  L0:
    title: Observe
    allow: [ls, cat, git status, "true", "false"]
    budget: {budget}
  L1:
    title: Edit & test
    inherits: L0
    allow: [make check, make test, charter run, charter task]
---
# Autonomy
"""

GATES = """\
# Gates

## Plan CORE

| Metric | Aggregate | Threshold | Source | Blocking |
|---|---|---|---|---|
| failed | max | == 0 | .runs/tests/*.jsonl | yes |

## Plan SIDE

| Metric | Aggregate | Threshold | Source | Blocking |
|---|---|---|---|---|
| errors | max | == 0 | .runs/side/*.jsonl | yes |
"""

PLAN = """\
---
id: CORE
title: Core work
owner: core
---
# Core work

- [ ] **CO-1** Build the feature
  - Status: Backlog
  - Acceptance: the feature works
- [x] **CO-2** Groundwork
  - Status: Done
  - Evidence: `README.md`
"""

SIDE = """\
---
id: SIDE
title: Side work
owner: side
---
# Side work

- [ ] **SI-1** Something else
  - Status: Backlog
"""

MAKEFILE = "check:\n\t@echo ok\ntest:\n\t@echo 'FAILED test_feature'; exit 2\n"
DEFAULT_BUDGET = "{max_commands: 50}"


def policy(budget: str = DEFAULT_BUDGET, notify: str | None = None) -> str:
    if notify is None:
        notify = json.dumps([sys.executable, "tools/notify.py"])
    return POLICY.format(budget=budget, notify=notify)


def governed_repo(root: Path) -> Config:
    """A git repository where `charter session start CO-1` passes every precondition."""
    return init_governed_repo(
        root,
        {
            "charter.toml": "[tool.charter]\n",
            "README.md": "# demo\n",
            ".gitignore": ".charter/\n",
            "Makefile": MAKEFILE,
            "tools/notify.py": NOTIFIER,
            "docs/agents/AUTONOMY.md": policy(),
            "docs/telemetry/GATES.md": GATES,
            "docs/plans/core.md": PLAN,
            "docs/plans/side.md": SIDE,
        },
    )


def set_policy(config: Config, budget: str = DEFAULT_BUDGET, notify: str | None = None) -> None:
    path = write(config.root, config.policy, policy(budget, notify))
    # the compiled cache is keyed by size and mtime: a same-size rewrite within one
    # mtime tick must still be seen
    stamp = time.time_ns()
    os.utime(path, ns=(stamp, stamp))


def start(config: Config, task: str = "CO-1", **request: Any) -> ActiveSession:
    result = start_session(config, Request(task, agent="claude-code", **request))
    assert result.session is not None, result.findings.failures
    return result.session


def notified(root: Path) -> list[dict[str, Any]]:
    path = root / NOTIFIED
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def wait_for(condition: Callable[[], Any], timeout: float = 60.0) -> Any:
    """Poll until `condition()` is truthy (a detached escalation finishing); its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for a detached escalation")
        time.sleep(0.1)


def charter_process(
    root: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """`python -m charter ARGS` in `root`, started (not waited for)."""
    return subprocess.Popen(
        [sys.executable, "-m", "charter", *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
