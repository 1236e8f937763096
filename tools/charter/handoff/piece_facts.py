"""A plan's handoff facts after a task edit of this command: the cached facts of the plan
before the edit, with the edited task's facts worked out again and the lines below it moved.

`session start` marks its task In Progress and regenerates the handoff. In one plan of
50,000 tasks the edit changed one task's lines (charter.parse.splice parsed that
task's top-level item again, charter.piece_memo says which lines); working out all
50,000 tasks' facts again (charter.handoff.facts.plan_facts) took seconds. Every other
task reads as before, its line moved by the lines the edit inserted, and its facts are
its own: a task's facts are a function of the task (charter.handoff.facts.task_facts),
and which mention of an ID speaks for it depends on that ID's mentions alone.

Taken only when that holds provably: the record speaks for the bytes the cached facts
were worked out from and for the model of the bytes now; the piece's tasks have IDs,
the same before and after, each mentioned once in the plan; the plan has no problems
and `anonymous_tasks` is off (its rows would need the plan's tasks without IDs). Else
None, and the caller works the plan's facts out in full. A test compares both ways.
"""

from __future__ import annotations

from collections.abc import Iterable

from charter.config import Config
from charter.handoff.facts import PlanFacts, PlanTasks, TaskFacts, task_facts
from charter.model import Task
from charter.piece_memo import Piece, count_mentions


def spliced_facts(old: PlanFacts, piece: Piece, config: Config) -> PlanFacts | None:
    """`plan_facts(piece.after, config)`, from `old` (the facts of the bytes before the edit,
    which had no problems: charter.parse.splice splices no other)."""
    after = piece.after
    if config.anonymous_tasks or old.problems or after.problems:
        return None
    new_walk = _walk(piece.new_tasks())
    old_walk = _walk(piece.old_tasks)
    ids = [t.id for t in new_walk]
    if not ids or [t.id for t in old_walk] != ids or None in ids or len(set(ids)) != len(ids):
        return None
    wanted = set(ids)
    if count_mentions(after.tasks, wanted) != len(ids):
        return None  # an ID of the piece mentioned elsewhere in the plan too
    fresh = {t.id: task_facts(t, config) for t in new_walk if t.id is not None}
    below, delta = piece.end_old, piece.delta
    tasks: list[TaskFacts] = []
    replaced = 0
    for facts in old.tasks.tasks():
        new = fresh.get(facts.id)
        if new is not None:
            tasks.append(new)
            replaced += 1
        elif delta and facts.line > below:
            tasks.append(facts._replace(line=facts.line + delta))
        else:
            tasks.append(facts)
    if replaced != len(fresh):
        return None  # facts of another plan than the record's
    return PlanFacts(
        old.path,
        PlanTasks.of(old.path, tuple(tasks)),
        old.unlisted,
        old.problems,
        old.source,
        old.anonymous,
    )


def _walk(tasks: Iterable[Task]) -> list[Task]:
    return [t for task in tasks for t in task.walk()]
