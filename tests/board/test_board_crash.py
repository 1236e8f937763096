"""A writer killed with SIGKILL at random points never leaves a torn plan or board.

A child process edits tasks and regenerates the board in a loop; the parent
kills it at a random moment, 200 times. After every kill, the plan must be
exactly one of the versions the edits produce (old or new, never a mix), the
board files must be whole (their hash stamps match, the CSV parses), and the
temp files a killed writer leaves are removed by the next locked write.
"""

from __future__ import annotations

import csv
import io
import os
import random
import signal
import time
from pathlib import Path

import pytest

from charter.board.regenerate import regenerate_board
from charter.config import Config, load_config
from charter.parse.plans import parse_plan
from charter.stamps import inspect_file
from charter.tasks import edit

KILLS = 200
TASKS = 6
STATES = ("In Progress", "Review")


def plan_text(states: list[str]) -> str:
    body = "".join(
        f"- [ ] **K-{n}** Task {n}\n  - Status: {s}\n  - Owner: Kim\n" for n, s in enumerate(states)
    )
    return f"---\nid: k\ntitle: Kill test\n---\n# Kill test\n\n{body}"


def writer(config: Config, seed: int) -> None:
    """Edit and regenerate forever (until killed)."""
    rng = random.Random(seed)
    while True:
        n = rng.randrange(TASKS)
        edit.set_status(config, f"K-{n}", rng.choice(STATES))
        regenerate_board(config)


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob(".*.tmp") if ".charter" not in p.parts]


def check_whole(config: Config, plan: Path) -> None:
    data = plan.read_bytes()
    parsed = parse_plan("docs/plans/k.md", data, config)
    states = [t.status or "" for t in parsed.walk()]
    assert len(states) == TASKS and set(states) <= set(STATES)
    assert data.decode() == plan_text(states)  # exactly a version the edits produce
    board = config.root / config.board
    if board.exists():
        assert inspect_file(board.read_text()).state == "generated"
    table = config.root / config.board_csv
    if table.exists():
        rows = list(csv.reader(io.StringIO(table.read_text())))
        assert rows[0][0] == "ID" and len(rows) == TASKS + 1


@pytest.mark.slow
def test_sigkill_at_random_points_never_tears_a_file(tmp_path: Path) -> None:
    (tmp_path / "charter.toml").write_text("")
    plan = tmp_path / "docs" / "plans" / "k.md"
    plan.parent.mkdir(parents=True)
    plan.write_text(plan_text([STATES[0]] * TASKS))
    config = load_config(tmp_path)
    regenerate_board(config)
    rng = random.Random(20260105)
    mid_write = 0
    for kill in range(KILLS):
        pid = os.fork()
        if pid == 0:  # the child: never returns to pytest
            try:
                writer(config, kill)
            finally:
                os._exit(1)
        time.sleep(rng.uniform(0.0, 0.045))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        check_whole(config, plan)
        mid_write += bool(temp_files(tmp_path))
    # The next locked writes remove what killed writers left behind.
    edit.set_status(config, "K-0", STATES[1])
    regenerate_board(config)
    check_whole(config, plan)
    assert temp_files(tmp_path) == []
    assert regenerate_board(config).up_to_date
    print(f"{KILLS} kills, {mid_write} left a temp file behind (killed mid-write)")
