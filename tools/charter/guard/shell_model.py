"""The records of a parsed shell script, and the checks on tree-sitter's raw tree.

`charter.guard.shell` walks the tree into these records: the simple commands
bash would execute (with their accepted redirections) and the problems that
refuse a construct. The raw-tree checks run first: a tree with a parse error,
or text no token covers, is refused before any command is read from it.
"""

from __future__ import annotations

from charter.guard.words import Word

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Redirect:
    """A redirection the guard accepted: a read, an fd duplication, or a write to /dev/null."""

    __slots__ = ("fd", "kind", "op", "target")

    def __init__(self, op: str, fd: str | None, target: str | None, kind: str):
        self.op = op
        self.fd = fd
        self.target = target
        self.kind = kind  # "read" | "dup" | "null"

    def __str__(self) -> str:
        return f"{self.fd or ''}{self.op}{self.target or ''}"


class SimpleCommand:
    """One command bash would execute, with the argv it would pass."""

    __slots__ = ("argv", "isolated", "line", "redirects", "text", "via", "words")

    def __init__(
        self,
        argv: tuple[str, ...],
        words: tuple[Word, ...],
        redirects: tuple[Redirect, ...],
        text: str,
        line: int,
        via: str | None,
    ):
        self.argv = argv
        self.words = words
        self.redirects = redirects
        self.text = text
        self.line = line
        self.via = via  # "bash -c" when it came from an unwrapped shell script
        # run in a subshell, a pipeline or an inner shell: a `cd` here does not
        # move the commands after it in the outer script
        self.isolated = False


class Problem:
    """A construct the guard refuses, with where it is and what to do instead."""

    __slots__ = ("line", "reason", "text")

    def __init__(self, reason: str, text: str, line: int):
        self.reason = reason
        self.text = text
        self.line = line


class Script:
    __slots__ = ("commands", "problems")

    def __init__(self) -> None:
        self.commands: list[SimpleCommand] = []
        self.problems: list[Problem] = []


def text_of(node: Any) -> str:
    return str(node.text.decode("utf-8", "replace"))


def line_of(node: Any) -> int:
    return int(node.start_point[0]) + 1


def parse_error(root: Any) -> Problem:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_missing:
            return Problem(
                f"the command does not parse: missing {node.type!r} "
                f"(line {line_of(node)}, column {node.start_point[1] + 1})",
                text_of(node.parent or root)[:80],
                line_of(node),
            )
        if node.type == "ERROR":
            return Problem(
                f"the command does not parse near {text_of(node)[:40]!r} "
                f"(line {line_of(node)}, column {node.start_point[1] + 1})",
                text_of(node)[:80],
                line_of(node),
            )
        stack.extend(reversed(node.children))
    return Problem("the command does not parse", text_of(root)[:80], 1)


def uncovered_text(root: Any, data: bytes) -> Problem | None:
    """Text no token covers (a line continuation, say) is text bash may read differently."""
    position = 0
    stack = [root]
    while stack:
        node = stack.pop()
        if node.child_count:
            stack.extend(reversed(node.children))
            continue
        gap = data[position : node.start_byte]
        if gap.strip(b" \t\n"):
            return gap_problem(gap, data, position)
        position = max(position, node.end_byte)
    gap = data[position:]
    if gap.strip(b" \t\n"):
        return gap_problem(gap, data, position)
    return None


def gap_problem(gap: bytes, data: bytes, position: int) -> Problem:
    line = data.count(b"\n", 0, position) + 1
    if b"\\" in gap:
        reason = "a backslash line continuation is not allowed: write the command on one line"
    else:
        reason = f"the parser skipped {gap.decode('utf-8', 'replace').strip()[:20]!r}"
    return Problem(reason, gap.decode("utf-8", "replace")[:80], line)
