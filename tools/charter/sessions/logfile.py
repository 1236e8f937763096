"""The session log as a file: what a complete log needs, and closing it.

Closing edits only the frontmatter lines it must (status, ended, blocked_reason);
every other byte the agent or a person wrote stays as it was.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from charter.config import Config
from charter.errors import CharterError
from charter.model import SessionLog

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_PLAIN = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./@+ -]*")
_UNSAFE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\x85\u2028\u2029\ufeff]"
)
_YAML_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"}


@dataclass(frozen=True)
class Gap:
    """One thing that keeps a session from ending."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def log_gaps(config: Config, log: SessionLog) -> list[Gap]:
    """Placeholders still in the log, and required sections missing or empty."""
    gaps: list[Gap] = [
        Gap(log.path, d.line, d.message) for d in log.problems if d.severity == "error"
    ]
    pattern = config.placeholder_re
    for number, line in enumerate(log.text.split("\n"), log.body_line):
        for match in pattern.finditer(line):
            gaps.append(Gap(log.path, number, f"placeholder still in the log: {match.group(0)}"))
    end_line = log.body_line + log.text.count("\n")
    for title in config.session_sections:
        section = log.section(title)
        if section is None:
            gaps.append(Gap(log.path, end_line, f"missing section: {title}"))
        elif not _COMMENT.sub("", section.body).strip():
            gaps.append(Gap(log.path, section.line, f"empty section: {title}"))
    return sorted(gaps, key=lambda g: g.line)


def yaml_scalar(value: str | None) -> str:
    """`value` as a YAML scalar that reads back as the same string (or null)."""
    if value is None:
        return "null"
    if (
        _PLAIN.fullmatch(value)
        and value.lower() not in _YAML_WORDS
        and not _looks_numeric(value)
        and not value.endswith(" ")
        and _plain_reads_as_text(value)
    ):
        return value
    # A JSON string is a YAML double-quoted scalar, once characters YAML may not hold raw
    # (control characters; \x85, \u2028, \u2029 read as line breaks) are escaped.
    return _UNSAFE.sub(_escape, json.dumps(value, ensure_ascii=False))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _plain_reads_as_text(value: str) -> bool:
    """Whether the YAML resolver charter's loader uses reads `value`, written plain, as
    something other than a number, a boolean or null. Asked, not guessed: YAML 1.1 reads
    `0._` as a float and `1:20` as a number. (A date stays plain, as logs write it; the
    session log's reader takes it as the date it is.)"""
    from yaml.nodes import ScalarNode
    from yaml.resolver import Resolver

    tag = Resolver().resolve(ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return tag not in _LOSSY_TAGS


_LOSSY_TAGS = {f"tag:yaml.org,2002:{kind}" for kind in ("int", "float", "bool", "null")}


def _looks_numeric(value: str) -> bool:
    return re.fullmatch(
        r"[-+]?(\d[\d_]*)?(\.\d*)?([eE][-+]?\d+)?|0[xXoObB][\da-fA-F_]+", value
    ) is not None and any(c.isdigit() for c in value)


def close_frontmatter(text: str, path: str, values: dict[str, str]) -> str:
    """`text` with frontmatter keys set to already-quoted YAML `values`.

    A key present on its own line has its value replaced; a missing key is added
    before the closing `---`. Nothing else changes.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    start = 1 if lines and lines[0].lstrip("\ufeff").rstrip() == "---" else None
    if start is None:
        raise CharterError("the session log has no frontmatter to close", path, 1)
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if closing is None:
        raise CharterError("the session log's frontmatter is never closed", path, 1)
    pending = dict(values)
    for index in range(start, closing):
        match = re.match(r"^([A-Za-z_][\w-]*)(\s*:)", lines[index])
        if match and match.group(1) in pending:
            key = match.group(1)
            lines[index] = f"{key}{match.group(2)} {pending.pop(key)}"
    added = [f"{key}: {value}" for key, value in pending.items()]
    lines[closing:closing] = added
    return newline.join(lines)
