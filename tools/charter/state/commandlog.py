"""The commands of a session: one JSON line each, and a table in the session log.

`charter run` records every command it was asked to run (command, exit code,
duration, decision and rule) in `.charter/sessions/<id>/commands.jsonl`; the
guard's audit trail (`charter.state.auditlog`, `guard.jsonl`) holds every other
decision (the agent's hooks, `charter guard`) and the exit codes its post-tool
hooks reported. When the session log holds a `<!-- charter:begin commands -->`
region, the region is rewritten as one Markdown table of both, oldest first,
under the same lock: at every `charter run`, `session status` and `session end`.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any

from charter.errors import CharterError
from charter.io import locked, read_text, write_text_atomic
from charter.jsonlines import read_objects
from charter.stamps import find_region, replace_region
from charter.state.active import read_active_session
from charter.state.auditlog import audit_path

SESSIONS_DIR = ".charter/sessions"
REGION = "commands"
NETWORK_REGION = "network"  # the network commands, with their hosts (guard/network)


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
            _update_table(root, log, read_trail(root, session["id"]))


def fold_commands(root: Path) -> int:
    """Rewrite the active session log's commands table from both logs; the rows written
    (0 without an active session, a commands region, or anything recorded: then the
    region is left as the person wrote it)."""
    session = read_active_session(str(root))
    if session is None:
        return 0
    path = commands_path(root, session["id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path):
        log = _session_log(root, session)
        records = read_trail(root, session["id"])
        if records and log is not None and _update_table(root, log, records):
            return len(records)
    return 0


def read_commands(root: Path, session_id: str) -> list[dict[str, Any]]:
    """Every command `charter run` recorded for a session, oldest first."""
    return read_objects(commands_path(root, session_id), "a record")


def read_trail(root: Path, session_id: str) -> list[dict[str, Any]]:
    """Every guard decision of a session, oldest first: `charter run`'s records and the
    audit trail's decisions, each with the exit code its post-tool hook reported."""
    records = [{**r, "via": r.get("via", "run")} for r in read_commands(root, session_id)]
    audit = read_objects(Path(audit_path(str(root), session_id)), "an audit record")
    decisions: list[dict[str, Any]] = []
    for entry in audit:
        if entry.get("kind") == "exit":
            _attach_exit(decisions, entry)
        else:
            decisions.append(dict(entry))
    merged = records + decisions
    # by second, then by the precise clock where a record has it; a stable sort keeps
    # the order each log wrote them in otherwise
    merged.sort(key=lambda r: (str(r.get("started", "")), _clock(r)))
    return merged


def _clock(record: dict[str, Any]) -> float:
    value = record.get("t")
    return float(value) if isinstance(value, int | float) else 0.0


def _attach_exit(decisions: list[dict[str, Any]], entry: dict[str, Any]) -> None:
    """The outcome goes to the latest allowed decision on the same command still without one;
    an outcome with no such decision (the hook ran outside the guard) gets its own row."""
    outcome = entry.get("exit_code")
    if outcome is None:
        outcome = entry.get("outcome")
    for decision in reversed(decisions):
        if (
            decision.get("command") == entry.get("command")
            and decision.get("decision") == "allow"
            and "exit_code" not in decision
        ):
            decision["exit_code"] = outcome
            return
    decisions.append(
        {
            "command": entry.get("command"),
            "exit_code": outcome,
            "decision": "(not seen by the guard)",
            "via": entry.get("via"),
            "started": entry.get("at", ""),
        }
    )


def render_table(records: list[dict[str, Any]], links_from: str = "") -> str:
    """The commands table; `links_from` is the log's folder (repository-relative), so the
    links to kept output resolve from the log."""
    lines = [
        "| # | Started | Via | Command | Exit | Duration | Decision | Level | Rule |",
        "|---|---------|-----|---------|------|----------|----------|-------|------|",
    ]
    for number, record in enumerate(records, 1):
        exit_code = record.get("exit_code")
        duration = record.get("duration_s")
        output = record.get("output")
        exit_cell = "" if exit_code is None else str(exit_code)
        if isinstance(output, str) and output:
            link = posixpath.relpath(output, links_from or ".")
            exit_cell += f" ([output]({link}))"
        cells = [
            str(number),
            _cell(str(record.get("started", ""))),
            _cell(str(record.get("via", "run"))),
            _code(str(record.get("command", ""))),
            _cell(exit_cell),
            "" if duration is None else f"{float(duration):.2f} s",
            _cell(str(record.get("decision", ""))),
            _cell(str(record.get("level") or "")),
            _cell(str(record.get("rule") or "")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render_network(records: list[dict[str, Any]]) -> str:
    """The network section: one row per network command of the session, allowed or denied,
    with the hosts it reaches ("unproven" when the guard could not tell)."""
    lines = [
        "| # | Started | Via | Hosts | Command | Decision | Rule |",
        "|---|---------|-----|-------|---------|----------|------|",
    ]
    number = 0
    for record in records:
        entries = record.get("network")
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            number += 1
            hosts = entry.get("hosts")
            shown = ", ".join(str(h) for h in hosts) if isinstance(hosts, list) else ""
            cells = [
                str(number),
                _cell(str(record.get("started", ""))),
                _cell(str(record.get("via", "run"))),
                _cell(shown or "unproven"),
                _code(str(entry.get("command", ""))),
                _cell(str(entry.get("decision", ""))),
                _cell(str(entry.get("rule") or "")),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    if number == 0:
        return "No network command in this session.\n"
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


def _update_table(root: Path, log: Path, records: list[dict[str, Any]]) -> bool:
    """Whether the log has a commands region (rewritten when it changed)."""
    folder = log.parent.relative_to(root.resolve()).as_posix()
    with locked(log):
        text = read_text(log)
        if text is None or find_region(text, REGION) is None:
            return False
        updated = replace_region(text, REGION, render_table(records, folder), log)
        if find_region(updated, NETWORK_REGION) is not None:
            updated = replace_region(updated, NETWORK_REGION, render_network(records), log)
        if updated != text:
            write_text_atomic(log, updated)
        return True


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
