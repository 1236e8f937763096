"""A `codex exec --json` stream: one JSON event per line.

    {"type":"thread.started","thread_id":"..."}
    {"type":"turn.started"}
    {"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"...",
     "aggregated_output":"","exit_code":null,"status":"in_progress"}}
    {"type":"item.completed","item":{"id":"item_1","type":"command_execution",...,"exit_code":0,
     "status":"completed"}}
    {"type":"item.completed","item":{"id":"item_2","type":"file_change",
     "changes":[{"path":"src/app.py","kind":"update"}],"status":"completed"}}
    {"type":"turn.completed","usage":{"input_tokens":1200,"cached_input_tokens":200,
     "output_tokens":345}}

Usage is per turn, and `input_tokens` already counts the cached ones. A command
that started but never completed (the agent was killed) is kept as incomplete.
A file change whose patch failed changed nothing and is not listed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from charter.ingest.transcript import (
    Command,
    FileChange,
    Malformed,
    Transcript,
    Usage,
    as_int,
    read_events,
)

# Event and item types this reader knows; those it does not use are known, not "unknown".
EVENTS = frozenset(
    {
        "thread.started",
        "turn.started",
        "turn.completed",
        "turn.failed",
        "item.started",
        "item.updated",
        "item.completed",
        "error",
    }
)
IGNORED_ITEMS = frozenset(
    {
        "agent_message",
        "reasoning",
        "mcp_tool_call",
        "web_search",
        "todo_list",
        "error",
    }
)


def parse_codex(path: Path) -> Transcript:
    transcript = Transcript("codex")
    running: dict[str, tuple[str, int]] = {}  # command item id -> (command, line it started)
    for number, event in read_events(path):
        if isinstance(event, Malformed):
            transcript.malformed.append(event)
            continue
        transcript.events += 1
        kind = event.get("type")
        if kind not in EVENTS:
            transcript.skipped[str(kind) if kind is not None else "(no type)"] += 1
            continue
        if kind == "thread.started":
            if transcript.source_id is None and isinstance(event.get("thread_id"), str):
                transcript.source_id = event["thread_id"]
        elif kind == "turn.completed":
            _usage(transcript, event.get("usage"))
        elif kind == "turn.failed":
            transcript.usage.turns += 1
            transcript.errors.append(_message(event.get("error"), "turn failed"))
        elif kind == "error":
            transcript.errors.append(_message(event, "stream error"))
        elif kind in ("item.started", "item.updated", "item.completed"):
            _item(transcript, running, kind, event.get("item"), number)
    for command, line in running.values():
        transcript.commands.append(Command(command, None, "incomplete", line))
    return transcript


def _usage(transcript: Transcript, usage: Any) -> None:
    transcript.usage.turns += 1
    if not isinstance(usage, dict):
        return
    transcript.usage_known = True
    transcript.usage.add(
        Usage(
            input=as_int(usage.get("input_tokens")),
            cached_input=as_int(usage.get("cached_input_tokens")),
            output=as_int(usage.get("output_tokens")),
        )
    )


def _message(value: Any, default: str) -> str:
    if isinstance(value, dict) and isinstance(value.get("message"), str):
        return str(value["message"])
    return default


def _item(
    transcript: Transcript, running: dict[str, tuple[str, int]], kind: str, item: Any, number: int
) -> None:
    if not isinstance(item, dict):
        transcript.skipped[f"{kind} without an item"] += 1
        return
    item_type = item.get("type")
    item_id = str(item.get("id", ""))
    if item_type == "command_execution":
        command = str(item.get("command", ""))
        if kind != "item.completed":
            running[item_id] = (command, number)
            return
        running.pop(item_id, None)
        exit_code = item.get("exit_code")
        status = str(item.get("status") or "completed")
        code = exit_code if isinstance(exit_code, int) and not isinstance(exit_code, bool) else None
        transcript.commands.append(Command(command, code, status, number))
    elif item_type == "file_change":
        if kind != "item.completed" or item.get("status") == "failed":
            return
        for change in item.get("changes") or ():
            if isinstance(change, dict) and isinstance(change.get("path"), str):
                kind = str(change.get("kind", "update"))
                transcript.files.append(FileChange(change["path"], kind))
    elif item_type not in IGNORED_ITEMS:
        transcript.skipped[f"item:{item_type}"] += 1
