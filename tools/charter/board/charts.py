"""The board page's charts as SVG geometry, computed here and drawn by the template.

Each chart says what it is: weekly counts are columns over a time axis, counts
by name (columns of the board, blocked tasks) are horizontal bars with their
names in a left margin sized to the longest name, cycle-time percentiles are
marks on one day scale (a percentile is a point, not a quantity to stack), and
the evidence share is one 100 % bar split into "with" and "without". Every chart
has a value axis with round ticks. Text widths are estimated generously (7 px
per character of 10 px text) so labels fit; a name that still does not fit is
shortened with "…" and keeps its full text in a tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

CHAR = 7.0  # px per character of the charts' 10 px text, rounded up on purpose
WIDTH = 320
ROW = 18  # height of one horizontal bar's row


@dataclass(frozen=True)
class Mark:
    """One drawn value: a bar (width and height > 0) or a point on a scale (width 0)."""

    label: str  # the full name, for the tooltip
    text: str  # the value as shown
    x: float
    y: float
    width: float
    height: float
    name: str = ""  # the name as drawn beside or under the mark ("" when not drawn)
    name_x: float = 0.0
    name_y: float = 0.0
    kind: str = "bar"  # bar | rest | point
    anchor: str = "middle"  # of the name: start | middle | end


@dataclass(frozen=True)
class Tick:
    x1: float
    y1: float
    x2: float
    y2: float
    text: str
    text_x: float
    text_y: float
    anchor: str


@dataclass(frozen=True)
class Chart:
    title: str
    kind: str  # columns | bars | scale | share
    width: int
    height: int
    marks: tuple[Mark, ...]
    ticks: tuple[Tick, ...]
    axis: tuple[float, float, float, float]  # the value axis line: x1, y1, x2, y2
    note: str = ""
    unit: str = ""


def nice_ticks(top: float, count: int = 4, *, whole: bool = False) -> list[float]:
    """Round tick values from 0 to at least `top`: 0, 5, 10, 15 rather than 0, 3.7, 7.4
    (and steps of at least 1 for counts, which have no halves)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in (1, 2, 2.5, 5, 10) if s * power >= raw)
    if whole:
        step = max(1.0, float(math.ceil(step)))
    ticks = [0.0]
    while ticks[-1] < top - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _number(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _fit(name: str, room: float) -> str:
    chars = max(int(room // CHAR), 2)
    return name if len(name) <= chars else name[: chars - 1] + "…"


def column_chart(
    title: str, labels: Sequence[str], values: Sequence[float], *, note: str = ""
) -> Chart:
    """Counts over time, oldest first: columns on a value axis, a label under every one
    that has room (every second or third when they crowd)."""
    ticks = nice_ticks(max([*values, 0.0]), whole=True)
    top = ticks[-1]
    left = CHAR * max(len(_number(t, 0)) for t in ticks) + 8
    plot_top, base = 14.0, 112.0
    widest = max([len(label) for label in labels] + [1]) * CHAR + 4
    slot = (WIDTH - left - 4 - widest / 2) / max(len(values), 1)
    every = max(1, math.ceil(widest / slot))
    marks = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        size = (base - plot_top) * value / top
        x = left + index * slot + slot * 0.15
        shown = label if index % every == (len(values) - 1) % every else ""
        marks.append(
            Mark(label, _number(value, 0), round(x, 2), round(base - size, 2), round(slot * 0.7, 2),
                 round(size, 2), shown, round(x + slot * 0.35, 2), base + 13)
        )  # fmt: skip
    grid = tuple(
        Tick(left, y, WIDTH - 4, y, _number(t, 0), left - 4, y + 3.5, "end")
        for t in ticks
        for y in [round(base - (base - plot_top) * t / top, 2)]
    )
    return Chart(
        title, "columns", WIDTH, 132, tuple(marks), grid, (left, base, left, plot_top), note
    )


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    decimals: int = 0,
    note: str = "",
    unit: str = "",
) -> Chart:
    """Quantities by name: one horizontal bar per name, names in a left margin wide enough
    for the longest (at most 40 % of the chart), the value at the bar's end."""
    ticks = nice_ticks(max([*values, 0.0]), whole=decimals == 0)
    top = ticks[-1]
    left = min(max([len(label) for label in labels] + [1]) * CHAR + 8, WIDTH * 0.4)
    right = WIDTH - CHAR * (len(_number(max([*values, 0.0]), decimals)) + 1) - 4
    plot_top = 4.0
    marks = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = plot_top + index * ROW
        size = (right - left) * value / top
        marks.append(
            Mark(label, _number(value, decimals), left, y + 3, round(size, 2), ROW - 6,
                 _fit(label, left - 8), left - 4, y + ROW / 2 + 3.5)
        )  # fmt: skip
    base = plot_top + len(values) * ROW + 2
    grid = tuple(
        Tick(x, plot_top, x, base, _number(t, decimals), x, base + 12, "middle")
        for t in ticks
        for x in [round(left + (right - left) * t / top, 2)]
    )
    return Chart(
        title, "bars", WIDTH, int(base + 18), tuple(marks), grid, (left, base, right, base), note,
        unit,
    )  # fmt: skip


def scale_chart(
    title: str, points: Sequence[tuple[str, float]], *, note: str = "", unit: str = "days"
) -> Chart:
    """Percentiles (and the mean) as marks on one scale: where half, 85 % and 95 % of the
    tasks finished by. Names alternate above and below the line so close marks stay legible."""
    ticks = nice_ticks(max([v for _, v in points] + [0.0]))
    top = ticks[-1]
    left, right = 14.0, WIDTH - 24.0
    placed: list[tuple[str, float, float, str, int]] = []  # name, x, value, anchor, row
    rows: list[list[tuple[float, float]]] = []  # the spans taken in each row of names
    for name, value in points:
        x = round(left + (right - left) * value / top, 2)
        name_text = f"{name} {_number(value, 1)}"
        size = len(name_text) * CHAR
        anchor = "start" if x - size / 2 < 2 else "end" if x + size / 2 > WIDTH - 2 else "middle"
        start = x if anchor == "start" else x - size if anchor == "end" else x - size / 2
        span = (start - 4, start + size + 4)
        free = [all(span[1] < a or span[0] > b for a, b in taken) for taken in rows]
        row = free.index(True) if True in free else len(rows)
        if row == len(rows):
            rows.append([])
        rows[row].append(span)
        placed.append((name_text, x, value, anchor, row))
    line = 14.0 + 13 * len(rows)
    marks = [
        Mark(text.split(" ")[0], _number(value, 1), x, line - 8, 0, 8, text,
             x, line - 12 - 13 * row, "point", anchor)
        for text, x, value, anchor, row in placed
    ]  # fmt: skip
    grid = tuple(
        Tick(x, line, x, line + 4, _number(t, 1), x, line + 16, "middle")
        for t in ticks
        for x in [round(left + (right - left) * t / top, 2)]
    )
    return Chart(
        title, "scale", WIDTH, int(line + 24), tuple(marks), grid, (left, line, right, line),
        note, unit,
    )  # fmt: skip


def share_chart(title: str, part: int, whole: int, *, part_name: str, rest_name: str) -> Chart:
    """`part` of `whole` as one bar from 0 to 100 %, split in two, each side counted."""
    left, right, y = 20.0, WIDTH - 24.0, 8.0
    cut = round(left + (right - left) * (part / whole if whole else 0.0), 2)
    share = round(100 * part / whole) if whole else 0
    marks = (
        Mark(part_name, f"{part}", left, y, round(cut - left, 2), 22,
             f"{part_name}: {part} ({share} %)", left, y + 56, "bar", "start"),
        Mark(rest_name, f"{whole - part}", cut, y, round(right - cut, 2), 22,
             f"{rest_name}: {whole - part} ({100 - share} %)", left, y + 70, "rest", "start"),
    )  # fmt: skip
    grid = tuple(
        Tick(x, y + 22, x, y + 26, f"{t} %", x, y + 37, "middle")
        for t in (0, 25, 50, 75, 100)
        for x in [round(left + (right - left) * t / 100, 2)]
    )
    return Chart(title, "share", WIDTH, 84, marks, grid, (left, y + 22, right, y + 22), "", "%")
