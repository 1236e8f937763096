"""The allow/deny decision for one command, string or argv.

A command is allowed only when it parses, every simple command in it is
allowed on its own, and nothing in it is refused: deny rules beat allow rules,
and anything no allow rule of the level matches is denied. The decision
records, per simple command, the argv that will run and the rule that decided
it, so it can be explained and so `charter run` can execute what was checked.
"""

from __future__ import annotations

import os

from charter.guard import builtin, rules
from charter.guard.chars import input_problem
from charter.guard.grammar import judge as programs
from charter.guard.grammar import match
from charter.guard.grammar.bulk import bulk_reason
from charter.guard.grammar.derived import derived_writes
from charter.guard.grammar.facts import Facts
from charter.guard.grammar.gitclean import removed_paths
from charter.guard.grammar.inline import inline_code, rule_names
from charter.guard.grammar.programs import Reading, python_module, read_argv
from charter.guard.manifests import manifests_written
from charter.guard.network import is_network_name
from charter.guard.paths import PathRules, path_rules
from charter.guard.sequence import judge_script, wrapped
from charter.guard.shell import Problem, SimpleCommand, parse_script
from charter.guard.verdict import Verdict, display, problem_reason, quote

__all__ = ["Decision", "Verdict", "classify", "deny_all", "judge", "quote"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from charter.guard.context import GuardContext


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
        self.mode = mode  # "argv" (exec), "string" (bash -c) or "pwsh" (pwsh -Command)
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
            self.reason = problem_reason(problems[0])
        elif denied:
            self.reason = f"{display(denied[0].argv)}: {denied[0].reason}"
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

    @property
    def network(self) -> list[dict[str, Any]]:
        """The network commands in the decision, for the session log's network section:
        each with the hosts it reaches (none when they could not be proven)."""
        entries = []
        for verdict in self.verdicts:
            if verdict.network is None:
                continue
            own = not verdict.allowed or self.allowed  # else another command denied it all
            entries.append({
                "command": display(verdict.argv)[:300],  # an audit line stays one write
                "hosts": verdict.network[:20],
                "decision": "allow" if self.allowed else "deny",
                "rule": verdict.rule if own else self.rule,
            })  # fmt: skip
        return entries

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


# the names PowerShell is started by: judged by charter.guard.powershell
POWERSHELL_NAMES = frozenset({"pwsh", "powershell", "pwsh.exe", "powershell.exe", "pwsh-preview"})
SHELLS = ("bash", "pwsh")


def classify(
    command: str | bytes | Sequence[str], ctx: GuardContext, *, shell: str = "bash"
) -> Decision:
    """Allow or deny `command` at the context's level. Never raises on any input.
    `shell="pwsh"`: a command string is a PowerShell command line (the agent's shell)."""
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
    if shell == "pwsh" and mode == "string":
        return _classify_powershell(text, source, ctx)
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
    verdicts = judge_script(script.commands, ctx, judge)
    return Decision(
        mode=mode,
        source=source,
        level=ctx.level,
        level_source=ctx.level_source,
        verdicts=verdicts,
        problems=[],
    )


def _classify_powershell(text: str, source: str | list[str], ctx: GuardContext) -> Decision:
    from charter.guard.powershell.judge import judge_text  # lazy: only PowerShell loads it

    outcome = judge_text(text, ctx, path_rules(ctx.policy, ctx.root, ctx.cwd), judge)
    problems = [item for item in outcome if isinstance(item, Problem)]
    verdicts = [item for item in outcome if isinstance(item, Verdict)]
    return Decision(mode="pwsh", source=source, level=ctx.level, level_source=ctx.level_source,
                    verdicts=verdicts, problems=problems)  # fmt: skip


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

    if name.lower() in POWERSHELL_NAMES:
        from charter.guard.powershell.judge import judge_shell_argv  # lazy: PowerShell only

        return judge_shell_argv(command, ctx, paths, judge)
    if "/" in name:
        return deny(
            "built-in: path as command",
            f"a path as the command name ({name}) is not allowed: run commands by name from PATH",
        )
    if not rules.is_name(name):
        return deny("built-in: command name", f"{name!r} is not a plain command name")
    inner = wrapped(command, ctx, paths, judge)
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
    verdict = _judge_rest(command, ctx, paths, reading, module)
    if is_network_name(program[0]):
        # after the allow rules: a network command must also go only where the level lists
        from charter.guard.network.judge import judged_reach, reach_of  # lazy: network only

        reach = reach_of(program, ctx)
        if reach is not None:
            verdict = judged_reach(verdict, reach, ctx, deny)
    return verdict


def _judge_rest(
    command: SimpleCommand, ctx: GuardContext, paths: PathRules, reading: Reading,
    module: int | None,
) -> Verdict:  # fmt: skip
    """Paths, the program's arguments, then the allow rules."""
    argv = command.argv
    name = argv[0]

    def deny(rule: str, reason: str) -> Verdict:
        return Verdict(command, allowed=False, rule=rule, reason=reason)

    reason = (
        _path_reason(command, paths, reading)
        or bulk_reason(list(argv[module:]) if module is not None else argv, paths)
        or _removal_reason(argv, paths, ctx)
    )
    if reason is not None:
        return deny("built-in: paths", reason)
    stdin = next((r.target for r in command.redirects if r.kind == "read"), None)
    denial = programs.reading_denial(reading, Facts(paths, ctx.env, stdin))
    if denial is not None:
        return deny("built-in: arguments", denial)
    if name in builtin.CHANGES_DIRECTORY:
        return deny(
            "built-in: cd",
            f"`{name}` is not allowed: use `cd DIR`, which the guard follows",
        )
    return _allow(command, ctx, reading if module is None else None)


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


def _path_reason(command: SimpleCommand, paths: PathRules, reading: Reading) -> str | None:
    argv = command.argv
    for name in manifests_written(argv):
        above = os.path.relpath(os.path.join(paths.root, name), paths.cwd)
        for path in dict.fromkeys((name, above)):  # the tools look upwards for it
            reason = paths.write_reason(path, destructive=False)
            if reason is not None:
                return f"{argv[0]} would rewrite its manifest: {reason}"
    module = python_module(argv)  # `python -m gzip -d F.gz` is gzip
    for name in derived_writes(argv[module:] if module is not None else argv):
        reason = paths.write_reason(name, destructive=False)
        if reason is not None:
            return f"{argv[0]} would write {name}: {reason}"
    writes = not builtin.is_read_only(argv)
    if reading.key in ("sed", "awk", "gawk") and not reading.modes:
        writes = False  # scripts that write were refused with the arguments
    destructive = argv[0] in builtin.DESTRUCTIVE
    # name patterns (find -name, grep --include) are not paths; their walks are judged
    patterns = reading.key in ("find", "grep", "egrep", "fgrep")
    args = programs.path_args(reading.key, list(argv[1:])) if patterns else list(argv[1:])
    revisions = _git_revisions(argv) if writes and not patterns else set()
    for index, arg in enumerate(args, start=1):
        reason = paths.forbidden_reason(arg, globs=reading.key != "find")
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


def _removal_reason(argv: Sequence[str], paths: PathRules, ctx: GuardContext) -> str | None:
    """Why the untracked files `git clean` or `git stash -u/-a` would delete may not go."""
    removed = removed_paths(argv, paths.cwd, ctx.env)
    if removed is None or isinstance(removed, str):
        return removed
    for path in removed:
        reason = paths.forbidden_reason(path, globs=False) or paths.write_reason(
            path, destructive=True
        )
        if reason is not None:
            return f"git {argv[1] if len(argv) > 1 else ''} would delete {path}: {reason}"
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
    code = inline_code(argv)
    if code is not None and matches:
        mode, names = code
        matches = [(lv, t) for lv, t in matches if rule_names(t, names)]
        if not matches:
            spelled = " or ".join(f"`{argv[0]} {name}`" for name in sorted(names) if name != "+")
            spelled = spelled or f"`{argv[0]} +LINE`, exactly as run"
            return Verdict(command, allowed=False, rule="no allow rule",
                           reason=f"{mode} makes {argv[0]} run a program written on the command "
                           f"line or read from stdin: an allow rule of level {ctx.level} must "
                           f"name it ({spelled})")  # fmt: skip
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
