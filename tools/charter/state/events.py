"""Safety events in the session log: stops, resumptions, escalations.

Each event is a JSON line in `.charter/sessions/<id>/events.jsonl`, and the
session log shows all of them as a table in the region
`<!-- charter:begin safety -->` ... `<!-- charter:end safety -->`. A log
without the region gets it appended at its end, under `## Safety events`, the
first time; nothing else in the log changes. Both writes happen under the
log's lock, the one `charter run` and `charter session end` take.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from charter.errors import CharterError
from charter.io import locked, read_text, write_text_atomic
from charter.jsonlines import read_objects
from charter.stamps import find_region, replace_region
from charter.state.session import ActiveSession

SESSIONS_DIR = ".charter/sessions"
EVENTS_FILE = "events.jsonl"
REGION = "safety"
SECTION = "## Safety events"


def events_path(root: Path, session_id: str) -> Path:
    return root / SESSIONS_DIR / session_id / EVENTS_FILE


def record_event(root: Path, session: ActiveSession, event: dict[str, Any]) -> Path:
    """Append `event` to the session's events and rewrite the log's table; the log's path."""
    log = _log_path(root, session)
    path = events_path(root, session.id)
    line = json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n"
    with locked(log):
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line)
        text = read_text(log)
        if text is None:
            raise CharterError(
                "the session log is missing; the event is kept in "
                f"{path.relative_to(root).as_posix()}",
                session.log,
            )
        write_text_atomic(log, with_table(text, render_table(read_events(root, session.id)), log))
    return log


def read_events(root: Path, session_id: str) -> list[dict[str, Any]]:
    """Every event recorded for a session, oldest first."""
    return read_objects(events_path(root, session_id), "an event")


def with_table(text: str, table: str, path: Path) -> str:
    """`text` with the safety region holding `table`; the region is appended when missing."""
    if find_region(text, REGION) is not None:
        return replace_region(text, REGION, table, path)
    newline = "\r\n" if "\r\n" in text else "\n"
    if text and not text.endswith("\n"):
        text += newline
    block = (
        f"{newline}{SECTION}{newline}{newline}<!-- charter:begin {REGION} -->{newline}"
        f"<!-- charter:end {REGION} -->{newline}"
    )
    return replace_region(text + block, REGION, table, path)


def render_table(events: list[dict[str, Any]]) -> str:
    lines = [
        "| # | At | Event | By | Reason | Outcome |",
        "|---|----|-------|----|--------|---------|",
    ]
    for number, event in enumerate(events, 1):
        cells = [
            str(number),
            _cell(event.get("at")),
            _cell(event.get("event")),
            _cell(event.get("by")),
            _cell(event.get("reason")),
            _cell(event.get("outcome")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _log_path(root: Path, session: ActiveSession) -> Path:
    path = (root / session.log).resolve()
    if not path.is_relative_to(root.resolve()):
        raise CharterError(
            f"the session log {session.log!r} is outside the repository",
            ".charter/active-session.json",
        )
    return path


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\r", "").replace("\n", " ")
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
