"""A file-tool edit of a plan's lines that belong to a task another agent has claimed.

When several agents share a repository, each holds its tasks by claim
(`refs/charter/claims/<ID>`, docs/parallel.md). An agent's Write, Edit or MultiEdit (and a
Codex patch: charter.guard.claimed_patch) of a plan file is refused when it changes
the lines of a task someone else holds:
the task's list item with its nested lines, its table row, or its heading's section.
The agent is the active session's (`charter session start --agent`), else
`$CHARTER_AGENT`, else user@host:worktree, the name its own claims are taken under.

The check costs nothing for files that are not Markdown, edits that change nothing,
and plans whose changed lines hold no task; only then are the claims read. Claims that
cannot be read (an unreachable claims remote, a damaged claim) deny the edit: the
guard fails closed. Standard library, charter's configuration and its claims only:
no Markdown parser (a line scan finds the sections).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from charter.config import Config

_MARKDOWN = (".md", ".markdown")
_LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+")
_TABLE_ROW = re.compile(r"^[ \t]*\|")
_LEAD_MARKUP = "*_`~[ \t"


def edited_text(tool: str, tool_input: dict[str, Any], old: str) -> str | None:
    """The file's text after the tool runs; None when the tool would fail (its old text
    is not in the file) or is not an editing tool."""
    if tool == "Write":
        content = tool_input.get("content")
        return content if isinstance(content, str) else None
    if tool == "Edit":
        edits: Any = [tool_input]
    elif tool == "MultiEdit":
        edits = tool_input.get("edits")
    else:
        return None
    if not isinstance(edits, list):
        return None
    text = old
    for edit in edits:
        if not isinstance(edit, dict):
            return None
        before, after = edit.get("old_string"), edit.get("new_string")
        if not isinstance(before, str) or not isinstance(after, str) or before not in text:
            return None
        count = -1 if edit.get("replace_all") is True else 1
        text = text.replace(before, after, count)
    return text


def task_sections(text: str, id_re: re.Pattern[str]) -> list[tuple[str, int, int]]:
    """(task ID, first line, end line) of every task written in `text`: 0-based, end
    exclusive. A list item spans its nested lines; a heading, its section; a row, itself."""
    lines = text.splitlines()
    found = []
    for number, line in enumerate(lines):
        item = _LIST_ITEM.match(line)
        heading = _HEADING.match(line) if item is None else None
        if item is not None or heading is not None:
            start = (item or heading).end()  # type: ignore[union-attr]
            task = id_re.match(line[start:].lstrip(_LEAD_MARKUP))
        elif _TABLE_ROW.match(line):
            cells = [c.strip().strip(_LEAD_MARKUP) for c in line.strip().strip("|").split("|")]
            task = next((m for m in (id_re.fullmatch(c) for c in cells[:2]) if m), None)
        else:
            continue
        if task is None:
            continue
        if item is not None:
            end = _item_end(lines, number, len(item.group("indent").expandtabs(4)))
        elif heading is not None:
            end = _heading_end(lines, number, len(heading.group("hashes")))
        else:
            end = number + 1
        found.append((task.group(0), number, end))
    return found


def _item_end(lines: list[str], start: int, indent: int) -> int:
    end = start + 1
    for number in range(start + 1, len(lines)):
        line = lines[number]
        if not line.strip():
            continue
        if len(line) - len(line.lstrip(" \t")) <= indent:
            break
        end = number + 1
    return end


def _heading_end(lines: list[str], start: int, level: int) -> int:
    for number in range(start + 1, len(lines)):
        found = _HEADING.match(lines[number])
        if found is not None and len(found.group("hashes")) <= level:
            return number
    return len(lines)


def changed_lines(old: str, new: str) -> list[tuple[int, int, int, int]]:
    """What an edit replaces: (old start, old end, new start, new end) line ranges."""
    import difflib  # lazy: only plan edits are diffed

    matcher = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False)
    return [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def touched_tasks(old: str, new: str, id_re: re.Pattern[str]) -> dict[str, tuple[int, int]]:
    """The tasks whose lines the edit changes: task ID -> its lines (old text, else new).

    A task is touched when a replaced or deleted line lies in its section before the edit,
    or an inserted line lies in its section after it (a field added below its last line
    belongs to it; a new task added after it does not)."""
    changes = changed_lines(old, new)
    found: dict[str, tuple[int, int]] = {}
    for task_id, start, end in task_sections(old, id_re):
        if any(i1 < end and i2 > start for i1, i2, _j1, _j2 in changes):
            found.setdefault(task_id, (start, end))
    for task_id, start, end in task_sections(new, id_re):
        if any(j1 < end and j2 > start for _i1, _i2, j1, j2 in changes):
            found.setdefault(task_id, (start, end))
    return found


# What an edit does to a plan when the guard cannot tell which lines it changes (a file
# deleted or moved away, a patch whose context is not found): every task in it is touched.
WHOLE_FILE = "\0whole file\0"


def claimed_section_reason(
    root: str, cwd: str, tool: str, tool_input: dict[str, Any], path: str
) -> str | None:
    """Why this file-tool write may not run: it changes a task another agent holds."""
    return plan_edit_reason(root, cwd, path, lambda old: edited_text(tool, tool_input, old))


def plan_edit_reason(
    root: str, cwd: str, path: str, edit: Callable[[str], str | None]
) -> str | None:
    """Why an edit of `path` may not run. `edit(old text)` is the text after it, None when
    there is nothing to judge (the tool would fail), or WHOLE_FILE."""
    full = os.path.realpath(os.path.join(cwd, path))
    if not full.lower().endswith(_MARKDOWN):
        return None
    rel = os.path.relpath(full, os.path.realpath(root)).replace(os.sep, "/")
    if rel.startswith("../"):
        return None
    try:
        with open(full, encoding="utf-8", newline="") as handle:
            old = handle.read()
    except FileNotFoundError:
        return None  # a new file holds no task anyone claimed
    except (OSError, UnicodeDecodeError) as exc:
        return f"{rel} cannot be read to see whose tasks the edit changes ({exc})"
    new = edit(old)
    if new is None or new == old:
        return None
    from charter.config import load_config  # lazy: plan edits only
    from charter.errors import CharterError  # lazy: plan edits only

    try:
        config = load_config(Path(root))
        # The text diff first: most Markdown edits touch no task line, and then the
        # repository's plans are never listed.
        touched = _touched(config, old, new)
        if not touched or not _is_plan(config, rel):
            return None
        return _claimed_reason(config, rel, touched)
    except CharterError as exc:
        return f"{rel}: whose tasks the edit changes cannot be checked: {exc}"


def _is_plan(config: Config, rel: str) -> bool:
    from charter.files import plan_listing  # lazy: plan edits only

    return any(found == rel for found, _full in plan_listing(config))


def _touched(config: Config, old: str, new: str) -> dict[str, tuple[int, int]]:
    """The tasks (ID -> first line, end) whose lines the edit changes."""
    if new == WHOLE_FILE:
        return {task: (start, end) for task, start, end in task_sections(old, config.id_re)}
    return touched_tasks(old, new, config.id_re)


def _claimed_reason(config: Config, rel: str, touched: dict[str, tuple[int, int]]) -> str | None:
    from charter.claims import ops  # lazy: edits of a plan's task lines only

    live = ops.live_claims(ops.store_for(config))
    me = _agent(config)
    for task_id, (start, end) in sorted(touched.items()):
        holder = live.get(task_id)
        if holder is None or holder.agent == me:
            continue
        return (
            f"the edit changes {task_id} ({rel}:{start + 1}-{end}), which {holder.agent} holds "
            f"until {holder.expires_at} (host {holder.host}); you are {me}: edit the tasks you "
            f"hold, or ask {holder.agent} to release {task_id} (`charter task claims` lists "
            "who holds what)"
        )
    return None


def _agent(config: Config) -> str:
    from charter.claims.record import default_agent  # lazy: plan edits only
    from charter.state.active import read_active_session  # lazy: plan edits only

    active = read_active_session(str(config.root)) or {}
    named = active.get("agent")
    if isinstance(named, str) and named not in ("", "unknown"):
        return named
    return default_agent(config.root.resolve())
