"""Every task's handoff facts, plan by plan, each plan's decoded when first asked for.

After an edit to one plan of 2,000, the handoff needs every task's ID and board
column (its counts, its lists, which tasks are open), but the rest of a task's
facts (title, links, evidence, ...) only for the rows it renders again and the
tasks the order reads: the changed plan's and those of the components it
touches (charter.handoff.ordering). Decoding and checking all 50,000 tasks'
cached facts took a sixth of such an edit. So a plan's IDs and columns are
read at once, and its other facts decoded (and checked) when one of its tasks
is first looked up; a plan whose facts do not decode raises `Damaged`, and the
caller renders from the loaded repository instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain, groupby, repeat
from operator import attrgetter
from typing import Any, NamedTuple


class TaskFacts(NamedTuple):
    """One task with an ID, as the handoff shows it: its OrderFacts
    (charter.tasks.order), then the rest."""

    id: str
    parent: str | None
    depends: tuple[str, ...]
    subtasks: tuple[str, ...]
    rank: int
    done: bool
    path: str
    line: int
    title: str  # its words joined by single spaces
    column: str
    owner: str
    priority: str
    level: str
    evidence: tuple[str, ...]  # each path once, in the order written
    reason: str  # why it is blocked (or its notes)


Loader = Callable[[], tuple[TaskFacts, ...]]


class Damaged(ValueError):
    """A plan's cached facts did not decode."""

    def __init__(self, message: str, path: str):
        super().__init__(message)
        self.path = path


class PlanTasks:
    """One plan's tasks with an ID: their IDs and board columns, and their facts."""

    __slots__ = ("_load", "_tasks", "columns", "ids", "path")

    def __init__(self, path: str, ids: list[str], columns: list[str], load: Loader):
        self.path, self.ids, self.columns = path, ids, columns
        self._load: Loader | None = load
        self._tasks: tuple[TaskFacts, ...] | None = None

    @classmethod
    def of(cls, path: str, tasks: tuple[TaskFacts, ...]) -> PlanTasks:
        """Facts already at hand (a parsed plan, a loaded repository)."""
        made = cls(path, [t.id for t in tasks], [t.column for t in tasks], lambda: tasks)
        made._tasks, made._load = tasks, None
        return made

    @property
    def decoded(self) -> bool:
        return self._tasks is not None

    def tasks(self) -> tuple[TaskFacts, ...]:
        if self._tasks is None:
            assert self._load is not None
            try:
                tasks = self._load()
            except (TypeError, ValueError, IndexError, RecursionError) as error:
                message = f"the cached handoff facts of {self.path} do not decode"
                raise Damaged(message, self.path) from error
            if [t.id for t in tasks] != self.ids or [t.column for t in tasks] != self.columns:
                raise Damaged(f"the cached handoff facts of {self.path} do not agree", self.path)
            self._tasks, self._load = tasks, None
        return self._tasks

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PlanTasks):
            return NotImplemented
        return self.path == other.path and self.tasks() == other.tasks()

    __hash__ = None  # type: ignore[assignment]


_PATH_OF = attrgetter("path")


class TaskTable:
    """Every task with an ID, in plan order: IDs, columns and plans as lists at once,
    the tasks themselves (iteration, `by_id`) decoded plan by plan when asked for."""

    def __init__(self, plans: Iterable[PlanTasks]):
        self.plans = tuple(plans)
        self.ids: list[str] = list(chain.from_iterable(p.ids for p in self.plans))
        self.columns: list[str] = list(chain.from_iterable(p.columns for p in self.plans))
        self.paths: list[str] = list(
            chain.from_iterable(repeat(p.path, len(p.ids)) for p in self.plans)
        )
        self._index: Mapping[str, TaskFacts] | None = None

    @classmethod
    def of(cls, tasks: Iterable[TaskFacts]) -> TaskTable:
        """A table of facts at hand, grouped by plan as they come."""
        return cls(PlanTasks.of(path, tuple(group)) for path, group in groupby(tasks, _PATH_OF))

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[TaskFacts]:
        return chain.from_iterable(plan.tasks() for plan in self.plans)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TaskTable):
            return NotImplemented
        return self.plans == other.plans

    __hash__ = None  # type: ignore[assignment]

    def of_plans(self, paths: Iterable[str]) -> Iterator[TaskFacts]:
        """The tasks of the plans `paths`, decoding only those."""
        wanted = set(paths)
        return chain.from_iterable(p.tasks() for p in self.plans if p.path in wanted)

    def by_id(self) -> Mapping[str, TaskFacts]:
        """{ID: its facts}, the last task for an ID that is twice (as a dict comprehension
        over the tasks would give): a dict when every plan is decoded, else a mapping
        that decodes a plan when one of its tasks is first looked up."""
        if self._index is None:
            if all(plan.decoded for plan in self.plans):
                self._index = {t.id: t for t in self}
            else:
                self._index = _Index(self.plans)
        return self._index


class _Index(Mapping[str, TaskFacts]):
    def __init__(self, plans: tuple[PlanTasks, ...]):
        self._plans = plans
        where = (repeat(n, len(plan.ids)) for n, plan in enumerate(plans))
        self._plan_of: dict[str, int] = dict(
            zip(chain.from_iterable(p.ids for p in plans), chain.from_iterable(where), strict=True)
        )
        self._found: dict[str, TaskFacts] = {}
        self._decoded: set[int] = set()

    def __getitem__(self, tid: str) -> TaskFacts:
        task = self._found.get(tid)
        if task is not None:
            return task
        n = self._plan_of[tid]  # KeyError for an ID in no plan, as a dict
        if n in self._decoded:
            raise KeyError(tid)
        self._decoded.add(n)
        for task in self._plans[n].tasks():
            if self._plan_of[task.id] == n:  # the last plan with the ID speaks for it
                self._found[task.id] = task
        return self._found[tid]

    def __contains__(self, tid: Any) -> bool:
        return tid in self._plan_of

    def __iter__(self) -> Iterator[str]:
        return iter(self._plan_of)

    def __len__(self) -> int:
        return len(self._plan_of)
