"""The `charter` command line.

`charter guard` runs before every agent command, so `main()` dispatches it
before click (45 ms of imports) is loaded; so does a plain `charter check`
(`charter.commands.check_plain`), which a pre-commit hook runs on every
commit. Every other command lives in its own module under `charter.commands`
and is imported only when it is invoked.
Commands are thin: parse options, call one library function, format the result.
"""

from __future__ import annotations

import os
import sys

from charter import __version__

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: the guard starts without importing typing
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

# name -> "module:attribute". One explicit registry; `charter --help` lists these.
COMMANDS: dict[str, str] = {
    "check": "charter.commands.check:check",
    "run": "charter.commands.run:run",
    "export": "charter.commands.export:export",
    "gates": "charter.commands.gates:gates",
    "stats": "charter.commands.stats:stats",
    "board": "charter.commands.board:board",
    "task": "charter.commands.task:task",
    "watch": "charter.commands.watch:watch",
    "session": "charter.commands.session:session",
    "handoff": "charter.commands.handoff:handoff",
    "init": "charter.commands.init:init",
    "detect": "charter.commands.detect:detect",
    "reconcile": "charter.commands.reconcile:reconcile",
    "import": "charter.commands.import_cmd:import_",
    "stop": "charter.commands.safety:stop",
    "resume": "charter.commands.safety:resume",
    "escalate": "charter.commands.safety:escalate",
    "mcp": "charter.commands.mcp:mcp",
    "overlap": "charter.commands.overlap:overlap",
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "guard":
        from charter.guard.entry import main as guard_main  # lazy: off a warm check's start-up path

        return int(guard_main(args[1:]))
    if args and args[0] == "check":  # a pre-commit hook's: without click when it can
        from charter.commands.check_plain import (
            main as check_main,  # lazy: off the guard's start-up path
        )

        code = check_main(args[1:])
        if code is not None:
            return code
    return _click_main(args)


def _click_main(args: list[str]) -> int:
    import click

    from charter.errors import (  # lazy: off the guard's start-up path
        CharterError,
        os_error_message,
    )

    group = _build_group()
    try:
        result = group.main(args=args, prog_name="charter", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2 if exc.exit_code in (1, 2) else exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except CharterError as exc:
        click.echo(f"charter: error: {exc}", err=True)
        return 2
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # disk full, read-only, permission, I/O: the file, not a traceback
        if os.environ.get("CHARTER_DEBUG"):
            raise
        click.echo(f"charter: error: {os_error_message(exc)}", err=True)
        return 2
    except Exception as exc:
        if os.environ.get("CHARTER_DEBUG"):
            raise
        click.echo(
            f"charter: internal error: {type(exc).__name__}: {exc}\n"
            "Please report it; set CHARTER_DEBUG=1 to see the traceback.",
            err=True,
        )
        return 2
    return int(result) if isinstance(result, int) else 0


def _build_group() -> Any:
    import click

    class LazyGroup(click.Group):
        def list_commands(self, ctx: click.Context) -> list[str]:
            return sorted([*COMMANDS, "guard"])

        def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
            if name == "guard":
                guard: click.Command = _guard_help_command()
                return guard
            target = COMMANDS.get(name)
            if target is None:
                return None
            module_name, attr = target.split(":")
            import importlib

            command: click.Command = getattr(importlib.import_module(module_name), attr)
            return command

    @click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, prog_name="charter")
    def charter() -> None:
        """Govern a repository worked on by autonomous coding agents.

        Plans in docs/plans/ are the single source of task truth; the board,
        handoff and agent configs are generated from them. Exit codes: 0 ok,
        1 findings or drift, 2 usage or configuration error.
        """

    return charter


def _guard_help_command() -> Any:
    """`charter --help` lists guard; its real parser runs without click."""
    import click

    @click.command(
        "guard",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        add_help_option=False,
    )
    @click.pass_context
    def guard(ctx: click.Context) -> int:
        """Allow or deny one shell command (exit 0 allow, 2 deny). See `charter guard --help`."""
        from charter.guard.entry import main as guard_main  # lazy: off a warm check's start-up path

        return int(guard_main(list(ctx.args)))

    return guard


if __name__ == "__main__":
    sys.exit(main())
