"""Gate measurements of a session: one JSON line per gate `charter gates` evaluated.

`charter gates` run in an active session appends each result to
`.charter/sessions/<id>/gates.jsonl` (plan, gate, status, value, when), so
`charter session end` can verify a level's `blocking_gates_measured`
requirement from what was measured, not from what the log says.

Standard library only, like the rest of `state/`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

GATES_FILE = "gates.jsonl"


def gates_path(root: Path, session_id: str) -> Path:
    return root / ".charter" / "sessions" / session_id / GATES_FILE


def record_gates(root: Path, session_id: str, entries: list[dict[str, Any]]) -> Path:
    """Append `entries`, one line each, in one write; the file written."""
    path = gates_path(root, session_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entries)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)
    return path


def read_gates(root: Path, session_id: str) -> list[dict[str, Any]]:
    """Every measurement of the session, oldest first; a damaged line is skipped (it cannot
    count as a measurement, so a requirement it would have met stays unmet)."""
    try:
        lines = gates_path(root, session_id).read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, UnicodeDecodeError):
        return []
    entries = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries
