"""Per-level requirements as checks: what `charter session end` verifies before closing.

A level's `requires_checks` (docs/sessions.md) names checks, not prose:

- `tests_passed_after_last_change: true`: a command of the policy's
  `test_commands` ran in this session (through `charter run` or an agent's hook
  with its post-tool hook) and exited 0, after the last change to a source file.
  Source files are the files changed in this session (uncommitted, or committed
  since the session started) other than Markdown and `.charter/`; the last
  change is their newest modification time.
- `blocking_gates_measured: true`: every blocking gate of the session's plan
  was measured by `charter gates` in this session and its last measurement
  passed (sessions/gates_measured.py).
- `files_updated: [PATH, ...]`: each path was changed in this session
  (uncommitted, or in a commit since the session started).

The recorded commands are the session's audit trail (`state.commandlog.read_trail`):
a log that says "all tests pass" when no test ran does not pass.
"""

from __future__ import annotations

import shlex
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from charter.config import Config
from charter.guard.policy import load_policy
from charter.sessions.gates_measured import gates_problem
from charter.sessions.logfile import Gap
from charter.state.budget import is_test_command
from charter.state.commandlog import read_trail
from charter.state.session import ActiveSession


def requirement_gaps(config: Config, session: ActiveSession) -> list[Gap]:
    """Every unmet requirement of the session's level (and the levels it inherits)."""
    policy = load_policy(config.path(config.policy), config.policy)
    try:
        chain = policy.chain(session.level)
    except (KeyError, ValueError):
        return []
    checks = [(level, check) for level in chain for check in level.requires_checks]
    if not checks:
        return []
    changed = _changed_files(config.root, session.started)
    gaps: list[Gap] = []
    for level, (name, paths) in checks:
        where = (config.policy, level.line)
        if name == "tests_passed_after_last_change":
            problem = _tests_problem(config.root, session, policy.test_commands, changed)
        elif name == "blocking_gates_measured":
            problem = gates_problem(config, session)
        else:
            missing = [p for p in paths if p.strip("/") not in changed]
            problem = f"not updated in this session: {', '.join(missing)}" if missing else None
        if problem is not None:
            gaps.append(Gap(*where, f"level {level.name} requires {name}: {problem}"))
    return gaps


def _tests_problem(
    root: Path, session: ActiveSession, test_commands: tuple[str, ...], changed: set[str]
) -> str | None:
    if not test_commands:
        return "the policy names no test_commands, so no run can count as one"
    prefixes = [rule.split() for rule in test_commands]
    passed = [r for r in read_trail(root, session.id) if _passed(r) and _is_test(r, prefixes)]
    if not passed:
        return f"no test command ({', '.join(test_commands)}) ran and exited 0 in this session"
    source = [p for p in changed if not p.endswith(".md") and not p.startswith(".charter/")]
    times = [(root / p).stat().st_mtime for p in source if (root / p).is_file()]
    if not times:
        return None
    last_change = max(times)
    latest = max(_when(r) for r in passed)
    if latest >= last_change:
        return None
    newest = max(source, key=lambda p: (root / p).stat().st_mtime if (root / p).is_file() else 0)
    return (
        f"the last passing test run started before the last change to a source file "
        f"({newest}): run the tests again"
    )


def _passed(record: dict[str, Any]) -> bool:
    return record.get("decision") == "allow" and record.get("exit_code") == 0


def _is_test(record: dict[str, Any], prefixes: list[list[str]]) -> bool:
    argv = record.get("argv")
    if not (isinstance(argv, list) and all(isinstance(w, str) for w in argv)):
        try:
            argv = shlex.split(str(record.get("command", "")))
        except ValueError:
            return False
    return is_test_command([argv], prefixes)


def _when(record: dict[str, Any]) -> float:
    clock = record.get("t")
    if isinstance(clock, int | float):
        return float(clock)
    try:
        return datetime.fromisoformat(str(record.get("started", ""))).timestamp()
    except ValueError:
        return 0.0


def _changed_files(root: Path, started: str) -> set[str]:
    """Files changed in this session: uncommitted, or committed since it started."""
    files: set[str] = set()
    status = _git(root, "status", "--porcelain", "-z", "--untracked-files=all")
    entries = status.split("\0")
    index = 0
    while index < len(entries):
        entry = entries[index]
        if len(entry) > 3:
            files.add(entry[3:])
            if entry[0] in "RC":
                index += 1  # a rename's source follows
        index += 1
    if started:
        log = _git(root, "log", f"--since={started}", "--name-only", "--format=", "-z")
        files.update(name.strip("\n") for name in log.split("\0") if name.strip("\n"))
    return files


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
        )
    except OSError:
        return ""
    return done.stdout if done.returncode == 0 else ""
