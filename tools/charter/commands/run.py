"""`charter run -- CMD...`: guard a command, run it, record it in the session log."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click


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
    "--manifest",
    is_flag=True,
    help="Also write a run manifest, .runs/TASK/RUN-ID/manifest.json, for the active session "
    "(the default when the policy says `manifest: always`). See docs/evidence.md.",
)
@click.argument("argv", nargs=-1, type=click.UNPROCESSED)
def run(command_string: str | None, manifest: bool, argv: tuple[str, ...]) -> int:
    """Check a command with `charter guard`, run it, and record it.

    `charter run -- CMD ARGS...` executes the argv directly (no shell);
    `charter run --command 'STRING'` runs the string with `bash -c`. Either way
    it is exactly what the guard checked. Output streams through; the exit
    code is the command's, or 2 when the guard denies it. Command, exit code
    and duration are appended to the active session's log.
    """
    from charter.guard.api import check_command
    from charter.guard.explain import advice

    if command_string is not None and argv:
        raise click.UsageError("give either --command STRING or -- CMD ARGS, not both")
    if command_string is None and not argv:
        raise click.UsageError("no command given")
    command: str | list[str] = command_string if command_string is not None else list(argv)
    outcome = check_command(command)
    decision = outcome.decision
    started = datetime.now(UTC).isoformat(timespec="seconds")
    policy = outcome.policy
    wants_manifest = manifest or (policy is not None and policy.manifest == "always")
    if not decision.allowed:
        click.echo(advice(decision, outcome.policy), err=True)
        _record(outcome.root, decision, started, exit_code=None, duration=0.0)
        if wants_manifest and outcome.root is not None:
            _with_manifest(outcome, manifest)
        return 2
    ran = _with_manifest(outcome, manifest) if wants_manifest and outcome.root else None
    exit_code, duration = ran if ran is not None else _execute(decision)
    _record(outcome.root, decision, started, exit_code=exit_code, duration=duration)
    return exit_code


def _with_manifest(outcome: Any, required: bool) -> tuple[int, float] | None:
    """Run (or record the refusal) through charter.manifest; None when no session can own it."""
    from charter.manifest import run_guarded

    result = run_guarded(outcome, required=required)
    if result is None:
        return None
    exit_code, duration, path = result
    click.echo(f"charter run: manifest {os.path.relpath(path, outcome.root)}", err=True)
    return exit_code, duration


def _execute(decision: Any) -> tuple[int, float]:
    from charter.guard.execute import clean_env, exec_args

    args = exec_args(decision)
    begin = time.monotonic()
    try:
        process = subprocess.Popen(args, env=clean_env(os.environ))
    except FileNotFoundError:
        click.echo(f"charter run: command not found: {args[0]}", err=True)
        return 127, time.monotonic() - begin
    except PermissionError:
        click.echo(f"charter run: permission denied: {args[0]}", err=True)
        return 126, time.monotonic() - begin
    while True:
        try:
            code = process.wait()
            break
        except KeyboardInterrupt:
            # the child got the same SIGINT; wait for it so its exit code is recorded
            continue
    duration = time.monotonic() - begin
    return (code if code >= 0 else 128 - code), duration


def _record(
    root: str | None,
    decision: Any,
    started: str,
    *,
    exit_code: int | None,
    duration: float,
) -> None:
    from charter.errors import CharterError
    from charter.guard.context import read_active_session
    from charter.guard.decide import quote
    from charter.runlog import record_command

    if root is None:
        return
    source = decision.source
    record: dict[str, Any] = {
        "command": source if isinstance(source, str) else " ".join(quote(w) for w in source),
        "mode": decision.mode,
        "exit_code": exit_code,
        "duration_s": round(duration, 3),
        "decision": "allow" if decision.allowed else "deny",
        "rule": decision.rule,
        "level": decision.level,
        "started": started,
    }
    record["argv" if decision.mode == "argv" else "string"] = source
    try:
        if read_active_session(root) is None:
            click.echo("charter run: no active session: the command was not recorded", err=True)
            return
        record_command(Path(root), record)
    except CharterError as exc:
        click.echo(f"charter run: the command was not recorded: {exc}", err=True)
    sys.stderr.flush()
