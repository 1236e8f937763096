"""One racing agent, run as its own process: wait for the start flag, then claim every
task given (in its own shuffled order) and print one JSON line per outcome.

python racer.py WORKTREE REMOTE|- AGENT START_FLAG TASK[,TASK...]
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

from charter.claims import ops


def main(argv: list[str]) -> int:
    worktree, remote, agent, flag, tasks = argv
    store = ops.Store(Path(worktree), None if remote == "-" else remote)
    order = tasks.split(",")
    random.Random(agent).shuffle(order)
    deadline = time.monotonic() + 120
    while not Path(flag).exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    for task in order:
        outcome = ops.claim(store, task, agent, "1h")
        holder = outcome.holder.agent if outcome.holder else None
        print(
            json.dumps({"task": task, "agent": agent, "action": outcome.action, "holder": holder})
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
