"""`charter run -- CMD...`: guard a command, run it, record it in the session log."""

from __future__ import annotations

import os
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
    and duration are appended to the active session's log, and the exit
    code counts against the session's budget (docs/safety.md).
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
    prepared = _sandbox(outcome)
    if prepared is None:
        _record(outcome.root, decision, started, exit_code=None, duration=0.0)
        return 2
    try:
        ran = (
            _with_manifest(outcome, manifest, prepared.launcher)
            if wants_manifest and outcome.root
            else None
        )
        exit_code, duration = ran if ran is not None else _execute(decision, prepared.launcher)
    finally:
        prepared.launcher.close()
    _sandbox_notice(outcome, prepared)
    kind = prepared.launcher.kind
    _record(outcome.root, decision, started, exit_code=exit_code, duration=duration, sandbox=kind)
    _count_exit(outcome, exit_code)
    return exit_code


def _count_exit(outcome: Any, exit_code: int) -> None:
    """Count a failure (or end a run of them) against the session's budget; escalate once
    when this outcome spends it. The command itself was counted by the guard's decision."""
    from charter.guard.decide import quote
    from charter.safety import budget

    context = outcome.context
    if context is None or context.session is None:
        return
    session = context.session
    level = str(session["level"])
    limits = context.policy.budget(level)
    if not limits:
        return
    decision = outcome.decision
    source = decision.source
    text = source if isinstance(source, str) else " ".join(quote(w) for w in source)
    test = budget.is_test_command(decision.argvs, context.policy.test_commands)
    from charter.sessions.clock import iso, now

    try:
        spent = budget.record_exit(
            context.root,
            session,
            limits,
            exit_code=exit_code,
            test=test,
            command=text,
            level=level,
            at=iso(now()),
        )
    except budget.BudgetError as exc:
        click.echo(f"charter run: the exit code was not counted: {exc}", err=True)
        return
    if spent is None:
        return
    click.echo(f"charter run: {budget.denial(spent)}", err=True)
    _escalate_budget(context.root, str(session["id"]), spent)


def _escalate_budget(root: str, session_id: str, spent: str) -> None:
    from charter.config import load_config
    from charter.errors import CharterError
    from charter.safety.escalate import claim, escalate

    reason = f"budget spent: {spent}"
    if not claim(root, f"budget-{session_id}", {"event": "budget-spent", "reason": reason}):
        return  # another command got there first
    try:
        result = escalate(
            load_config(Path(root)), event="budget-spent", reason=reason, by="charter"
        )
    except CharterError as exc:
        click.echo(f"charter run: the escalation failed: {exc}", err=True)
        return
    click.echo(f"charter run: escalated: {result.outcome}", err=True)
    for problem in result.problems:
        click.echo(f"charter run: escalation: {problem}", err=True)


def _sandbox(outcome: Any) -> Any:
    """The OS sandbox's launcher for the allowed command; None (said why) when it must not run."""
    from charter.errors import CharterError
    from charter.guard.execute import clean_env
    from charter.sandbox.run import prepare

    try:
        prepared = prepare(outcome, clean_env(os.environ))
    except CharterError as exc:
        click.echo(f"charter run: {exc}", err=True)
        return None
    if prepared.notice:
        click.echo(f"charter run: {prepared.notice}", err=True)
    return prepared


def _sandbox_notice(outcome: Any, prepared: Any) -> None:
    from charter.sandbox.run import after_start

    notice = after_start(prepared, outcome)
    if notice:
        click.echo(f"charter run: {notice}", err=True)


def _with_manifest(outcome: Any, required: bool, spawn: Any = None) -> tuple[int, float] | None:
    """Run (or record the refusal) through charter.manifest; None when no session can own it."""
    from charter.manifest import run_guarded

    result = run_guarded(outcome, required=required, spawn=spawn)
    if result is None:
        return None
    exit_code, duration, path = result
    click.echo(f"charter run: manifest {os.path.relpath(path, outcome.root)}", err=True)
    return exit_code, duration


def _execute(decision: Any, spawn: Any) -> tuple[int, float]:
    from charter.errors import CharterError
    from charter.guard.execute import clean_env, exec_args

    args = exec_args(decision)
    begin = time.monotonic()
    try:
        process = spawn(args, env=clean_env(os.environ))
    except CharterError as exc:
        click.echo(f"charter run: {exc}", err=True)
        return 126, time.monotonic() - begin
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
    sandbox: str | None = None,
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
    if sandbox is not None:
        record["sandbox"] = sandbox
    record["argv" if decision.mode == "argv" else "string"] = source
    try:
        if read_active_session(root) is None:
            click.echo("charter run: no active session: the command was not recorded", err=True)
            return
        record_command(Path(root), record)
    except CharterError as exc:
        click.echo(f"charter run: the command was not recorded: {exc}", err=True)
    sys.stderr.flush()
