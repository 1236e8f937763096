"""Codex's apply_patch judged like a file-tool edit of a plan (charter.guard.claimed_sections).

Each file of the patch is applied to the file on disk, hunk by hunk, to see which lines it
changes: a hunk's context and removed lines are looked for in order, exactly, then with
trailing and then all surrounding whitespace ignored (Codex's own matcher is as lenient).
When a hunk is not found, or the file is deleted or moved away, every task in it counts as
touched: the guard cannot tell which lines change, so it assumes all of them (fail closed).
"""

from __future__ import annotations

from charter.guard.claimed_sections import WHOLE_FILE, plan_edit_reason

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

_FILE_MARKERS = ("*** add file:", "*** delete file:", "*** update file:")


class _FilePatch:
    __slots__ = ("hunks", "kind", "moved", "path")

    def __init__(self, kind: str, path: str):
        self.kind = kind  # add, delete, update
        self.path = path
        self.moved = False
        self.hunks: list[list[str]] = []


def file_patches(text: str) -> list[_FilePatch]:
    """The files of a patch `charter.guard.patch.patch_paths` has read, with their hunks."""
    found: list[_FilePatch] = []
    current: _FilePatch | None = None
    for line in (raw.removesuffix("\r") for raw in text.strip().split("\n")):
        lowered = line.strip().lower()
        marker = next((m for m in _FILE_MARKERS if lowered.startswith(m)), None)
        if marker is not None:
            current = _FilePatch(marker[4:-6], line.strip()[len(marker) :].strip())
            current.hunks.append([])
            found.append(current)
        elif current is None or lowered.startswith("*** "):
            if current is not None and lowered.startswith("*** move to:"):
                current.moved = True
        elif line.startswith("@@"):
            current.hunks.append([])
        elif line[:1] in (" ", "-", "+") or line == "":
            current.hunks[-1].append(line or " ")
    return found


def _find(lines: list[str], chunk: list[str], start: int) -> int | None:
    for normal in (lambda s: s, str.rstrip, str.strip):
        wanted = [normal(x) for x in chunk]
        for at in range(start, len(lines) - len(chunk) + 1):
            if [normal(x) for x in lines[at : at + len(chunk)]] == wanted:
                return at
    return None


def applied(old: str, hunks: list[list[str]]) -> str:
    """`old` with the hunks applied, or WHOLE_FILE when a hunk cannot be placed."""
    lines = old.splitlines()
    position = 0
    for hunk in hunks:
        if not hunk:
            continue
        before = [line[1:] for line in hunk if line[0] in " -"]
        after = [line[1:] for line in hunk if line[0] in " +"]
        at = len(lines) if not before else _find(lines, before, position)
        if at is None:
            return WHOLE_FILE
        lines[at : at + len(before)] = after
        position = at + len(after)
    return "\n".join(lines) + ("\n" if old.endswith("\n") or not old else "")


def _replaced_by(content: str) -> Callable[[str], str]:
    return lambda _old: content


def _applying(hunks: list[list[str]]) -> Callable[[str], str]:
    return lambda old: applied(old, hunks)


def patch_claim_reason(root: str, cwd: str, text: str) -> str | None:
    """Why a Codex patch may not run: it changes a plan's task another agent holds."""
    for patch in file_patches(text):
        if patch.kind == "delete" or patch.moved:
            reason = plan_edit_reason(root, cwd, patch.path, lambda old: WHOLE_FILE)
        elif patch.kind == "add":  # over an existing plan: a Write of its + lines
            content = "\n".join(line[1:] for hunk in patch.hunks for line in hunk) + "\n"
            reason = plan_edit_reason(root, cwd, patch.path, _replaced_by(content))
        else:
            reason = plan_edit_reason(root, cwd, patch.path, _applying(patch.hunks))
        if reason is not None:
            return reason
    return None
