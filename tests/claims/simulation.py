"""Many agents working through many tasks with claims, while agents crash: killed from
outside at random moments (mid-claim, mid-push), dying while holding a lease (it must
expire and be taken over), or dying after finishing and before releasing.

A task is finished by one compare-and-swap creating `refs/charter/sim-done/<ID>` (the
fence: an agent whose lease lapsed while it stalled cannot finish a task twice). The
driver keeps `agents` processes alive until every task is done, then reports.

    python tests/claims/simulation.py AGENTS TASKS [local|remote]   # full run, prints JSON
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from charter.claims import gitref, ops

DONE_PREFIX = "refs/charter/sim-done/"


def done_tasks(store: ops.Store) -> set[str]:
    if store.remote is None:
        out = gitref.git(store.cwd, "for-each-ref", "--format=%(refname)", DONE_PREFIX).stdout
        names = out.split()
    else:
        names = list(gitref.remote_refs(store.cwd, store.remote, DONE_PREFIX + "*"))
    return {name[len(DONE_PREFIX) :] for name in names}


def agent(worktree: str, remote: str, name: str, tasks: int, crash: float, log: str) -> int:
    """One agent's loop; appends `done ID` or `duplicate ID` lines to its log."""
    store = ops.Store(Path(worktree), None if remote == "-" else remote, timedelta(0))
    rng = random.Random(name)
    ids = [f"T-{n:04d}" for n in range(tasks)]
    with open(log, "a", encoding="utf-8") as out:
        while True:
            done = done_tasks(store)
            if len(done) == tasks:
                return 0
            live = ops.live_claims(store)
            free = [t for t in ids if t not in done and (t not in live or live[t].agent == name)]
            if not free:
                time.sleep(0.05)
                continue
            task = rng.choice(free[:20])
            outcome = ops.claim(store, task, name, timedelta(seconds=4))
            if not outcome.ok or outcome.claim is None:
                continue
            if task in done_tasks(store):  # finished by a holder that died before releasing
                ops.release(store, task, name)
                continue
            if rng.random() < crash:
                os._exit(3)  # dies holding the lease
            swap = store.swap(DONE_PREFIX + task, outcome.claim.oid, None)
            out.write(("done " if swap.won else "duplicate ") + task + "\n")
            out.flush()
            if rng.random() < crash:
                os._exit(4)  # dies after finishing, before releasing
            ops.release(store, task, name)


@dataclass
class Report:
    agents: int
    tasks: int
    mode: str
    seconds: float
    done: int
    done_lines: int
    tasks_logged_twice: int
    duplicates_fenced: int
    killed: int
    crashed: int
    failed: int  # agents that stopped on an error (not killed, not a simulated crash)
    claims_left_on_done_tasks: int


def simulate(
    places: list[tuple[Path, str]],
    agents: int,
    tasks: int,
    logs: Path,
    crash: float = 0.02,
    kill_every: float = 0.5,
    timeout: float = 600,
) -> Report:
    logs.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    spawned = 0

    def spawn() -> subprocess.Popen[bytes]:
        nonlocal spawned
        where, remote = places[spawned % len(places)]
        spawned += 1
        name = f"agent-{spawned}"
        args = [str(where), remote, name, str(tasks), str(crash), str(logs / f"{name}.log")]
        return subprocess.Popen([sys.executable, __file__, "agent", *args])

    start = time.monotonic()
    running = [spawn() for _ in range(agents)]
    killed = crashed = failed = 0
    store = ops.Store(places[0][0], None if places[0][1] == "-" else places[0][1], timedelta(0))
    next_kill = time.monotonic() + kill_every
    while time.monotonic() - start < timeout:
        if time.monotonic() >= next_kill:
            victim = rng.choice(running)
            if victim.poll() is None:
                victim.send_signal(signal.SIGKILL)
                killed += 1
            next_kill = time.monotonic() + kill_every
        for n, proc in enumerate(running):
            code = proc.poll()
            if code is None:
                continue
            if code in (3, 4):
                crashed += 1
            elif code not in (0, -signal.SIGKILL):
                failed += 1
            if code != 0:
                running[n] = spawn()
        if all(proc.poll() == 0 for proc in running):
            break
        time.sleep(0.05)
    for proc in running:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    seconds = time.monotonic() - start
    lines = [
        line.split()
        for log in sorted(logs.glob("*.log"))
        for line in log.read_text("utf-8").splitlines()
    ]
    logged = [task for kind, task in lines if kind == "done"]
    finished = done_tasks(store)
    left = [c for c in ops.list_claims(store) if c.task in finished]
    return Report(
        agents=agents,
        tasks=tasks,
        mode="local" if store.remote is None else "remote",
        seconds=round(seconds, 1),
        done=len(finished),
        done_lines=len(logged),
        tasks_logged_twice=len(logged) - len(set(logged)),
        duplicates_fenced=sum(1 for kind, _ in lines if kind == "duplicate"),
        killed=killed,
        crashed=crashed,
        failed=failed,
        claims_left_on_done_tasks=len(left),
    )


def _main(argv: list[str]) -> int:
    if argv and argv[0] == "agent":
        worktree, remote, name, tasks, crash, log = argv[1:]
        return agent(worktree, remote, name, int(tasks), float(crash), log)
    import tempfile

    from tests.claims.helpers import clone_of, governed_clone, with_remote, worktree_of

    agents, tasks = int(argv[0]), int(argv[1])
    mode = argv[2] if len(argv) > 2 else "remote"
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root = governed_clone(base)
        remote = "-"
        places = [(root, remote), (worktree_of(root, "wt-a"), remote)]
        if mode == "remote":
            bare = with_remote(base, root)
            second = clone_of(base, bare, "second")
            places = [(root, "origin"), (second, "origin"), (worktree_of(second, "wt-b"), "origin")]
        report = simulate(places, agents, tasks, base / "logs", timeout=3000)
    print(json.dumps(report.__dict__, indent=2))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(_main(sys.argv[1:]))
