"""Where a task stands: its board column, from its status text and checkbox."""

from __future__ import annotations

from charter.config import Config
from charter.model import Task


def column_of(task: Task, config: Config) -> str:
    """The task's board column. An unknown status falls back to the checkbox."""
    status = task.status
    if status:
        column = config.column_for_status(status)
        if column is not None:
            return column
    if task.checked:
        return config.done_column
    return config.open_column


def is_done(task: Task, config: Config) -> bool:
    return column_of(task, config) == config.done_column


def is_closed(task: Task, config: Config) -> bool:
    return column_of(task, config) in config.closed_columns
