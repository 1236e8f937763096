"""What an agent transcript tells charter, whichever agent wrote it, and reading JSON Lines.

Reading never stops at a bad line: a line that is not JSON, or not a JSON
object, is kept as a `Malformed` record with its line number, and the rest of
the stream is still read. Event types a reader does not know are counted, so
a new agent version shows up as numbers, not as silence.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from charter.errors import CharterError
from charter.jsonlines import json_lines


@dataclass(frozen=True)
class Command:
    command: str
    exit_code: int | None  # None: unknown (still running, declined, in the background)
    status: str  # completed, failed, declined, interrupted, background, incomplete
    line: int  # where the stream recorded its end (or its start, when it never ended)


@dataclass(frozen=True)
class FileChange:
    path: str
    kind: str  # add, update, delete (Codex's words; Claude Code's edits map onto them)


@dataclass
class Usage:
    """Token counts. `input` includes cached input; `cache_write` is Claude Code's cache writes."""

    turns: int = 0
    input: int = 0
    cached_input: int = 0
    cache_write: int = 0
    output: int = 0

    @property
    def total(self) -> int:
        return self.input + self.output

    def add(self, other: Usage) -> None:
        self.turns += other.turns
        self.input += other.input
        self.cached_input += other.cached_input
        self.cache_write += other.cache_write
        self.output += other.output


@dataclass(frozen=True)
class Malformed:
    line: int
    message: str


@dataclass
class Transcript:
    agent: str  # "codex" or "claude-code"
    source_id: str | None = None  # Codex thread id, Claude Code session id
    cwd: str | None = None  # the agent's working directory, when the transcript says
    events: int = 0  # lines read as JSON objects
    commands: list[Command] = field(default_factory=list)
    files: list[FileChange] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    usage_known: bool = False  # the stream reported token usage at all
    errors: list[str] = field(default_factory=list)  # turn and stream errors the agent reported
    skipped: Counter[str] = field(default_factory=Counter)  # unknown event types -> count
    malformed: list[Malformed] = field(default_factory=list)

    @property
    def failed_commands(self) -> int:
        return sum(1 for c in self.commands if c.status == "failed" or (c.exit_code or 0) != 0)


def read_events(path: Path) -> Iterator[tuple[int, dict[str, Any] | Malformed]]:
    """(line number, event) for each non-blank line; bad lines come as Malformed."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise CharterError("no such file", path) from None
    except OSError as exc:
        raise CharterError(f"cannot read: {exc.strerror}", path) from None
    with handle:
        for number, event, error in json_lines(handle):
            if isinstance(error, UnicodeDecodeError):
                yield number, Malformed(number, f"not UTF-8 (column {error.start + 1})")
            elif isinstance(error, json.JSONDecodeError):
                yield number, Malformed(number, f"not JSON: {error.msg} (column {error.colno})")
            elif error is not None:
                raise error
            elif not isinstance(event, dict):
                yield number, Malformed(number, f"a JSON {type(event).__name__}, not an object")
            else:
                yield number, event


def text_of(value: Any) -> str:
    """Text from a string, or from a list of content blocks ({"type": "text", "text": ...})."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(
            str(block.get("text", ""))
            for block in value
            if isinstance(block, dict) and block.get("type") == "text"
        )
    return ""


def as_int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
