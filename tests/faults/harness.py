"""A governed repository and the tools to hurt it: run charter as a user does, kill it,
and compare what is left on disk with what was there before and what a finished run leaves.

Every command runs as its own process (`python -m charter`), in its own process
group, with the clock pinned (CHARTER_NOW) so that two finished runs of one
command leave the same bytes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

NOW = "2026-12-01T10:00:00Z"
COMMAND_TIMEOUT_S = 60.0  # far above any command's run time here: reaching it is a hang
TASKS = 12

# State that may differ between two correct runs: git's, charter's caches and locks.
VOLATILE = (".git", ".charter/cache", ".charter/locks")
# Records that exist only while a write is under way (like a lock, but a file): a kill
# may leave one, which must then be whole; a finished run removes it.
IN_PROGRESS = (".charter/outputs/board-in-transit.json",)


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith(("CHARTER_", "GIT_"))}
    out.update(
        CHARTER_NOW=NOW,
        GIT_AUTHOR_NAME="fault",
        GIT_AUTHOR_EMAIL="fault@example.invalid",
        GIT_COMMITTER_NAME="fault",
        GIT_COMMITTER_EMAIL="fault@example.invalid",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return out


def charter_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "charter", *args]


@dataclass(frozen=True)
class Result:
    code: int | None  # None: it did not finish within COMMAND_TIMEOUT_S (a hang)
    out: str
    err: str

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.err or "internal error" in self.err


def run(
    root: Path, *args: str, prefix: Sequence[str] = (), timeout: float = COMMAND_TIMEOUT_S
) -> Result:
    """`charter ARGS` in `root` (under `prefix`, e.g. setpriv), to completion."""
    try:
        done = subprocess.run(
            [*prefix, *charter_argv(*args)],
            cwd=root,
            env=env(),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        return Result(None, _text(exc.stdout), _text(exc.stderr))
    return Result(done.returncode, _text(done.stdout), _text(done.stderr))


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", "replace")


def run_killed(root: Path, args: Sequence[str], after: float) -> bool:
    """Start `charter ARGS` and SIGKILL its whole process group `after` seconds later.
    True when the kill landed while it was still running."""
    proc = subprocess.Popen(
        charter_argv(*args),
        cwd=root,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        proc.wait(timeout=after)
        return False
    except subprocess.TimeoutExpired:
        pass
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return True


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env=env(), check=True, capture_output=True)


# ---- the repository ----------------------------------------------------------------


def work_plan() -> str:
    head = (
        "---\nid: W\ntitle: Work\nowner: team\nstatus: active\nnext_review: 2027-03-03\n"
        "level: L2\n---\n# Work\n\n"
    )
    tasks = "".join(
        f"- [ ] **W-{n}** Task number {n}\n  - Status: Backlog\n  - Owner: team\n  - Priority: P2\n"
        for n in range(1, TASKS + 1)
    )
    return head + tasks


GATES = (
    "\n## Plan W\n\n| Metric | Aggregate | Threshold | Source | Blocking |\n"
    "|---|---|---|---|---|\n| failed | max | == 0 | .runs/tests/*.jsonl | yes |\n"
)


def taskmaster_json() -> str:
    tasks = [
        {
            "id": n,
            "title": f"Imported {n}",
            "description": "from Task Master",
            "status": "pending",
            "dependencies": [],
            "priority": "medium",
        }
        for n in range(1, 7)
    ]
    return json.dumps({"master": {"tasks": tasks}})


HAND_BOARD = "| ID | Effort | Reviewer |\n|--|--|--|\n| W-9 | 3d | carol |\n| W-10 | 1d | dan |\n"


def build_base(root: Path) -> Path:
    """`charter init`, a plan of TASKS tasks with a gate, board and handoff, all committed."""
    root.mkdir(parents=True)
    git(root, "init", "-q")
    _ok(run(root, "init"))
    (root / "docs/plans/work.md").write_text(work_plan(), encoding="utf-8")
    with (root / "docs/telemetry/GATES.md").open("a", encoding="utf-8") as handle:
        handle.write(GATES)
    (root / "evidence").mkdir()
    (root / "evidence/w2.txt").write_text("measured\n", encoding="utf-8")
    (root / "tm.json").write_text(taskmaster_json(), encoding="utf-8")
    (root / "hand-board.md").write_text(HAND_BOARD, encoding="utf-8")
    _ok(run(root, "board"))
    _ok(run(root, "handoff"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", "base")
    return root


def _ok(result: Result) -> Result:
    assert result.code == 0, f"exit {result.code}\n{result.out}\n{result.err}"
    return result


def fill_session_log(root: Path) -> None:
    """An agent's finished log: every placeholder written."""
    for log in (root / "docs/agents/sessions").glob("*.md"):
        text = log.read_text(encoding="utf-8")
        log.write_text(re.sub(r"\(fill in:[^)]*\)", "written", text), encoding="utf-8")


@dataclass(frozen=True)
class Operation:
    """A writing command, the state it starts from, and the exit codes a finished run gives."""

    name: str
    args: tuple[str, ...]
    setup: tuple[tuple[str, ...], ...] = ()  # charter commands that make the starting state
    fill_log: bool = False
    codes: frozenset[int] = field(default_factory=lambda: frozenset({0}))
    # Running it again records it again (`charter run` appends to the command log and
    # counts against the budget): after a kill and a rerun, every record of an unkilled
    # run must be there, once or more.
    appends: bool = False


OPERATIONS = (
    Operation("task done", ("task", "done", "W-2", "--evidence", "evidence/w2.txt")),
    Operation("task set", ("task", "set", "W-3", "--status", "In Progress", "--owner", "ann")),
    Operation("task block", ("task", "block", "W-4", "--reason", "waiting on review")),
    Operation(
        "board",
        ("board",),
        setup=(("task", "set", "W-5", "--status", "In Progress", "--no-board"),),
    ),
    Operation(
        "handoff",
        ("handoff",),
        setup=(("task", "set", "W-5", "--status", "In Progress", "--no-board"),),
    ),
    Operation(
        "run", ("run", "--", "echo", "hi"), setup=(("session", "start", "W-6"),), appends=True
    ),
    Operation("session start", ("session", "start", "W-7", "--agent", "tester")),
    Operation(
        "session end", ("session", "end"), setup=(("session", "start", "W-8"),), fill_log=True
    ),
    Operation("import", ("import", "taskmaster", "tm.json", "--out", "docs/plans/imported")),
    Operation(
        "reconcile --write",
        ("reconcile", "--board", "hand-board.md", "--write"),
        codes=frozenset({0, 1}),  # 1: it reports the tasks the hand-kept board lacks
    ),
)


def prepare(base: Path, root: Path, op: Operation) -> Path:
    """A copy of `base` in the state `op` starts from."""
    shutil.copytree(base, root, symlinks=True)
    for args in op.setup:
        _ok(run(root, *args))
    if op.fill_log:
        fill_session_log(root)
    return root


# ---- what is on disk ---------------------------------------------------------------

Snapshot = dict[str, bytes]


def snapshot(root: Path) -> Snapshot:
    """Every file but git's and charter's caches and locks, by path."""
    found: Snapshot = {}
    for folder, dirs, files in os.walk(root):
        rel_folder = os.path.relpath(folder, root)
        dirs[:] = [d for d in dirs if os.path.normpath(os.path.join(rel_folder, d)) not in VOLATILE]
        for name in files:
            if name.endswith(".lock"):
                continue
            rel = os.path.normpath(os.path.join(rel_folder, name))
            with open(os.path.join(folder, name), "rb") as handle:
                found[rel] = handle.read()
    return found


def is_orphan_temp(rel: str) -> bool:
    """A temp file a killed atomic write left (`.NAME.xxxxxxxx.tmp`): never the file itself."""
    name = os.path.basename(rel)
    return name.startswith(".") and name.endswith(".tmp")


def torn_files(before: Snapshot, killed: Snapshot, finished: Snapshot) -> list[str]:
    """Files that are neither as they were nor as a finished run leaves them.

    An append-only JSON-lines log may also hold any whole-line prefix of its new
    content; a half-written line is torn."""
    torn = []
    for rel in sorted(set(before) | set(killed) | set(finished)):
        if is_orphan_temp(rel):
            continue
        if rel in IN_PROGRESS and rel not in finished and _whole_json(killed.get(rel)):
            continue
        now = _masked(killed.get(rel))
        if now in (_masked(before.get(rel)), _masked(finished.get(rel))):
            continue
        if rel.endswith(".jsonl") and now is not None and _whole_lines(now):
            continue
        torn.append(rel)
    return torn


def _whole_json(data: bytes | None) -> bool:
    try:
        json.loads(data or b"")
    except ValueError:
        return False
    return True


def _whole_lines(data: bytes) -> bool:
    if data and not data.endswith(b"\n"):
        return False
    try:
        for line in data.splitlines():
            json.loads(line)
    except ValueError:
        return False
    return True


_DURATION = re.compile(rb"\| \d+\.\d\d s \|")
_TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")
_EPOCH = re.compile(rb'"\w*epoch": [\d.]+')
_ROW_NUMBER = re.compile(rb"^\| \d+ \|", re.MULTILINE)


def _masked(data: bytes | None) -> bytes | None:
    """What a wall clock puts in a file (a command's start time and duration) masked."""
    if data is None:
        return None
    return _EPOCH.sub(b"E", _TIMESTAMP.sub(b"T", _DURATION.sub(b"| D |", data)))


def comparable(snap: Snapshot, appends: bool = False) -> dict[str, object]:
    """A snapshot with what legitimately differs between two finished runs taken out:
    a command log's durations and times (its records are compared by command and code).
    `appends`: a record may be there more than once, and the budget counted it each time."""
    out: dict[str, object] = {}
    for rel, data in snap.items():
        if is_orphan_temp(rel) or rel in IN_PROGRESS or (appends and rel.endswith("budget.json")):
            continue
        if rel.endswith(".jsonl"):
            records = [json.loads(line) for line in data.splitlines() if line.strip()]
            kept = [
                json.dumps({k: r[k] for k in ("command", "exit_code", "decision") if k in r})
                for r in records
            ]
            out[rel] = sorted(set(kept)) if appends else kept
        elif appends:
            lines = (_masked(_ROW_NUMBER.sub(b"| N |", data)) or b"").splitlines()
            out[rel] = list(dict.fromkeys(lines))
        else:
            out[rel] = _masked(data)
    return out


def lost_edits(finished: Snapshot, recovered: Snapshot, appends: bool = False) -> list[str]:
    """Files whose content after kill-and-rerun differs from a run never killed."""
    a, b = comparable(finished, appends), comparable(recovered, appends)
    return sorted(rel for rel in set(a) | set(b) if a.get(rel) != b.get(rel))


def timed(root: Path, args: Sequence[str]) -> tuple[Result, float]:
    start = time.monotonic()
    result = run(root, *args)
    return result, time.monotonic() - start
