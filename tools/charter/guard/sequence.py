"""Commands in order: `cd` followed, globs expanded, wrappers judged by what they run.

`judge_script` walks the simple commands of a script in order and tracks the
directories each may run in; `wrapped` sees through `timeout` and `charter
run`. The per-command judgment is passed in (`charter.guard.decide.judge`), so
this module never imports the decision it serves.
"""

from __future__ import annotations

import os

from charter.guard.context import GuardContext
from charter.guard.grammar.globs import GlobError, expand
from charter.guard.grammar.programs import read_argv
from charter.guard.paths import PathRules, path_rules
from charter.guard.shell import SimpleCommand, parse_script
from charter.guard.verdict import Verdict, display, problem_reason

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    Judge = Callable[[SimpleCommand, GuardContext, PathRules], Verdict]


def judge_script(
    commands: Sequence[SimpleCommand], ctx: GuardContext, judge: Judge
) -> list[Verdict]:
    """Verdicts in order, following `cd`: a later command is judged from every directory
    it may run in (the one before a `cd` too, since a failed `cd` leaves it unchanged)."""
    cwds = [ctx.cwd]
    rules_by_cwd: dict[str, PathRules] = {}

    def paths_for(cwd: str) -> PathRules:
        if cwd not in rules_by_cwd:
            rules_by_cwd[cwd] = path_rules(ctx.policy, ctx.root, cwd)
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
        verdict = _judge_here(command, ctx, paths_for(cwds[0]), judge)
        for cwd in cwds[1:]:
            if not verdict.allowed:
                break
            verdict = _judge_here(command, ctx, paths_for(cwd), judge)
        verdicts.append(verdict)
    return verdicts


def _enterable(path: str) -> bool:
    return os.path.isdir(path) and os.access(path, os.X_OK)


def _judge_here(
    command: SimpleCommand, ctx: GuardContext, paths: PathRules, judge: Judge
) -> Verdict:
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


_DURATION = frozenset("0123456789.smhd")


def wrapped(
    command: SimpleCommand, ctx: GuardContext, paths: PathRules, judge: Judge
) -> Verdict | None:
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
            reason = problem_reason(parsed_script.problems[0])
            return Verdict(
                command, allowed=False, rule="built-in", reason=f"inside {wrapper}: {reason}"
            )
        verdicts = judge_script(parsed_script.commands, _moved(ctx, paths.cwd), judge)
    elif inner is not None:
        inner_command = SimpleCommand(tuple(inner), (), command.redirects, command.text,
                                      command.line, command.via)  # fmt: skip
        verdicts = [judge(inner_command, ctx, paths)]
    else:
        return Verdict(command, allowed=False, rule="built-in",
                       reason=f"`{wrapper}` must be followed by the command it runs")  # fmt: skip
    for verdict in verdicts:
        if not verdict.allowed:
            reason = f"inside {wrapper}: {display(verdict.argv)}: {verdict.reason}"
            return Verdict(command, allowed=False, rule=verdict.rule, reason=reason)
    rule = "; ".join(dict.fromkeys(v.rule for v in verdicts))
    return Verdict(command, allowed=True, rule=rule,
                   reason=f"{wrapper} of commands the level allows ({rule})",
                   level=verdicts[0].level if verdicts else ctx.level)  # fmt: skip


def _moved(ctx: GuardContext, cwd: str) -> GuardContext:
    """The context with another working directory (for `charter run --command`)."""
    return GuardContext(
        policy=ctx.policy, level=ctx.level, level_source=ctx.level_source, root=ctx.root,
        cwd=cwd, env=ctx.env, session=ctx.session,
    )  # fmt: skip
