"""Plans that say to execute their steps in order: each step waits on the one before.

A heading ("## Roadmap (execute in order)") or a sentence right before a list or
table ("Do these in sequence:") says so; the top-level tasks in that region then
depend on their predecessor, as if each named it in a Depends field.
"""

from __future__ import annotations

import re

from charter import markdown
from charter.parse.task_parts import _Builder

# "execute in order", "in sequence", "in the following order"; not "in order to", and not
# "sequentially", which titles use ("Implement Tasks Sequentially" is a story, not an order).
IN_ORDER_RE = re.compile(
    r"\bin\s+(?:this\s+|that\s+|the\s+following\s+|strict\s+)?(?:order|sequence)\b"
    r"(?!\s+to\b|\s+of\b)",
    re.I,
)


def chain_in_order(roots: list[_Builder], lines: list[str], outline: markdown.Outline) -> None:
    """Top-level tasks in a section whose heading says to execute them in order, or in a
    list or table right after a sentence saying so, each wait on the one before."""
    regions: list[tuple[int, int]] = []  # 1-based, half-open
    headings = outline.headings
    for index, heading in enumerate(headings):
        if IN_ORDER_RE.search(heading.text):
            end = next(
                (h.line for h in headings[index + 1 :] if h.level <= heading.level), len(lines)
            )
            regions.append((heading.line + 1, end + 1))
    for index, raw in enumerate(lines):
        # Most lines end in neither ":" nor a space: not a sentence announcing an order.
        if not raw.endswith(":") and not raw[-1:].isspace():
            continue
        stripped = raw.strip()
        if stripped.endswith(":") and IN_ORDER_RE.search(stripped) and stripped[0] not in "|-*#":
            end = index + 1
            while end < len(lines) and (lines[end].strip() == "" or end == index + 1):
                end += 1
            while end < len(lines) and lines[end].strip():
                end += 1
            regions.append((index + 1, end + 1))
    for start, end in regions:
        previous: _Builder | None = None
        for builder in roots:
            if not start < builder.line < end:
                continue
            if previous is not None and previous.id and builder.id and previous.id != builder.id:
                builder.after.append(previous.id)
            previous = builder
