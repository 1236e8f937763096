"""What `charter task set/done/block` imports: an edit's start-up is most of its time at
50,000 tasks (docs/benchmarks.md), so what only other commands need stays out of it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.board.conftest import GovernedRepo

# Never on the edit path: the page's and stats' libraries, and charter's packages that
# only other commands (or `task show`/`next`/`review`, `board --check`) use.
NOT_IMPORTED = (
    "jinja2",
    "pandas",
    "watchdog",
    "charter.handoff",
    "charter.stats",
    "charter.sessions",
    "charter.state",
    "charter.board.drift",
    "charter.board.watch",
    "charter.tasks.query",
    "charter.tasks.review",
    "charter.tasks.available",
    # The page's code, the claims (a board without claims never reads them) and the
    # unknown-ID hint's difflib.
    "charter.board.parts",
    "charter.board.html",
    "charter.board.charts",
    "charter.claims",
    "charter.commands.claim",
    "difflib",
    # Temp files are made with os.open (charter.io._temp_file): tempfile brings shutil,
    # random, bz2 and lzma.
    "tempfile",
    # Locks are taken with fcntl.flock where it exists (charter.io.locked).
    *(("filelock",) if sys.platform != "win32" else ()),
)

PROBE = """\
import sys
from charter.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
sys.stdout.write("MODULES " + " ".join(sorted(sys.modules)) + "\\n")
"""

# `done` records the progress in the session log (charter.sessions.progress).
SESSIONS = ("charter.sessions", "charter.state")
EDITS = {
    "set": (["task", "set", "ST-B-2", "--status", "Review"], ()),
    "block": (["task", "block", "ST-C-3", "--reason", "waiting"], ()),
    "done": (["task", "done", "ST-B-10", "--evidence", "proof.txt"], SESSIONS),
    "unknown ID": (["task", "set", "ST-B-99", "--status", "Review"], ("difflib",)),
}


@pytest.mark.parametrize(("args", "allowed"), EDITS.values(), ids=list(EDITS))
def test_an_edit_imports_nothing_only_other_commands_need(
    governed: GovernedRepo, args: list[str], allowed: tuple[str, ...]
) -> None:
    config = governed(files={"proof.txt": "ok\n"})
    subprocess.run(
        [sys.executable, "-m", "charter", "board"], cwd=config.root, check=True, capture_output=True
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=config.root,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    line = [x for x in result.stdout.splitlines() if x.startswith("MODULES ")][-1]
    modules = set(line.removeprefix("MODULES ").split())
    assert "charter.tasks.edit" in modules, result.stderr  # the probe ran the edit
    banned = [n for n in NOT_IMPORTED if n not in allowed]
    imported = sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in banned))
    assert imported == []
