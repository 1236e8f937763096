"""`charter guard`: the command line, without click (this runs before every agent command).

Exit codes: 0 allow, 2 deny. Usage errors and internal errors also exit 2: a
caller that only looks at the exit code must never read a failure as consent.
"""

from __future__ import annotations

import sys

USAGE = """\
usage: charter guard [--level L] [--explain] [--format text|json] [--root DIR] [--cwd DIR] \
-- CMD [ARG...]
       charter guard [--level L] [--explain] [--format text|json] [--shell bash|pwsh] \
--command 'STRING'
       charter guard --hook claude-code|codex|gemini|cursor [--root DIR] [--level L] \
[--shell pwsh]

Decide whether an agent may run a shell command under the autonomy policy
(docs/agents/AUTONOMY.md). Exit 0: allowed. Exit 2: denied, with the reason on
stderr; usage errors deny too.

  -- CMD [ARG...]     an argv, as it would be executed (no shell)
  --command STRING    a shell string, as `bash -c STRING` would run it
  --shell pwsh        the --command string (or the hook's command) is PowerShell
  --hook AGENT        read a PreToolUse hook request on stdin and answer it
  --level L           decide at level L (default: the active session's level,
                      else the policy's default level)
  --explain           show each simple command and the rule that decided it
                      (it runs nothing, so it spends no session budget)
  --format json       print the decision as JSON on stdout
  --root DIR          the repository root (default: found from the directory)
  --cwd DIR           the directory the command runs in (default: here)
"""

_VALUE_OPTIONS = ("--level", "--format", "--command", "--hook", "--root", "--cwd", "--shell")


class _Options:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.explain = False
        self.help = False
        self.argv: list[str] | None = None


def _parse(args: list[str]) -> _Options:
    options = _Options()
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            options.argv = args[index + 1 :]
            break
        if arg in ("-h", "--help"):
            options.help = True
        elif arg == "--explain":
            options.explain = True
        elif arg in _VALUE_OPTIONS:
            if index + 1 >= len(args):
                raise _UsageError(f"{arg} needs a value")
            options.values[arg] = args[index + 1]
            index += 1
        elif "=" in arg and arg.split("=", 1)[0] in _VALUE_OPTIONS:
            key, value = arg.split("=", 1)
            options.values[key] = value
        elif arg.startswith("-"):
            raise _UsageError(f"unknown option {arg}")
        else:
            options.argv = args[index:]
            break
        index += 1
    return options


class _UsageError(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return _main(args)
    except _UsageError as exc:
        sys.stderr.write(f"charter guard: denied: {exc}\n{USAGE}")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("charter guard: denied: interrupted\n")
        return 2
    except Exception as exc:  # fail closed: an unexpected error is a denial, never exit 1
        sys.stderr.write(f"charter guard: denied: internal error ({type(exc).__name__}: {exc})\n")
        return 2


def _main(args: list[str]) -> int:
    options = _parse(args)
    if options.help:
        sys.stdout.write(USAGE)
        return 0
    values = options.values
    output_format = values.get("--format", "text")
    if output_format not in ("text", "json"):
        raise _UsageError("--format must be text or json")
    shell = values.get("--shell", "bash")
    if shell not in ("bash", "pwsh", "powershell"):
        raise _UsageError("--shell must be bash or pwsh")
    hook = values.get("--hook")
    if hook is not None:
        return _hook(hook, values, "pwsh" if shell == "powershell" else shell)
    command: str | list[str]
    if "--command" in values:
        if options.argv:
            raise _UsageError("give either --command STRING or -- CMD ARGS, not both")
        command = values["--command"]
    elif options.argv:
        command = options.argv
    else:
        raise _UsageError("no command given")

    # Imported here, inside main's handler: a broken install denies (exit 2), never crashes.
    from charter.guard.api import check_command  # lazy: a failed import must deny
    from charter.guard.explain import advice, explain  # lazy: a failed import must deny

    outcome = check_command(
        command,
        cwd=values.get("--cwd"),
        root=values.get("--root"),
        level=values.get("--level"),
        count=not options.explain,  # explaining a command does not run it: no budget spent
        audit="guard",
        shell="pwsh" if shell == "powershell" else shell,
    )
    decision = outcome.decision
    if output_format == "json":
        import json

        sys.stdout.write(json.dumps(decision.to_dict(), indent=2, ensure_ascii=False) + "\n")
    elif options.explain:
        sys.stdout.write(explain(decision, outcome.policy_path))
    sys.stdout.flush()  # the explanation first, then the reason, also in a merged stream
    if decision.allowed:
        return 0
    sys.stderr.write(advice(decision, outcome.policy) + "\n")
    return 2


def _hook(agent: str, values: dict[str, str], shell: str) -> int:
    from charter.guard.hooks import AGENTS, answer, handle  # lazy: off the guard's start-up path

    foreign = agent in ("gemini", "cursor")
    if foreign and shell != "bash":
        raise _UsageError(f"--shell {shell} is for the claude-code and codex hooks")
    if not foreign and agent not in AGENTS:
        raise _UsageError(f"--hook must be one of {', '.join((*AGENTS, 'gemini', 'cursor'))}")
    root, level = values.get("--root"), values.get("--level")
    try:
        raw = sys.stdin.buffer.read()
        if foreign:
            from charter.guard.hook_adapters import handle_foreign  # lazy: other agents only

            result = handle_foreign(agent, raw, root=root, level=level)
        else:
            result = handle(agent, raw, root=root, level=level, shell=shell)
    except Exception as exc:
        result = answer(agent, False, f"charter guard failed ({type(exc).__name__}: {exc})")
    if result.stdout:
        sys.stdout.write(result.stdout)
        sys.stdout.flush()
    if result.stderr:
        sys.stderr.write(result.stderr)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
