"""What the found documents look like: their task IDs, frontmatter and checklists.

Every guess keeps its evidence (a count and an example with its file and
line), so `charter detect` can show why it chose what it chose.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from charter.config import DEFAULT_ID_PATTERN

READ_LIMIT = 64 * 1024  # bytes of each file looked at; layout shows in the first pages
MAX_FILES = 300  # files looked at, spread over the list: enough to see how a team writes
_DEFAULT_ID = re.compile(rf"(?:{DEFAULT_ID_PATTERN})")
# Where a task's ID is written: a checklist item, a heading, a table's first cell.
_LEAD = re.compile(
    r"^\s*(?:(?:[-*+]|\d{1,9}[.)])\s+\[[ xX~/>-]\]\s+|#{1,6}\s+|\|\s*|(?:[-*+])\s+)"
    r"(?:\*\*|__|`|\[)?(?P<token>#?[A-Za-z]{0,12}\d+[a-z]?(?:[.-][A-Za-z]*\d+[a-z]?)*)(?![\w-])"
)
_CHECKBOX = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+\[[ xX~/>-]\]\s+(?P<text>.*)$")
# Non-default ID shapes teams use: T012 (spec-kit), S1.T2 and S3a.T1 (slices, sub-slices),
# #64 (issues).
_LETTERS_DIGITS = re.compile(r"^(?P<prefix>[A-Z]{1,6})(?P<num>\d+)[a-z]?$")
_DOTTED = re.compile(r"^(?P<prefix>[A-Z]{1,6})\d+[a-z]?(?:\.(?P<sub>[A-Z]{1,6})\d+[a-z]?)+$")
_ISSUE = re.compile(r"^#(?P<num>\d+)$")
MIN_DISTINCT = 8  # distinct numbers before a shape counts as an ID scheme (not P0..P4 priorities)


@dataclass
class Example:
    path: str
    line: int
    text: str


@dataclass
class Layout:
    files: int = 0
    with_frontmatter: int = 0
    id_shapes: dict[str, tuple[int, Example]] = field(default_factory=dict)  # regex -> evidence
    checklist_items: int = 0
    checklist_with_id: int = 0
    anonymous_example: Example | None = None

    @property
    def id_pattern(self) -> str:
        # Longest first: an alternation takes the first that matches, and S1.T2 must not
        # read as S1.
        learned = sorted(
            (shape for shape in self.id_shapes if shape != DEFAULT_ID_PATTERN),
            key=len,
            reverse=True,
        )
        if not learned:
            return DEFAULT_ID_PATTERN
        return "|".join([DEFAULT_ID_PATTERN, *learned])

    @property
    def anonymous_tasks(self) -> bool:
        without = self.checklist_items - self.checklist_with_id
        return without > 0 and without * 5 >= self.checklist_items

    @property
    def require_frontmatter(self) -> bool:
        return self.files > 0 and self.with_frontmatter == self.files


def learn(root: Path, paths: list[str]) -> Layout:
    layout = Layout()
    shapes: dict[str, tuple[Counter[str], Example]] = {}
    step = max(1, -(-len(paths) // MAX_FILES))
    for rel in paths[::step]:
        try:
            with open(root / rel, "rb") as handle:
                text = handle.read(READ_LIMIT).decode("utf-8", "replace")
        except OSError:
            continue
        layout.files += 1
        if text.startswith("---"):
            layout.with_frontmatter += 1
        _scan(rel, text, layout, shapes)
    for shape, (numbers, example) in shapes.items():
        if len(numbers) >= MIN_DISTINCT or shape == DEFAULT_ID_PATTERN:
            layout.id_shapes[shape] = (sum(numbers.values()), example)
    return layout


def _scan(
    rel: str, text: str, layout: Layout, shapes: dict[str, tuple[Counter[str], Example]]
) -> None:
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced:
            continue
        box = _CHECKBOX.match(line)
        lead = _LEAD.match(line)
        shape = _shape(lead.group("token")) if lead else None
        if box is not None:
            layout.checklist_items += 1
            if shape is not None:
                layout.checklist_with_id += 1
            elif layout.anonymous_example is None:
                layout.anonymous_example = Example(rel, number, line.strip()[:80])
        if shape is not None and lead is not None:
            token = lead.group("token")
            counts, _ = shapes.setdefault(
                shape, (Counter(), Example(rel, number, line.strip()[:80]))
            )
            counts[token] += 1


def _shape(token: str) -> str | None:
    """The regex of the ID scheme `token` belongs to, or None for no ID."""
    if _DEFAULT_ID.fullmatch(token):
        return DEFAULT_ID_PATTERN
    match = _LETTERS_DIGITS.match(token)
    if match:
        return rf"{match.group('prefix')}\d+[a-z]?"
    match = _DOTTED.match(token)
    if match:
        return rf"{match.group('prefix')}\d+[a-z]?(?:\.{match.group('sub')}\d+[a-z]?)*"
    if _ISSUE.match(token):
        return r"#\d+"
    return None
