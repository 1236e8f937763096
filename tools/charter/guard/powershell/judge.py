"""The verdict on PowerShell: a command line in a PowerShell session, or a `pwsh` argv.

Each plain call is judged by what PowerShell would run for its name:
- a `.ps1` path (`Tools\\Run-Tests.ps1` is `Tools/Run-Tests.ps1`) must be a file
  inside the repository and match a `powershell` rule of the level as
  `pwsh Tools/Run-Tests.ps1 ...`;
- a cmdlet (or an alias, resolved to its cmdlet) is refused if it runs code the
  guard cannot see, its paths are checked like any command's (backslashes read as
  slashes, names compared case-folded as Windows does), and it needs a `powershell`
  rule of the level;
- any other name is a native program with literal arguments: the bash judge
  decides it, with the level's ordinary `allow` rules.
"""

from __future__ import annotations

import re

from charter.guard import rules
from charter.guard.network.pwsh import WEB_CMDLETS, web_cmdlet
from charter.guard.network.reach import Reach
from charter.guard.powershell.cmdlets import (
    DESTRUCTIVE,
    READ_ONLY,
    REFUSED,
    SHELL_NAMES,
    canonical,
    is_cmdlet,
)
from charter.guard.powershell.invoke import read_invocation
from charter.guard.powershell.parse import Call, parse_powershell
from charter.guard.shell import Problem, SimpleCommand
from charter.guard.verdict import Verdict, problem_reason

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from charter.guard.context import GuardContext
    from charter.guard.paths import PathRules

    NativeJudge = Callable[[SimpleCommand, GuardContext, PathRules], Verdict]

MAX_DEPTH = 3
_WINDOWS_ROOTED = re.compile(r"^([A-Za-z]:|[\\/]{2})")
_DRIVE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]+:")


def judge_text(
    text: str, ctx: GuardContext, paths: PathRules, native: NativeJudge, depth: int = 0
) -> list[Verdict] | list[Problem]:
    """The verdict on each call of a PowerShell command line, or the problems refusing it."""
    script = parse_powershell(text)
    if script.problems:
        return script.problems
    return [judge_call(call, ctx, paths, native, depth) for call in script.calls]


def judge_shell_argv(
    command: SimpleCommand, ctx: GuardContext, paths: PathRules, native: NativeJudge,
    depth: int = 0,
) -> Verdict:  # fmt: skip
    """The verdict on `pwsh ...`/`powershell ...` run as a program."""

    def deny(rule: str, reason: str) -> Verdict:
        return Verdict(command, allowed=False, rule=rule, reason=reason)

    if depth >= MAX_DEPTH:
        return deny("built-in: pwsh", "PowerShell nested too deep")
    invocation = read_invocation(command.argv)
    if isinstance(invocation, str):
        return deny("built-in: pwsh", invocation)
    if invocation.file is not None:
        call = Call(invocation.file, invocation.args, (), command.text, command.line)
        return _script(call, ctx, paths)
    assert invocation.command is not None
    verdicts = judge_text(invocation.command, ctx, paths, native, depth + 1)
    problems = [v for v in verdicts if isinstance(v, Problem)]
    if problems:
        return deny("built-in: pwsh", problem_reason(problems[0]))
    judged = [v for v in verdicts if isinstance(v, Verdict)]
    refused = next((v for v in judged if not v.allowed), None)
    if refused is not None:
        return deny(refused.rule, f"{refused.text}: {refused.reason}")
    rule = "; ".join(dict.fromkeys(v.rule for v in judged))
    level = judged[0].level if judged else None
    return Verdict(command, allowed=True, rule=rule, reason=f"each call allowed ({rule})",
                   level=level)  # fmt: skip


def judge_call(
    call: Call, ctx: GuardContext, paths: PathRules, native: NativeJudge, depth: int = 0
) -> Verdict:
    """The verdict on one plain PowerShell call."""
    simple = _simple((call.name, *call.args), call)

    def deny(rule: str, reason: str) -> Verdict:
        return Verdict(simple, allowed=False, rule=rule, reason=reason)

    for op, target in call.redirects:
        if op.startswith("<"):
            return deny("built-in: paths", "input redirection is not PowerShell: pipe instead")
        if target is not None:
            reason = _path_reason(target, paths, writes=True, destructive=False)
            if reason is not None:
                return deny("built-in: paths", f"redirection to {reason}")
    for arg in call.args:
        if _WINDOWS_ROOTED.match(arg):
            return deny("built-in: paths", f"{arg} is a drive or network path outside the "
                        "repository: name paths relative to it")  # fmt: skip
    name = call.name
    if name.lower().endswith(".ps1"):
        return _script(call, ctx, paths)
    if "/" in name or "\\" in name:
        return deny("built-in: path as command", f"a path as the command name ({name}) is not "
                    "allowed: run scripts by their .ps1 path, programs by name")  # fmt: skip
    exe = name.lower().endswith(".exe")  # `curl.exe` runs the program, never the alias
    base = name[:-4] if exe else name
    if base.lower() in SHELL_NAMES:
        return judge_shell_argv(_simple((base, *call.args), call), ctx, paths, native, depth + 1)
    target = base if exe else canonical(base)
    if not exe and is_cmdlet(target):
        return _cmdlet(call, target, ctx, paths)
    return _native(call, base, ctx, paths, native)


def _simple(argv: Sequence[str], call: Call) -> SimpleCommand:
    return SimpleCommand(tuple(argv), (), (), call.text, call.line, "pwsh")


def _native(
    call: Call, name: str, ctx: GuardContext, paths: PathRules, native: NativeJudge
) -> Verdict:
    """A program run with literal arguments: what bash would decide for the same argv, also
    with backslashes read as slashes (Windows programs take both)."""
    argv = (name, *call.args)
    slashed = tuple(arg.replace("\\", "/") for arg in argv)
    first = native(_simple(argv, call), ctx, paths)
    if not first.allowed or slashed == argv:
        return first
    second = native(_simple(slashed, call), ctx, paths)
    return first if second.allowed else second


def _cmdlet(call: Call, cmdlet: str, ctx: GuardContext, paths: PathRules) -> Verdict:
    simple = _simple((call.name, *call.args), call)
    key = cmdlet.lower()

    def deny(rule: str, reason: str) -> Verdict:
        return Verdict(simple, allowed=False, rule=rule, reason=reason)

    shown = cmdlet if cmdlet.lower() == call.name.lower() else f"{call.name} ({cmdlet})"
    if key in REFUSED:
        return deny("built-in: powershell", f"{shown} {REFUSED[key]}: no level may allow it")
    folded = [key, *(_slashed(arg).lower() for arg in call.args)]
    for tokens in ctx.policy.deny:
        if rules.deny_matches([token.lower() for token in tokens], folded):
            pattern = " ".join(tokens)
            return deny(f"deny: {pattern}", f"denied by the policy rule {pattern!r}")
    writes = key not in READ_ONLY
    reach = None
    urls: set[int] = set()
    if key in WEB_CMDLETS:
        reach, urls = web_cmdlet(Reach(cmdlet, ctx.env, ctx.root, ctx.cwd), call.args)
    for position, arg in enumerate(call.args):
        if arg.startswith("-") or position in urls:
            continue
        if _DRIVE.match(arg):
            return deny("built-in: paths", f"{arg} names a PowerShell drive or a URL (Env:, "
                        "HKLM:, Function:, http:): not allowed for cmdlets")  # fmt: skip
        reason = _path_reason(arg, paths, writes=writes, destructive=key in DESTRUCTIVE)
        if reason is not None:
            return deny("built-in: paths", reason)
    verdict = _allow(simple, folded, ctx, shown)
    if reach is not None:
        from charter.guard.network.judge import judged_reach  # lazy: web cmdlets only

        verdict = judged_reach(verdict, reach, ctx, deny)
    return verdict


def _script(call: Call, ctx: GuardContext, paths: PathRules) -> Verdict:
    path = _slashed(call.name)
    while path.startswith("./"):
        path = path[2:]
    argv = ("pwsh", path, *call.args)
    simple = _simple(argv, call)

    def deny(reason: str) -> Verdict:
        return Verdict(simple, allowed=False, rule="built-in: paths", reason=reason)

    if _WINDOWS_ROOTED.match(call.name) or path.startswith("/"):
        return deny(f"{call.name} is outside the repository: run scripts kept in it")
    reason = paths.forbidden_reason(path) or paths.read_reason(path)
    if reason is not None:
        return deny(reason)
    for arg in call.args:
        if arg.startswith("-"):
            continue
        # what a script does with its arguments is unknown: judged as paths it may write
        reason = _path_reason(arg, paths, writes=True, destructive=False)
        if reason is not None:
            return deny(reason)
    return _allow(simple, [token.lower() for token in argv], ctx, f"pwsh {path}")


def _slashed(value: str) -> str:
    return value.replace("\\", "/")


def _path_reason(value: str, paths: PathRules, *, writes: bool, destructive: bool) -> str | None:
    """Forbidden, protected or outside: as written, with slashes, and case-folded."""
    if _WINDOWS_ROOTED.match(value):
        return f"{value} is a drive or network path outside the repository"
    slashed = _slashed(value)
    for form in dict.fromkeys((slashed, slashed.lower())):
        reason = paths.forbidden_reason(form)
        if reason is None and writes:
            reason = paths.write_reason(form, destructive=destructive)
        elif reason is None:
            reason = paths.read_reason(form, existing_only=True)
        if reason is not None:
            return reason
    return None


def _allow(simple: SimpleCommand, folded: Sequence[str], ctx: GuardContext, shown: str) -> Verdict:
    policy = ctx.policy
    unmet: list[str] = []
    best: tuple[str, list[str]] | None = None
    for level, tokens in policy.matching_powershell(ctx.level, folded):
        missing = [f"{k}={v}" for k, v in policy.levels[level]["env"].items()
                   if ctx.env.get(k) != v]  # fmt: skip
        if missing:
            unmet.extend(missing)
        elif best is None or len(tokens) > len(best[1]):
            best = (level, tokens)
    if best is not None:
        level, tokens = best
        pattern = " ".join(tokens)
        return Verdict(simple, allowed=True, rule=f"{level} powershell: {pattern}",
                       reason=f"allowed at {level} by {pattern!r}", level=level)  # fmt: skip
    if unmet:
        needed = ", ".join(dict.fromkeys(unmet))
        return Verdict(simple, allowed=False, rule="env opt-in",
                       reason=f"allowed at {ctx.level} only with the operator's opt-in: set "
                       f"{needed}")  # fmt: skip
    return Verdict(simple, allowed=False, rule="no allow rule",
                   reason=f"no powershell rule of level {ctx.level} matches {shown}")  # fmt: skip
