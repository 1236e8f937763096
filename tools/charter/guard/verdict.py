"""The decision on one simple command, and how argvs are shown in reasons."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from charter.guard.shell import Problem, SimpleCommand

_SAFE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_")


class Verdict:
    """The decision on one simple command."""

    __slots__ = ("allowed", "argv", "level", "line", "network", "reason", "rule", "text", "via")

    def __init__(
        self,
        command: SimpleCommand,
        *,
        allowed: bool,
        rule: str,
        reason: str,
        level: str | None = None,
    ):
        self.argv = command.argv
        self.text = command.text
        self.line = command.line
        self.via = command.via
        self.allowed = allowed
        self.rule = rule
        self.reason = reason
        self.level = level
        # a network command: the hosts it reaches (empty when they could not be proven)
        self.network: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        extra: dict[str, Any] = {} if self.network is None else {"network": self.network}
        return {
            **extra,
            "argv": list(self.argv),
            "decision": "allow" if self.allowed else "deny",
            "rule": self.rule,
            "reason": self.reason,
            "level": self.level,
            "line": self.line,
            "via": self.via,
        }


def problem_reason(problem: Problem) -> str:
    text = problem.text.strip()
    if text and len(text) <= 60 and text.isprintable() and text not in problem.reason:
        return f"{text}: {problem.reason}"
    return problem.reason


def quote(word: str) -> str:
    """POSIX shell quoting, so an argv can be checked as the script that runs it."""
    if word and all(char in _SAFE_CHARS for char in word):
        return word
    return "'" + word.replace("'", "'\"'\"'") + "'"


def display(argv: Sequence[str]) -> str:
    return " ".join(quote(word) for word in argv)
