"""The session log's progress section: one line per task finished in the session.

A long session works through many steps; `charter task done` during a session
appends `- <time> <ID> done: <title> (evidence <path>)` under `## Progress` in
the active session's log, creating the section (before `## Outcome`, else at
the end) the first time. Nothing else in the log is touched.
"""

from __future__ import annotations

import re

from charter.clock import iso, now
from charter.config import Config
from charter.io import locked, read_text, write_text_atomic
from charter.repo import load_repo
from charter.state.session import read_active

HEADING = "## Progress"
_NEXT_SECTION = re.compile(r"^## (?!Progress\s*$)", re.M)
_OUTCOME = re.compile(r"^## Outcome\s*$", re.M)


def record_progress(config: Config, task_id: str, evidence: str) -> str | None:
    """Append the line to the active session's log; its path, or None with no session."""
    session = read_active(config.root)
    if session is None:
        return None
    path = config.path(session.log)
    task = load_repo(config).find_task(task_id)  # only in a session: a plain edit stays fast
    title = " ".join(task.title.split()) if task is not None else ""
    line = f"- {iso(now())} {task_id} done: {title} (evidence `{evidence}`)"
    with locked(path):
        text = read_text(path)
        if text is None:
            return None
        write_text_atomic(path, with_progress_line(text, line))
    return session.log


def with_progress_line(text: str, line: str) -> str:
    """`text` with `line` at the end of its progress section (made when missing)."""
    lines = text.split("\n")
    heading = next((n for n, raw in enumerate(lines) if raw.strip() == HEADING), None)
    if heading is None:
        outcome = _OUTCOME.search(text)
        at = outcome.start() if outcome else len(text.rstrip("\n")) + 1
        before = text[:at].rstrip("\n")
        after = text[at:]
        section = f"{HEADING}\n\n{line}\n"
        return f"{before}\n\n{section}\n{after}" if after else f"{before}\n\n{section}"
    end = next(
        (n for n in range(heading + 1, len(lines)) if _NEXT_SECTION.match(lines[n])), len(lines)
    )
    last = end
    while last > heading + 1 and not lines[last - 1].strip():
        last -= 1
    insert = [line] if last > heading + 1 else ["", line]
    return "\n".join([*lines[:last], *insert, *lines[last:]])
