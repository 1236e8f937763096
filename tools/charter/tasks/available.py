"""`charter task next` with claims honoured: ready tasks nobody else holds."""

from __future__ import annotations

from dataclasses import dataclass

from charter.claims.ops import Store, live_claims
from charter.claims.record import Claim
from charter.model import Task
from charter.repo import RepoModel
from charter.tasks.query import next_tasks


@dataclass(frozen=True)
class Available:
    tasks: list[Task]  # ready, and free or held by the asking agent
    left_out: list[tuple[Task, Claim]]  # ready, but held by another agent's live claim


def next_unclaimed(repo: RepoModel, store: Store, agent: str) -> Available:
    live = live_claims(store)
    free: list[Task] = []
    taken: list[tuple[Task, Claim]] = []
    for task in next_tasks(repo):
        holder = live.get(task.id or "")
        if holder is not None and holder.agent != agent:
            taken.append((task, holder))
        else:
            free.append(task)
    return Available(free, taken)
