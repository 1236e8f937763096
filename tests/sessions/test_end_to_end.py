"""The whole workflow in a temporary git repository, through the `charter` entry point:
init, a plan, the board, session start, guard allow and deny, a recorded command, the
task done with evidence, session end and the handoff; outputs compared with golden files.

    CHARTER_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/sessions/test_end_to_end.py
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from charter.cli import main
from tests.sessions.helpers import NOW, check_golden, write

PLAN = """\
---
id: OPS
title: Operations
owner: ops
requires: ["make check"]
---
# Operations

- [x] **OP-1** Inventory the servers
  - Status: Done
  - Evidence: `docs/plans/ops.md`
- [ ] **OP-2** Automate the backups
  - Status: Backlog
  - Priority: P1
  - Depends: OP-1
  - Acceptance: a nightly backup job with a restore test
- [ ] **OP-3** Alert on failed backups
  - Priority: P2
  - Depends: OP-2
- [ ] **OP-4** Rotate the keys
  - Status: Blocked
  - Blocked reason: waiting for the vault upgrade
"""

GATE = """
## Plan OPS

| Metric | Aggregate | Threshold | Source | Blocking |
|---|---|---|---|---|
| restore_ok | share | >= 99% | .runs/backups/*.jsonl | yes |
"""

# `charter run` stamps each command with the wall clock and its duration.
# the wall-clock cells of the commands table: when each command started, how long it ran
_RUN_CELLS = re.compile(r"^(\| \d+ \| )[^|]+(\|.*?\| )\d+\.\d\d s \|", re.M)
_STARTED_CELLS = re.compile(r"^(\| \d+ \| )\d{4}-\d\d-\d\dT[\d:]+\+00:00 \|", re.M)


def charter(
    capsys: pytest.CaptureFixture[str],
    *args: str,
    stdin: str | None = None,
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> tuple[int, str, str]:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_a_session_from_init_to_handoff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHARTER_NOW", NOW)
    for name in ("CHARTER_APPROVED_BY", "CHARTER_AGENT", "CHARTER_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "governed"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.chdir(root)

    code, out, _ = charter(capsys, "init", ".")
    assert code == 0
    created = sorted(line.split()[-1] for line in out.splitlines() if "  created " in line)
    check_golden("e2e/init-created.txt", "\n".join(created) + "\n")

    write(root, "docs/plans/ops.md", PLAN)
    gates = root / "docs/telemetry/GATES.md"
    gates.write_text(gates.read_text("utf-8") + GATE, "utf-8")
    assert charter(capsys, "board")[0] == 0
    assert charter(capsys, "check")[0] == 0

    code, briefing, err = charter(capsys, "session", "start", "OP-2", "--agent", "claude-code")
    assert code == 0, err
    # what the OS sandbox is depends on the machine's kernel (tests/sandbox checks it)
    briefing = re.sub(r"(OS sandbox under `charter run`: ).*", r"\1(this machine's)", briefing)
    check_golden("e2e/briefing.txt", briefing)
    active = json.loads((root / ".charter/active-session.json").read_text("utf-8"))
    # the real clock at start, for the time budget (CHARTER_NOW pins only the log's times)
    assert abs(active.pop("started_epoch") - time.time()) < 60
    assert active == {
        "id": "2026-01-02_session-0001",
        "log": "docs/agents/sessions/2026-01-02_session-0001.md",
        "task": "OP-2",
        "level": "L1",
        "approved_by": None,
        "agent": "claude-code",
        "started": NOW,
    }
    assert "  - Status: In Progress\n  - Priority: P1" in (root / "docs/plans/ops.md").read_text()
    assert "OP-2" in (root / "docs/taskboard/TaskBoard.md").read_text("utf-8")

    assert charter(capsys, "guard", "--", "git", "status")[0] == 0
    assert charter(capsys, "guard", "--", "pip", "install", "requests")[0] == 2
    assert charter(capsys, "run", "--", "git", "status", "--short")[0] == 0
    code, status, _ = charter(capsys, "session", "status")
    # every guard decision of the session is in the trail, the denial too
    assert code == 0 and "commands: 3" in status and "git status --short" in status
    assert "[deny] pip install requests" in status

    code, _, err = charter(capsys, "session", "end")
    assert code == 1 and "placeholder still in the log" in err
    code, out, _ = charter(
        capsys,
        "session",
        "check",
        "--hook",
        "claude-code",
        stdin='{"stop_hook_active": false}',
        monkeypatch=monkeypatch,
    )
    assert code == 0 and json.loads(out)["decision"] == "block"

    log = root / active["log"]
    text = log.read_text("utf-8")
    for placeholder, answer in (
        ("the steps you will take", "Write the backup job, then a restore test."),
        ("what changed, file by file", "`ops/backup.sh`: the nightly job."),
        ("the tests and gates you ran", "`make check` passes."),
        ("done, or blocked and why", "Done: the backup job runs nightly."),
        ("the change in a few lines", "A nightly backup job."),
        ("commands run and their results", "`make check`: ok."),
        ("the task's new status and evidence", "OP-2 Done, evidence in .runs/OP-2."),
        ("what the next session should do", "OP-3: alert on failed backups."),
    ):
        text = re.sub(rf"\(fill in: {re.escape(placeholder)}[^)]*\)", answer, text)
    log.write_text(text, "utf-8")
    write(root, ".runs/OP-2/manifest.json", "{}\n")
    assert charter(capsys, "task", "done", "OP-2", "--evidence", ".runs/OP-2/manifest.json")[0] == 0
    code, out, _ = charter(
        capsys,
        "session",
        "check",
        "--hook",
        "claude-code",
        stdin='{"stop_hook_active": false}',
        monkeypatch=monkeypatch,
    )
    assert (code, out) == (0, "")

    code, out, err = charter(capsys, "session", "end")
    assert code == 0, err
    assert not (root / ".charter/active-session.json").exists()
    text = _RUN_CELLS.sub(r"\1<time> \2<duration> |", log.read_text())
    check_golden("e2e/session-log.md", _STARTED_CELLS.sub(r"\1<time> |", text))
    check_golden("e2e/SESSION_HANDOFF.md", (root / "docs/SESSION_HANDOFF.md").read_text("utf-8"))
    assert charter(capsys, "handoff", "--check")[0] == 0
    assert charter(capsys, "board", "--check")[0] == 0
    code, out, err = charter(capsys, "check")
    assert code == 0, out + err
