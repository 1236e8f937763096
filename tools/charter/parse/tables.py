"""Splitting a Markdown table row into cells, with the column of each cell.

Pipes escaped as `\\|` never split. A pipe inside a code span is kept in the
cell, as the author meant it, but flagged: GitHub's renderer splits there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    text: str  # raw text between the pipes, unstripped
    start: int  # 0-based column of text in the row
    gfm_split: bool = False  # holds a pipe inside a code span


def split_row(line: str) -> list[Cell]:
    cells: list[Cell] = []
    stripped = line.lstrip()
    lead = len(line) - len(stripped)
    # Block-quoted tables: "> | a | b |"
    while stripped.startswith(">"):
        stripped = stripped[1:].lstrip()
        lead = len(line) - len(stripped)
    body_start = lead + 1 if stripped.startswith("|") else lead
    start = body_start
    i = body_start
    code_ticks = 0  # length of the backtick run that opened the current code span
    pipe_in_code = False
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == "\\" and i + 1 < n:
            i += 2
            continue
        if ch == "`":
            run = i
            while i < n and line[i] == "`":
                i += 1
            length = i - run
            if code_ticks == 0:
                # Only a span that closes later on the line is a code span.
                if line.find("`" * length, i) != -1:
                    code_ticks = length
            elif length == code_ticks:
                code_ticks = 0
            continue
        if ch == "|":
            if code_ticks:
                pipe_in_code = True
            else:
                cells.append(Cell(line[start:i], start, pipe_in_code))
                start, pipe_in_code = i + 1, False
        i += 1
    tail = line[start:]
    # Spaces after the closing pipe end the row as the pipe does; they are no cell.
    if tail.strip() or not stripped.rstrip().endswith("|") or not cells:
        cells.append(Cell(tail, start, pipe_in_code))
    return cells


def is_separator_row(line: str) -> bool:
    cells = split_row(line)
    return bool(cells) and all(set(c.text.strip()) <= set(":-") and "-" in c.text for c in cells)
