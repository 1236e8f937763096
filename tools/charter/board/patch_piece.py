"""A board patched after a task edit in a plan too big to redo row by row: the edited
task's rows alone, and the line numbers of the rows after it moved.

charter.board.patch redoes every row of a plan that changed; for one plan holding
50,000 tasks that is the whole board again. After a task edit this command made
(charter.tasks.edit), charter.piece_memo says which lines of the plan it parsed again
(the top-level task holding the edit) and charter.model_memo holds the model it wrote.
Every task before those lines reads as it did; every task after them reads as it did,
its lines moved by the lines the edit inserted. So the rows to redo are the piece's,
and the others change in one place only: the `plan:line` link of the plan's rows below
the piece. The CSV holds no line numbers: its lines of the piece's rows alone change.

Taken only when it is provably the same as redoing every row of the plan: the record
matches the board's state (the bytes before the edit) and the model of the bytes on
disk, no ID of the piece is mentioned elsewhere in the plan (which mention speaks for
a task would then be the plan's question), and every occurrence of the plan's link
text in the board is a row's link (counted: one per row of the plan).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

from charter import model_memo, piece_memo
from charter.board.render import _relative
from charter.config import Config
from charter.model import Plan
from charter.templating import md_cell, md_href


class EditedPiece(NamedTuple):
    """The piece of a changed plan whose rows are redone, and how the rows below it move."""

    plan: Plan  # the plan after the edit with the piece's tasks alone
    full: Plan  # the plan after the edit
    rows: int  # the plan's rows on the board (the state's count)
    end_old: int  # 1-based last line of the piece before the edit: rows below it move
    delta: int  # by this many lines


def edited_piece(
    config: Config, rel: str, digest: str, old_digest: str, rows: int
) -> EditedPiece | None:
    """The piece of `rel` (bytes of content hash `digest`, `old_digest` before) a task edit
    of this command parsed again; None when no record speaks for exactly this change."""
    full = model_memo.known("plan", rel, digest, repr(config))
    if not isinstance(full, Plan):
        return None
    piece = piece_memo.known(rel, old_digest, full)
    if piece is None:
        return None
    inside = piece.new_tasks()
    ids = {t.id for task in inside for t in task.walk()}
    if None in ids or not inside:
        return None
    # An ID of the piece mentioned outside it: the plan's resolution decides its row.
    if piece_memo.count_mentions(full.tasks, ids) != sum(1 for task in inside for _ in task.walk()):
        return None
    return EditedPiece(replace(full, tasks=inside), full, rows, piece.end_old, piece.delta)


class LineShift:
    """Moves the `plan:line` links of one plan's rows below a line, in board text."""

    def __init__(self, config: Config, rel: str, below: int, delta: int):
        base = config.board.rpartition("/")[0]
        link = _relative(rel, base)
        self.cell = md_cell(rel)
        href = md_href(f"{link}#L")
        # md_href quotes a destination as a whole: the prefix must be what every line has.
        self.valid = all(md_href(f"{link}#L{n}") == f"{href}{n}" for n in (1, below + 1))
        self.href = href
        self.pattern = re.compile(
            re.escape(f"[{self.cell}:") + r"(\d+)" + re.escape("](" + href) + r"(\d+)\)"
        )
        self.below, self.delta = below, delta

    def counted(self, text: str, rows: int) -> bool:
        """Whether `text` (the board) holds the plan's link text exactly once per row."""
        return self.valid and text.count(f"[{self.cell}:") == rows

    def apply(self, block: str) -> str:
        if not self.delta or f"[{self.cell}:" not in block:
            return block
        below, delta = self.below, self.delta

        def moved(match: re.Match[str]) -> str:
            line = int(match.group(1))
            if line <= below or match.group(2) != match.group(1):
                return match.group(0)
            return f"[{self.cell}:{line + delta}]({self.href}{line + delta})"

        return self.pattern.sub(moved, block)


def shifts(config: Config, pieces: Sequence[tuple[str, EditedPiece]], text: str) -> list[LineShift]:
    """The line shifts of the edited pieces; ValueError when one plan's links cannot be told
    apart in `text` (charter.board.patch then regenerates in full: `LineShift.counted`)."""
    found = [LineShift(config, rel, p.end_old, p.delta) for rel, p in pieces]
    for shift, (_rel, piece) in zip(found, pieces, strict=True):
        if not shift.counted(text, piece.rows):
            raise ValueError("a plan's link text outside its rows")  # patch_board: full path
    return found
