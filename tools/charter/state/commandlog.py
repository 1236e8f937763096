"""The commands of a session: one JSON line each, and a table in the session log.

`charter run` records every command it was asked to run (command, exit code,
duration, decision and rule) in `.charter/sessions/<id>/commands.jsonl`. When
the session log holds a `<!-- charter:begin commands -->` region, the region is
rewritten as a Markdown table of all recorded commands, under the same lock.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from charter.errors import CharterError
from charter.io import locked, read_text, write_text_atomic
from charter.jsonlines import read_objects
from charter.stamps import find_region, replace_region
from charter.state.active import read_active_session

SESSIONS_DIR = ".charter/sessions"
REGION = "commands"


def commands_path(root: Path, session_id: str) -> Path:
    return root / SESSIONS_DIR / session_id / "commands.jsonl"


def record_command(root: Path, record: dict[str, Any]) -> None:
    """Append `record` to the active session's command log; nothing when there is no session."""
    session = read_active_session(str(root))
    if session is None:
        return
    path = commands_path(root, session["id"])
    line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
    with locked(path):
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line)
        log = _session_log(root, session)
        if log is not None:
            _update_table(log, read_commands(root, session["id"]))


def read_commands(root: Path, session_id: str) -> list[dict[str, Any]]:
    """Every command recorded for a session, oldest first."""
    return read_objects(commands_path(root, session_id), "a record")


def render_table(records: list[dict[str, Any]]) -> str:
    lines = [
        "| # | Started | Command | Exit | Duration | Decision |",
        "|---|---------|---------|------|----------|----------|",
    ]
    for number, record in enumerate(records, 1):
        exit_code = record.get("exit_code")
        duration = record.get("duration_s")
        cells = [
            str(number),
            _cell(str(record.get("started", ""))),
            _code(str(record.get("command", ""))),
            "" if exit_code is None else str(exit_code),
            "" if duration is None else f"{float(duration):.2f} s",
            _cell(str(record.get("decision", ""))),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _session_log(root: Path, session: dict[str, Any]) -> Path | None:
    log = session.get("log")
    if not isinstance(log, str) or not log:
        return None
    path = (root / log).resolve()
    if not path.is_relative_to(root.resolve()):
        raise CharterError(
            f"the session log {log!r} is outside the repository", ".charter/active-session.json"
        )
    return path if path.is_file() else None


def _update_table(log: Path, records: list[dict[str, Any]]) -> None:
    with locked(log):
        text = read_text(log)
        if text is None or find_region(text, REGION) is None:
            return
        updated = replace_region(text, REGION, render_table(records), log)
        if updated != text:
            write_text_atomic(log, updated)


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    text = text.replace("\r", "").replace("\n", "⏎").replace("|", "\\|")
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    # a code span needs a fence longer than any run of backquotes inside it
    fence = "`" * (longest + 1)
    pad = " " if longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"
