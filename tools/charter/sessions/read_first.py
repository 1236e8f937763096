"""The documents a plan asks a session to read before its first command.

A plan names them in its frontmatter (`read_first: [docs/a.md, docs/b.md]`)
or in a section whose heading says so ("Pre-flight checklist", "Read first",
"Before you start"): every `code span` there that looks like a path. A span
such as `progress.md:2025-10-19` (a path and the entry to read) gives the path.
"""

from __future__ import annotations

import re

from charter.model import Plan
from charter.parse.task_parts import looks_like_path

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_READ_FIRST_HEADING = re.compile(
    r"\bpre-?flight\b|\bread\s+(?:this\s+)?first\b|\bbefore\s+(?:you\s+)?start", re.I
)
_SPAN = re.compile(r"`([^`\n]+)`")


def read_first(plan: Plan, text: str) -> list[str]:
    """The paths, in the order the plan gives them, once each."""
    found: list[str] = []
    value = plan.frontmatter.get("read_first")
    if isinstance(value, str):
        found.append(value.strip())
    elif isinstance(value, list):
        found += [str(item).strip() for item in value if str(item).strip()]
    found += _from_sections(text)
    return list(dict.fromkeys(found))


def _from_sections(text: str) -> list[str]:
    found: list[str] = []
    level = 0  # inside a read-first section of this heading level; 0: outside
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        heading = None if fenced else _HEADING.match(line)
        if heading:
            depth = len(heading.group(1))
            if level and depth <= level:
                level = 0
            if not level and _READ_FIRST_HEADING.search(heading.group(2)):
                level = depth
            continue
        if level and not fenced:
            found += [p for span in _SPAN.findall(line) if (p := _path(span))]
    return found


def _path(span: str) -> str | None:
    span = span.strip()
    head, colon, _ = span.partition(":")
    if colon and looks_like_path(head) and "/" not in span[len(head) + 1 :]:
        span = head  # `progress.md:2025-10-19`: the file, at an entry
    return span if looks_like_path(span) else None
