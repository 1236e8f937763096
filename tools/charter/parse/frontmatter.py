"""YAML frontmatter, split by hand so every failure has a line number.

python-frontmatter returns `{}` silently for an unclosed block or invalid YAML;
charter must say so instead. PyYAML's C loader is used when present, always in
safe mode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from charter.model import Diagnostic
from charter.parse.plain_yaml import plain_mapping
from charter.rulecodes import PARSE_ERROR

_KEY_LINE = re.compile(r"^([A-Za-z_][\w\-]*)\s*:")


@dataclass
class FrontmatterResult:
    data: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    present: bool = False
    body_start_line: int = 1  # 1-based line where the Markdown body starts
    problems: list[Diagnostic] = field(default_factory=list)


def split_frontmatter(lines: list[str], path: str) -> FrontmatterResult:
    """Parse a leading `---` ... `---` block of `lines` (no line endings, BOM removed)."""
    result = FrontmatterResult()
    if not lines or lines[0].rstrip() != "---":
        return result
    result.present = True
    closing = None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            closing = index
            break
    if closing is None:
        result.problems.append(
            Diagnostic(path, 1, 1, PARSE_ERROR, "frontmatter opened with --- is never closed")
        )
        # The whole file is treated as body so its tasks are still found.
        return result
    result.body_start_line = closing + 2
    for offset, line in enumerate(lines[1:closing], 2):
        match = _KEY_LINE.match(line)
        if match:
            result.key_lines.setdefault(match.group(1), offset)
    plain = plain_mapping(lines[1:closing])
    if plain is not None:  # what PyYAML would read, without its cost
        result.data = plain
        return result
    try:
        data = load_yaml("\n".join(lines[1:closing]))
    except YamlError as exc:
        yaml_line = 2 + (exc.line or 0)
        result.problems.append(
            Diagnostic(path, yaml_line, 1, PARSE_ERROR, f"invalid YAML: {exc.message}")
        )
        # Still read what a person reads there (`owner: @ana` is a common slip): the
        # top-level `key: value` lines, as text. The error above stays reported.
        result.data = _plain_keys(lines[1:closing])
        return result
    if data is None:
        data = {}
    if not isinstance(data, dict):
        result.problems.append(
            Diagnostic(
                path, 2, 1, PARSE_ERROR, f"frontmatter must be a mapping, got {type(data).__name__}"
            )
        )
        return result
    result.data = {str(k): v for k, v in data.items()}
    return result


_PLAIN = re.compile(r"^([A-Za-z_][\w\-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")


def _plain_keys(lines: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for line in lines:
        match = _PLAIN.match(line)
        if match and match.group(2) and not match.group(2).startswith(("|", ">", "[", "{")):
            found.setdefault(match.group(1), match.group(2).strip("'\""))
    return found


class YamlError(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message = message
        self.line = line


def load_yaml(text: str) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlError(str(problem), mark.line if mark is not None else None) from exc
