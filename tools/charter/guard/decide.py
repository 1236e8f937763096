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
from charter.guard.grammar import judge as programs
from charter.guard.grammar import match
from charter.guard.grammar.globs import GlobError, expand
from charter.guard.grammar.programs import Reading, python_module, read_argv
from charter.guard.paths import ALWAYS_PROTECTED, PathRules
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
    verdicts = judge_script(script.commands, ctx)
    return Decision(
        mode=mode,
        source=source,
        level=ctx.level,
        level_source=ctx.level_source,
        verdicts=verdicts,
        problems=[],
    )


def judge_script(commands: Sequence[SimpleCommand], ctx: GuardContext) -> list[Verdict]:
    """Verdicts in order, following `cd`: a later command is judged from every directory
    it may run in (the one before a `cd` too, since a failed `cd` leaves it unchanged)."""
    cwds = [ctx.cwd]
    rules_by_cwd: dict[str, PathRules] = {}

    def paths_for(cwd: str) -> PathRules:
        if cwd not in rules_by_cwd:
            rules_by_cwd[cwd] = PathRules(
                ctx.root,
                cwd,
                ctx.policy.forbidden,
                (*ALWAYS_PROTECTED, ctx.policy.path, *ctx.policy.protected),
            )
        return rules_by_cwd[cwd]

    verdicts = []
    for index, command in enumerate(commands):
        if command.argv[0] == "cd":
            verdict, moved = _cd(command, ctx, [paths_for(cwd) for cwd in cwds])
            verdicts.append(verdict)
            if index == 0 and moved and not command.isolated and all(map(_enterable, moved)):
                # nothing ran before it: the directory is there, so `cd` succeeds
                cwds = moved
            else:
                cwds = list(dict.fromkeys([*cwds, *moved]))
            continue
        verdict = _judge_here(command, ctx, paths_for(cwds[0]))
        for cwd in cwds[1:]:
            if not verdict.allowed:
                break
            verdict = _judge_here(command, ctx, paths_for(cwd))
        verdicts.append(verdict)
    return verdicts


def _enterable(path: str) -> bool:
    import os

    return os.path.isdir(path) and os.access(path, os.X_OK)


def _judge_here(command: SimpleCommand, ctx: GuardContext, paths: PathRules) -> Verdict:
    """The verdict in one working directory, unquoted globs expanded there."""
    if not any(word.glob for word in command.words):
        return judge(command, ctx, paths)
    predicted: list[str] = []
    widest: list[str] = []
    for word, value in zip(command.words, command.argv, strict=False):
        if not word.glob:
            predicted.append(value)
            widest.append(value)
            continue
        if not predicted:
            return Verdict(command, allowed=False, rule="built-in: glob",
                           reason="a glob as the command name is not allowed")  # fmt: skip
        try:
            narrow, wide = expand(value, paths.cwd, ctx.root)
        except GlobError as exc:
            return Verdict(command, allowed=False, rule="built-in: glob", reason=str(exc))
        predicted.extend(narrow)
        widest.extend(wide or [value])
    judged = SimpleCommand(tuple(widest), (), command.redirects, command.text, command.line,
                           command.via)  # fmt: skip
    verdict = judge(judged, ctx, paths)
    verdict.argv = tuple(predicted)
    return verdict


def _cd(
    command: SimpleCommand, ctx: GuardContext, places: list[PathRules]
) -> tuple[Verdict, list[str]]:
    """`cd DIR` inside the repository is allowed at every level: it changes no file."""
    import os

    def deny(reason: str) -> tuple[Verdict, list[str]]:
        return Verdict(command, allowed=False, rule="built-in: cd", reason=reason), []

    if any(word.glob for word in command.words):
        return deny("`cd` to a glob is not allowed: write the directory out")
    operands = [arg for arg in command.argv[1:] if arg not in ("-P", "-L", "--")]
    if len(operands) != 1 or operands[0] in ("-", "") or operands[0].startswith("-"):
        return deny("`cd` needs exactly one directory, written out (no `cd`, `cd -`, options)")
    target = operands[0]
    if (
        ctx.env.get("CDPATH")
        and not target.startswith(("/", "./", "../"))
        and target
        not in (
            ".",
            "..",
        )
    ):
        return deny("CDPATH is set, so `cd NAME` may go elsewhere: write `cd ./NAME`")
    moved = []
    for paths in places:
        destination = os.path.normpath(os.path.join(paths.cwd, target))
        if paths.relative(os.path.realpath(destination)) is None:
            return deny(
                f"`cd {target}` leaves the repository: commands run from inside it, where "
                "the policy applies"
            )
        reason = paths.forbidden_reason(target)
        if reason is not None:
            return deny(reason)
        moved.append(destination)
    verdict = Verdict(
        command,
        allowed=True,
        rule="built-in: cd",
        reason="`cd` inside the repository: later commands are judged from there",
        level=ctx.level,
    )
    return verdict, moved


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


def judge(command: SimpleCommand, ctx: GuardContext, paths: PathRules) -> Verdict:
    """The verdict on one simple command: built-in rules, the program's grammar, deny rules,
    paths, then allow rules."""
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
    inner = _wrapped(command, ctx, paths)
    if inner is not None:
        return inner
    module = python_module(argv)
    program = list(argv[module:]) if module is not None else list(argv)
    reading = read_argv(program)
    denial = builtin.builtin_denial(argv, nested=command.via is not None, reading=reading)
    if denial is not None:
        return deny("built-in", denial)
    for tokens in ctx.policy.deny:
        hit = match.deny_matches(tokens, program, reading)
        if module is not None:
            hit = hit or rules.deny_matches(tokens, argv)
        if hit:
            pattern = " ".join(tokens)
            return deny(f"deny: {pattern}", f"denied by the policy rule {pattern!r}")
    reason = _path_reason(command, paths, reading)
    if reason is not None:
        return deny("built-in: paths", reason)
    stdin = next((r.target for r in command.redirects if r.kind == "read"), None)
    denial = programs.reading_denial(reading, programs.Facts(paths, ctx.env, stdin))
    if denial is not None:
        return deny("built-in: arguments", denial)
    if name in builtin.CHANGES_DIRECTORY:
        return deny(
            "built-in: cd",
            f"`{name}` is not allowed: use `cd DIR`, which the guard follows",
        )
    return _allow(command, ctx, reading if module is None else None)


_DURATION = frozenset("0123456789.smhd")


def _wrapped(command: SimpleCommand, ctx: GuardContext, paths: PathRules) -> Verdict | None:
    """`timeout DURATION CMD` and `charter run CMD` are judged as CMD (None: not a wrapper)."""
    argv = command.argv
    inner: list[str] | None = None
    script: str | None = None
    if argv[0] == "timeout":
        reading = read_argv(argv)
        parsed = reading.parsed
        assert parsed is not None
        operands = parsed.operands
        if parsed.error is None and len(operands) >= 2 and set(operands[0]) <= _DURATION:
            inner = list(operands[1:])
    elif argv[0] == "charter" and len(argv) > 1 and argv[1] == "run":
        rest = list(argv[2:])
        while rest and rest[0] == "--manifest":
            rest.pop(0)
        if len(rest) == 2 and rest[0] in ("--command", "-c"):
            script = rest[1]
        elif len(rest) == 1 and rest[0].startswith("--command="):
            script = rest[0].split("=", 1)[1]
        else:
            if rest and rest[0] == "--":
                rest.pop(0)
            if rest and not rest[0].startswith("-"):
                inner = rest
    else:
        return None
    wrapper = " ".join(argv[:2]) if argv[0] == "charter" else "timeout"
    if script is not None:
        parsed_script = parse_script(script)
        if parsed_script.problems:
            reason = _problem_reason(parsed_script.problems[0])
            return Verdict(
                command, allowed=False, rule="built-in", reason=f"inside {wrapper}: {reason}"
            )
        verdicts = judge_script(parsed_script.commands, _moved(ctx, paths.cwd))
    elif inner is not None:
        inner_command = SimpleCommand(tuple(inner), (), command.redirects, command.text,
                                      command.line, command.via)  # fmt: skip
        verdicts = [judge(inner_command, ctx, paths)]
    else:
        return Verdict(command, allowed=False, rule="built-in",
                       reason=f"`{wrapper}` must be followed by the command it runs")  # fmt: skip
    for verdict in verdicts:
        if not verdict.allowed:
            reason = f"inside {wrapper}: {_display(verdict.argv)}: {verdict.reason}"
            return Verdict(command, allowed=False, rule=verdict.rule, reason=reason)
    rule = "; ".join(dict.fromkeys(v.rule for v in verdicts))
    return Verdict(command, allowed=True, rule=rule,
                   reason=f"{wrapper} of commands the level allows ({rule})",
                   level=verdicts[0].level if verdicts else ctx.level)  # fmt: skip


def _moved(ctx: GuardContext, cwd: str) -> GuardContext:
    """The context with another working directory (for `charter run --command`)."""
    from charter.guard.context import GuardContext

    return GuardContext(
        policy=ctx.policy, level=ctx.level, level_source=ctx.level_source, root=ctx.root,
        cwd=cwd, env=ctx.env, session=ctx.session,
    )  # fmt: skip


def _path_reason(command: SimpleCommand, paths: PathRules, reading: Reading) -> str | None:
    argv = command.argv
    writes = not builtin.is_read_only(argv)
    if reading.key in ("sed", "awk", "gawk") and not reading.modes:
        writes = False  # scripts that write were refused with the arguments
    destructive = argv[0] in builtin.DESTRUCTIVE
    # name patterns (find -name, grep --include) are not paths; their walks are judged
    patterns = reading.key in ("find", "grep", "egrep", "fgrep")
    args = programs.path_args(reading.key, list(argv[1:])) if patterns else argv[1:]
    for arg in args:
        reason = paths.forbidden_reason(arg, globs=reading.key != "find")
        if reason is None and writes:
            reason = paths.write_reason(arg, destructive=destructive)
        if reason is not None:
            return reason
    for redirect in command.redirects:
        if redirect.kind == "read" and redirect.target is not None:
            reason = paths.forbidden_reason(redirect.target)
            if reason is not None:
                return f"redirection from {reason}"
    return None


def _allow_forms(argv: Sequence[str], reading: Reading | None) -> list[Sequence[str]]:
    """The argvs allow rules must each match: make's targets one by one, else the argv."""
    if reading is not None and reading.key in ("make", "gmake") and reading.parsed is not None:
        targets = reading.parsed.operands
        return [[argv[0], target] for target in targets] or [[argv[0]]]
    return [builtin.for_allow_rules(argv)]


def _allow(command: SimpleCommand, ctx: GuardContext, reading: Reading | None) -> Verdict:
    forms = _allow_forms(command.argv, reading)
    if len(forms) > 1:
        verdicts = [_allow_one(command, form, ctx, reading) for form in forms]
        denied = next((v for v in verdicts if not v.allowed), None)
        if denied is not None:
            return denied
        rule = "; ".join(dict.fromkeys(v.rule for v in verdicts))
        return Verdict(command, allowed=True, rule=rule, reason=f"each target allowed ({rule})",
                       level=verdicts[0].level)  # fmt: skip
    return _allow_one(command, forms[0], ctx, reading)


def _allow_one(
    command: SimpleCommand, argv: Sequence[str], ctx: GuardContext, reading: Reading | None
) -> Verdict:
    policy = ctx.policy
    matches = policy.matching_rules(ctx.level, argv)
    if reading is not None and reading.modes:
        unnamed = {m for _level, tokens in matches for m in match.rule_names_modes(tokens, reading)}
        matches = [(lv, t) for lv, t in matches if not match.rule_names_modes(t, reading)]
        if not matches and unnamed:
            modes = ", ".join(sorted(unnamed))
            return Verdict(command, allowed=False, rule="no allow rule",
                           reason=f"{modes} changes what {reading.key} does: an allow rule of "
                           f"level {ctx.level} must name it")  # fmt: skip
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
