"""Where a task stands: its board column, from its status text and checkbox."""

from __future__ import annotations

from collections.abc import Iterable

from charter.config import Config
from charter.model import Field, Task


def column_of(task: Task, config: Config) -> str:
    """The task's board column. An unknown status falls back to the checkbox."""
    return _column(task.status, task.checked, config)


def _column(status: str | None, checked: bool | None, config: Config) -> str:
    if status:
        column = config.column_for_status(status)
        if column is not None:
            return column
    if checked:
        return config.done_column
    return config.open_column


def is_done(task: Task, config: Config) -> bool:
    return column_of(task, config) == config.done_column


def is_closed(task: Task, config: Config) -> bool:
    return column_of(task, config) in config.closed_columns


class Standings:
    """Every task's column, worked out in one pass over the tasks and shared.

    The rules ask where tasks stand again and again (at 50,000 tasks, each
    rule's own pass cost tens of milliseconds); this asks once per task.
    """

    def __init__(self, tasks: Iterable[Task], config: Config):
        self.config = config
        self.tasks = tuple(tasks)  # held, so no other object can take one's id
        self.columns: dict[int, str] = {}
        done: list[Task] = []
        stated: list[tuple[Task, Field]] = []
        done_column = config.done_column
        for task in self.tasks:
            status = None
            for field in task.fields:
                if field.name == "status":
                    status = field
                    stated.append((task, field))
                    break
            said = status.value if status else task.implied_status
            column = _column(said, task.checked, config)
            self.columns[id(task)] = column
            if column == done_column:
                done.append(task)
        self.done = tuple(done)
        # Tasks with a status field, and the first such field (the one `task.status` reads).
        self.stated = tuple(stated)

    def column(self, task: Task) -> str:
        column = self.columns.get(id(task))
        return column if column is not None else column_of(task, self.config)

    def is_done(self, task: Task) -> bool:
        return self.column(task) == self.config.done_column

    def is_closed(self, task: Task) -> bool:
        return self.column(task) in self.config.closed_columns
