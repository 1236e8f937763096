"""JSON Lines: one JSON value per line, blank lines skipped.

The one reader of charter's own records (`.charter/sessions/<id>/*.jsonl`)
and of agent transcripts. Each caller decides what a bad line means: a record
charter wrote must be whole, a transcript line an agent wrote may be skipped.
(Gate metric files have their own scanner in charter.gates.evaluate: it reads
a million lines, and stops at the first bad one.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from charter.errors import CharterError
from charter.io import read_text


class JsonLine(NamedTuple):
    number: int  # 1-based line number
    value: Any  # the parsed value; None when `error` is set
    error: ValueError | None  # json.JSONDecodeError, or UnicodeDecodeError for bytes


def json_lines(lines: Iterable[str | bytes]) -> Iterator[JsonLine]:
    """Each non-blank line, parsed (bytes lines are decoded as JSON text is)."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            yield JsonLine(number, None, exc)
            continue
        yield JsonLine(number, value, None)


def read_objects(path: Path, what: str) -> list[dict[str, Any]]:
    """Every JSON object in a file charter wrote, oldest first; [] when there is no file.

    A line that is not a JSON object is an error naming the file and line:
    `what` names one record in that message ("a record", "an event").
    """
    text = read_text(path)
    if text is None:
        return []
    records = []
    for line in json_lines(text.splitlines()):
        if line.error is not None:
            raise CharterError(
                f"not a JSON record: {line.error}", path, line.number
            ) from line.error
        if not isinstance(line.value, dict):
            raise CharterError(f"{what} must be a JSON object", path, line.number)
        records.append(line.value)
    return records
