"""A Claude Code transcript (`~/.claude/projects/<project>/<session>.jsonl`).

Lines of type `assistant` carry `message.content` blocks, among them
`{"type":"tool_use","id":...,"name":"Bash","input":{"command":...}}`, and
`message.usage` {input_tokens, output_tokens, cache_creation_input_tokens,
cache_read_input_tokens}. Lines of type `user` answer with
`{"type":"tool_result","tool_use_id":...,"content":...,"is_error":bool}`.

Claude Code writes one line per content block while it streams, each with the
message's usage, so usage is counted once per `message.id` (the line with the
most output tokens, the final one). A failed Bash result says `Exit code N` in
its text; one without the number still counts as failed, exit code unknown.
"""

from __future__ import annotations

import re
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
    text_of,
)

# Line types known and not needed here (titles, undo snapshots, queue bookkeeping).
IGNORED = frozenset(
    {
        "summary",
        "system",
        "file-history-snapshot",
        "queue-operation",
        "progress",
    }
)
EDIT_TOOLS = {"Edit": "update", "MultiEdit": "update", "NotebookEdit": "update", "Write": "write"}
_EXIT = re.compile(r"\bExit code:?\s*(-?\d+)")


def parse_claude_code(path: Path) -> Transcript:
    transcript = Transcript("claude-code")
    pending: dict[str, tuple[str, dict[str, Any], int]] = {}  # tool_use id -> (name, input, line)
    answered: set[str] = set()
    usage_by_message: dict[str, Usage] = {}
    for number, event in read_events(path):
        if isinstance(event, Malformed):
            transcript.malformed.append(event)
            continue
        transcript.events += 1
        kind = event.get("type")
        if transcript.source_id is None and isinstance(event.get("sessionId"), str):
            transcript.source_id = event["sessionId"]
        if transcript.cwd is None and isinstance(event.get("cwd"), str):
            transcript.cwd = event["cwd"]
        message = event.get("message")
        if kind == "assistant" and isinstance(message, dict):
            _assistant(transcript, message, pending, answered, usage_by_message, number)
        elif kind == "user" and isinstance(message, dict):
            _user(transcript, message, event.get("toolUseResult"), pending, answered, number)
        elif kind not in IGNORED:
            transcript.skipped[str(kind) if kind is not None else "(no type)"] += 1
    for usage in usage_by_message.values():
        transcript.usage.add(usage)
    for name, tool_input, line in pending.values():
        if name == "Bash":
            transcript.commands.append(
                Command(str(tool_input.get("command", "")), None, "incomplete", line)
            )
    transcript.commands.sort(key=lambda c: c.line)
    return transcript


def _assistant(
    transcript: Transcript,
    message: dict[str, Any],
    pending: dict[str, tuple[str, dict[str, Any], int]],
    answered: set[str],
    usage_by_message: dict[str, Usage],
    number: int,
) -> None:
    usage = message.get("usage")
    if isinstance(usage, dict):
        transcript.usage_known = True
        read = as_int(usage.get("cache_read_input_tokens"))
        write = as_int(usage.get("cache_creation_input_tokens"))
        counted = Usage(
            turns=1,
            input=as_int(usage.get("input_tokens")) + read + write,
            cached_input=read,
            cache_write=write,
            output=as_int(usage.get("output_tokens")),
        )
        key = str(message.get("id") or f"line {number}")
        seen = usage_by_message.get(key)
        if seen is None or counted.output >= seen.output:
            usage_by_message[key] = counted
    for block in message.get("content") or ():
        if isinstance(block, dict) and block.get("type") == "tool_use":
            tool_id = str(block.get("id", ""))
            tool_input = block.get("input")
            if tool_id and tool_id not in answered and isinstance(tool_input, dict):
                pending.setdefault(tool_id, (str(block.get("name", "")), tool_input, number))


def _user(
    transcript: Transcript,
    message: dict[str, Any],
    result_info: Any,
    pending: dict[str, tuple[str, dict[str, Any], int]],
    answered: set[str],
    number: int,
) -> None:
    content = message.get("content")
    if not isinstance(content, list):
        return  # a prompt a person typed
    for block in content:
        if not isinstance(block, dict) or block.get("type") != "tool_result":
            continue
        tool_id = str(block.get("tool_use_id", ""))
        use = pending.pop(tool_id, None)
        if use is None:
            continue  # a duplicate line, or the tool_use was never seen
        answered.add(tool_id)
        name, tool_input, _ = use
        failed = block.get("is_error") is True
        info = result_info if isinstance(result_info, dict) else {}
        if name == "Bash":
            transcript.commands.append(_bash(tool_input, block, info, failed, number))
        elif name in EDIT_TOOLS and not failed:
            target = tool_input.get("file_path") or tool_input.get("notebook_path")
            if isinstance(target, str):
                kind = EDIT_TOOLS[name]
                if kind == "write":
                    kind = "add" if info.get("type") == "create" else "update"
                transcript.files.append(FileChange(target, kind))


def _bash(
    tool_input: dict[str, Any],
    block: dict[str, Any],
    info: dict[str, Any],
    failed: bool,
    number: int,
) -> Command:
    command = str(tool_input.get("command", ""))
    if info.get("interrupted") is True:
        return Command(command, None, "interrupted", number)
    if tool_input.get("run_in_background") is True and not failed:
        return Command(command, None, "background", number)
    if not failed:
        return Command(command, 0, "completed", number)
    match = _EXIT.search(text_of(block.get("content")))
    return Command(command, int(match.group(1)) if match else None, "failed", number)
