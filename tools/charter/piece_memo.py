"""Which lines of one plan the last task edit of this command parsed again, for its next steps.

charter.parse.splice gives the model of a plan after an edit inside one top-level task
from the model before and that task's piece of the file parsed again: every task
before the piece is as it was, every task after it is as it was moved down by the lines
the edit inserted. What reads the plan next in the same command (the board's patch,
charter.board.patch_piece) can then redo the piece's tasks alone and move the others'
line numbers, instead of rendering every row of a plan of 50,000 tasks again.

A record names the model it describes (the very object charter.model_memo holds for
the new bytes) and the content hash of the bytes before the edit: a reader matches both
or ignores the record. One record, the last splice's.
"""

from __future__ import annotations

import bisect
import weakref
from collections.abc import Sequence
from typing import NamedTuple

from charter.model import Plan, Task


class Piece(NamedTuple):
    """An edit of the lines [start, end_old) of the plan `path` (0-based, half-open, in the
    lines before the edit); the lines after them moved by `delta` (lines inserted)."""

    path: str
    old_digest: str  # charter.model_memo.content_digest of the bytes before the edit
    # The model of the bytes before the edit, not kept alive by the record: after an edit
    # that inserts a line, the model after it holds copies of every task below, and the
    # two whole models at once would raise the command's peak by one model.
    before: weakref.ref[Plan]
    after: Plan  # the model of the bytes after it
    start: int
    end_old: int
    delta: int
    old_tasks: tuple[Task, ...]  # the piece's top-level tasks before the edit

    @property
    def end_new(self) -> int:
        return self.end_old + self.delta

    def new_tasks(self) -> tuple[Task, ...]:
        """The piece's top-level tasks after the edit (found by bisection: the plan's tasks
        are in line order, and a scan of 50,000 of them is what the piece spares)."""
        tasks = self.after.tasks
        low = bisect.bisect_left(tasks, self.start, key=_index)
        high = bisect.bisect_left(tasks, self.end_new, lo=low, key=_index)
        return tuple(tasks[low:high])


def _index(task: Task) -> int:
    return task.line - 1


_last: list[Piece] = []


def offer(piece: Piece) -> None:
    """Keep `piece` as what the last splice changed (a record before it is dropped)."""
    _last[:] = [piece]


def known(path: str, old_digest: str, after: Plan | None) -> Piece | None:
    """The last splice's record when it went from the bytes of `old_digest` to `after`."""
    for piece in _last:
        if piece.path == path and piece.old_digest == old_digest and piece.after is after:
            return piece
    return None


def between(before: Plan, after: Plan) -> Piece | None:
    """The last splice's record when it made `after` from `before` (these very models)."""
    for piece in _last:
        if piece.before() is before and piece.after is after:
            return piece
    return None


def holding() -> bool:
    """Whether a record is held."""
    return bool(_last)


def forget() -> None:
    _last.clear()


def count_mentions(tasks: Sequence[Task], ids: set[str | None]) -> int:
    """How many tasks of `tasks` and their subtasks have an ID of `ids` (50,000 tasks: no
    generator per task, as `Task.walk` is)."""
    count = 0
    for task in tasks:
        count += task.id in ids
        if task.subtasks:
            count += count_mentions(task.subtasks, ids)
    return count
