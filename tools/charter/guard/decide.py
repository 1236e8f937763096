"""The allow/deny decision for one command, string or argv.

A command is allowed only when it parses, every simple command in it is
allowed on its own, and nothing in it is refused: deny rules beat allow rules,
and anything no allow rule of the level matches is denied. The decision
records, per simple command, the argv that will run and the rule that decided
it, so it can be explained and so `charter run` can execute what was checked.
"""

from __future__ import annotations

from charter.guard import builtin, rules
from charter.guard.chars import input_problem
from charter.guard.paths import PathRules
from charter.guard.protected import path_rules
from charter.guard.shell import Problem, SimpleCommand, parse_script

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from charter.guard.context import GuardContext

_SAFE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_")


class Verdict:
    """The decision on one simple command."""

    __slots__ = ("allowed", "argv", "level", "line", "reason", "rule", "text", "via")

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

    def to_dict(self) -> dict[str, Any]:
        return {
            "argv": list(self.argv),
            "decision": "allow" if self.allowed else "deny",
            "rule": self.rule,
            "reason": self.reason,
            "level": self.level,
            "line": self.line,
            "via": self.via,
        }


class Decision:
    __slots__ = (
        "allowed",
        "level",
        "level_source",
        "mode",
        "problems",
        "reason",
        "source",
        "verdicts",
    )

    def __init__(
        self,
        *,
        mode: str,
        source: str | list[str],
        level: str | None,
        level_source: str,
        verdicts: list[Verdict],
        problems: list[Problem],
        reason: str | None = None,
    ):
        self.mode = mode  # "argv" (exec) or "string" (bash -c)
        self.source = source
        self.level = level
        self.level_source = level_source
        self.verdicts = verdicts
        self.problems = problems
        denied = [v for v in verdicts if not v.allowed]
        self.allowed = reason is None and not problems and not denied and bool(verdicts)
        if reason is not None:
            self.reason = reason
        elif problems:
            self.reason = _problem_reason(problems[0])
        elif denied:
            self.reason = f"{_display(denied[0].argv)}: {denied[0].reason}"
        elif not verdicts:
            self.reason = "the command is empty"
        else:
            self.reason = "every command is allowed"

    @property
    def rule(self) -> str:
        """The rules that decided, for logs: the first refusal, or every allow rule used."""
        if not self.allowed:
            for verdict in self.verdicts:
                if not verdict.allowed:
                    return verdict.rule
            return "refused: " + (self.problems[0].reason if self.problems else self.reason)
        return "; ".join(dict.fromkeys(v.rule for v in self.verdicts))

    @property
    def argvs(self) -> list[tuple[str, ...]]:
        """The argv of every simple command that may run, in order."""
        return [v.argv for v in self.verdicts]

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": "allow" if self.allowed else "deny",
            "reason": self.reason,
            "level": self.level,
            "level_source": self.level_source,
            "mode": self.mode,
            "command": self.source,
            "commands": [verdict.to_dict() for verdict in self.verdicts],
            "problems": [
                {"reason": p.reason, "text": p.text, "line": p.line} for p in self.problems
            ],
        }


def _problem_reason(problem: Problem) -> str:
    text = problem.text.strip()
    if text and len(text) <= 60 and text.isprintable() and text not in problem.reason:
        return f"{text}: {problem.reason}"
    return problem.reason


def quote(word: str) -> str:
    """POSIX shell quoting, so an argv can be checked as the script that runs it."""
    if word and all(char in _SAFE_CHARS for char in word):
        return word
    return "'" + word.replace("'", "'\"'\"'") + "'"


def _display(argv: Sequence[str]) -> str:
    return " ".join(quote(word) for word in argv)


def deny_all(level: str | None, source: str | list[str], mode: str, reason: str) -> Decision:
    """A refusal that does not depend on the command (a broken policy, a damaged session)."""
    return Decision(
        mode=mode,
        source=source,
        level=level,
        level_source="",
        verdicts=[],
        problems=[],
        reason=reason,
    )


def classify(command: str | bytes | Sequence[str], ctx: GuardContext) -> Decision:
    """Allow or deny `command` at the context's level. Never raises on any input."""
    mode = "string"
    source: str | list[str]
    if isinstance(command, bytes):
        try:
            text = command.decode("utf-8")
        except UnicodeDecodeError:
            return _refuse(ctx, "<bytes>", mode, "the command is not valid UTF-8")
        source = text
    elif isinstance(command, str):
        text = source = command
    else:
        mode = "argv"
        source = [str(word) for word in command]
        if not source:
            return _refuse(ctx, source, mode, "the command is empty")
        for word in source:
            problem = input_problem(word) if word.strip() else None
            if problem is not None:
                return _refuse(ctx, source, mode, f"argument {word[:40]!r}: {problem}")
        # An argv is checked as the script `bash -c` would need to run it, quoted
        # word by word: one parser, one set of rules, for both ways in.
        text = " ".join(quote(word) for word in source)
    script = parse_script(text)
    if script.problems:
        return Decision(
            mode=mode,
            source=source,
            level=ctx.level,
            level_source=ctx.level_source,
            verdicts=[],
            problems=script.problems,
        )
    paths = path_rules(ctx.policy, ctx.root, ctx.cwd)
    many = len(script.commands) > 1
    verdicts = [judge(cmd, ctx, paths, many=many) for cmd in script.commands]
    return Decision(
        mode=mode,
        source=source,
        level=ctx.level,
        level_source=ctx.level_source,
        verdicts=verdicts,
        problems=[],
    )


def _refuse(ctx: GuardContext, source: str | list[str], mode: str, reason: str) -> Decision:
    problem = Problem(reason, str(source)[:80], 1)
    return Decision(
        mode=mode,
        source=source,
        level=ctx.level,
        level_source=ctx.level_source,
        verdicts=[],
        problems=[problem],
    )


def judge(command: SimpleCommand, ctx: GuardContext, paths: PathRules, *, many: bool) -> Verdict:
    """The verdict on one simple command: built-in rules, deny rules, paths, then allow rules."""
    argv = command.argv
    name = argv[0]

    def deny(rule: str, reason: str) -> Verdict:
        return Verdict(command, allowed=False, rule=rule, reason=reason)

    if "/" in name:
        return deny(
            "built-in: path as command",
            f"a path as the command name ({name}) is not allowed: run commands by name from PATH",
        )
    if not rules.is_name(name):
        return deny("built-in: command name", f"{name!r} is not a plain command name")
    denial = builtin.builtin_denial(argv, nested=command.via is not None)
    if denial is not None:
        return deny("built-in", denial)
    for tokens in ctx.policy.deny:
        if rules.deny_matches(tokens, argv):
            pattern = " ".join(tokens)
            return deny(f"deny: {pattern}", f"denied by the policy rule {pattern!r}")
    reason = _path_reason(command, paths)
    if reason is not None:
        return deny("built-in: paths", reason)
    if name in builtin.CHANGES_DIRECTORY and many:
        return deny(
            "built-in: cd",
            f"`{name}` combined with other commands is not allowed: run it on its own, so "
            "each later command is checked from the directory it runs in",
        )
    return _allow(command, ctx)


# git's names for commits (`git reset HEAD`, `git revert HEAD`) are revisions, not the
# protected work-tree file HEAD, except after `--` and where git makes a file of them
_GIT_REVISIONS = frozenset({"HEAD", "ORIG_HEAD", "FETCH_HEAD", "MERGE_HEAD", "CHERRY_PICK_HEAD"})


# Readers that never open their arguments: naming a path outside the repository reads nothing
_NO_FILE_ARGS = frozenset({
    "echo", "printf", "basename", "dirname", "true", "false", "pwd", "whoami", "id", "uname",
    "date", "printenv", "which",
})  # fmt: skip


def _git_revisions(argv: Sequence[str]) -> set[int]:
    """The positions of git's commit names in `argv`, which are not paths."""
    if argv[0] != "git" or rules.git_subcommand(argv) in ("mv", "add"):
        return set()
    end = argv.index("--") if "--" in argv else len(argv)
    return {index for index in range(1, end) if argv[index] in _GIT_REVISIONS}


def _path_reason(command: SimpleCommand, paths: PathRules) -> str | None:
    argv = command.argv
    writes = not builtin.is_read_only(argv)
    destructive = argv[0] in builtin.DESTRUCTIVE
    revisions = _git_revisions(argv) if writes else set()
    for index, arg in enumerate(argv[1:], start=1):
        reason = paths.forbidden_reason(arg)
        if index in revisions:
            pass  # a revision: git writes no file of that name
        elif reason is None and writes:
            reason = paths.write_reason(arg, destructive=destructive)
        elif reason is None and argv[0] not in _NO_FILE_ARGS:
            reason = paths.read_reason(arg, existing_only=True)
        if reason is not None:
            return reason
    for redirect in command.redirects:
        if redirect.kind == "read" and redirect.target is not None:
            reason = paths.forbidden_reason(redirect.target) or paths.read_reason(
                redirect.target, existing_only=True
            )
            if reason is not None:
                return f"redirection from {reason}"
    return None


def _allow(command: SimpleCommand, ctx: GuardContext) -> Verdict:
    argv = builtin.for_allow_rules(command.argv)
    policy = ctx.policy
    matches = policy.matching_rules(ctx.level, argv)
    unmet: list[str] = []
    best: tuple[str, list[str]] | None = None
    for level, tokens in matches:
        missing = [
            f"{key}={value}"
            for key, value in policy.levels[level]["env"].items()
            if ctx.env.get(key) != value
        ]
        if missing:
            unmet.extend(missing)
            continue
        if best is None or len(tokens) > len(best[1]):
            best = (level, tokens)
    if best is not None:
        level, tokens = best
        pattern = " ".join(tokens)
        return Verdict(
            command,
            allowed=True,
            rule=f"{level} allow: {pattern}",
            reason=f"allowed at {level} by {pattern!r}",
            level=level,
        )
    if unmet:
        needed = ", ".join(dict.fromkeys(unmet))
        return Verdict(
            command,
            allowed=False,
            rule="env opt-in",
            reason=f"allowed at {ctx.level} only with the operator's opt-in: set {needed}",
        )
    hint = ""
    higher = policy.lowest_level_allowing(argv)
    if higher is not None and higher not in policy.chain(ctx.level):
        hint = f"; level {higher} allows it"
        if policy.default_level in policy.chain(higher) and higher != policy.default_level:
            hint += f" (a session at {higher} needs an operator's approval)"
    return Verdict(
        command,
        allowed=False,
        rule="no allow rule",
        reason=f"no allow rule of level {ctx.level} matches{hint}",
    )
