"""`make demo`: charter's main job, run on a copy of the example repository.

The example in examples/demo is copied to a temporary directory (so the
shipped files are never changed), made a git repository, and charter is run on
it step by step, printing each command and its output as a person would see it.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "demo"
CHARTER = [sys.executable, "-m", "charter"]

# (explanation, argv after `charter`, expected exit codes)
STEPS: list[tuple[str, list[str], tuple[int, ...]]] = [
    ("Check the plans: every finding names file, line and rule.", ["check"], (1,)),
    (
        "The same findings as JSON, for tools.",
        ["check", "--format", "json", "docs/plans/release.md"],
        (1,),
    ),
    ("Regenerate the board and its CSV from the plans (the single source).", ["board"], (0,)),
    ("The board is up to date: --check writes nothing and exits 0.", ["board", "--check"], (0,)),
    ("What to work on next: open tasks whose dependencies are done.", ["task", "next"], (0,)),
    (
        "The guard allows a command the default level (L1) allows...",
        ["guard", "--explain", "--command", "make test"],
        (0,),
    ),
    (
        "...and denies one hidden behind a command substitution (exit 2, reason on stderr).",
        ["guard", "--explain", "--command", "make test; echo $(cat .env)"],
        (2,),
    ),
    (
        "A session cannot start on a task whose dependencies are open: every failure is listed.",
        ["session", "start", "ST-B-003", "--agent", "demo"],
        (1,),
    ),
    (
        "A session on a ready task: preconditions pass, the log is written, the briefing printed.",
        ["session", "start", "ST-B-002", "--agent", "demo"],
        (0,),
    ),
    (
        "Run a command through the guard; it is recorded in the session log.",
        ["run", "--", "make", "test"],
        (0,),
    ),
    ("The active session, its level and its commands so far.", ["session", "status"], (0,)),
    ("The handoff doc the next session starts from.", ["handoff"], (0,)),
]


def run_step(repo: Path, explanation: str, args: list[str], expected: tuple[int, ...]) -> bool:
    print(f"\n# {explanation}\n$ charter {shlex.join(args)}", flush=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tools")}
    result = subprocess.run([*CHARTER, *args], cwd=repo, env=env, capture_output=True, text=True)
    sys.stdout.write(result.stdout)
    sys.stdout.write(result.stderr)
    print(f"(exit {result.returncode})")
    if result.returncode not in expected:
        print(
            f"demo: unexpected exit code {result.returncode}, expected {expected}", file=sys.stderr
        )
        return False
    return True


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="charter-demo-") as tmp:
        repo = Path(tmp) / "demo"
        shutil.copytree(EXAMPLE, repo)
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        print(f"charter demo: a copy of examples/demo in {repo}")
        ok = all(run_step(repo, *step) for step in STEPS)
    print("\ncharter demo: " + ("done" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
