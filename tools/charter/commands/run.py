"""`charter run -- CMD...`: guard a command, run it, record it in the session log."""

from __future__ import annotations

import click

from charter.sessions.run import run_command


@click.command(
    "run",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.option(
    "--command",
    "-c",
    "command_string",
    default=None,
    help="A shell string, run as `bash -c STRING` once allowed.",
)
@click.option(
    "--shell",
    type=click.Choice(["bash", "pwsh"]),
    default="bash",
    show_default=True,
    help="The shell of --command: pwsh judges and runs it as PowerShell "
    "(`pwsh -NoProfile -NonInteractive -Command STRING`).",
)
@click.option(
    "--manifest",
    is_flag=True,
    help="Also write a run manifest, .runs/TASK/RUN-ID/manifest.json, for the active session "
    "(the default when the policy says `manifest: always`). See docs/evidence.md.",
)
@click.argument("argv", nargs=-1, type=click.UNPROCESSED)
def run(command_string: str | None, shell: str, manifest: bool, argv: tuple[str, ...]) -> int:
    """Check a command with `charter guard`, run it, and record it.

    `charter run -- CMD ARGS...` executes the argv directly (no shell);
    `charter run --command 'STRING'` runs the string with `bash -c`. Either way
    it is exactly what the guard checked. Output streams through; the exit
    code is the command's, or 2 when the guard denies it. Command, exit code
    and duration are appended to the active session's log, and the exit
    code counts against the session's budget (docs/safety.md).
    """
    if command_string is not None and argv:
        raise click.UsageError("give either --command STRING or -- CMD ARGS, not both")
    if command_string is None and not argv:
        raise click.UsageError("no command given")
    command: str | list[str] = command_string if command_string is not None else list(argv)
    return run_command(
        command, manifest=manifest, note=lambda text: click.echo(text, err=True), shell=shell
    )
