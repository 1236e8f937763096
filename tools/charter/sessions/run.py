"""`charter run`: a command the guard allowed, run once, recorded and counted.

The one way charter runs a guarded command: the guard's decision
(`charter.guard.api.check_command`) names the exact argv; it runs plainly, or
through a run manifest (`charter.evidence.manifest.run_with_manifest`, which
captures output and tree changes) when the caller or the policy asks for one.
Either way the command goes into the session's command log, its exit code
counts against the session's budget, and a spent budget escalates once.
Messages for the person go to `note`, in the order they arise.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from charter.errors import CharterError
from charter.guard.api import check_command
from charter.guard.decide import quote
from charter.guard.explain import advice
from charter.sandbox.run import after_start, prepare
from charter.sessions.tail import keep_tail, run_keeping_tail
from charter.state.active import read_active_session
from charter.state.commandlog import record_command

Note = Callable[[str], None]


def run_command(
    command: str | list[str], *, manifest: bool, note: Note, shell: str = "bash"
) -> int:
    """Guard `command`, run it when allowed, record it; its exit code, or 2 when denied.

    `manifest` is `--manifest`: write a run manifest, and fail without an
    active session; the policy's `manifest: always` asks for one too.
    """
    outcome = check_command(command, shell=shell)
    decision = outcome.decision
    clock = time.time()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    policy = outcome.policy
    wants_manifest = manifest or (policy is not None and policy.manifest == "always")
    if not decision.allowed:
        note(advice(decision, outcome.policy))
        _record(outcome.root, decision, (started, clock), exit_code=None, duration=0.0, note=note)
        if wants_manifest and outcome.root is not None:
            _with_manifest(outcome, manifest, note)
        return 2
    prepared = _sandbox(outcome, note)
    if prepared is None:
        _record(outcome.root, decision, (started, clock), exit_code=None, duration=0.0, note=note)
        return 2
    session = outcome.context.session if outcome.context is not None else None
    output: str | None = None
    try:
        ran = (
            _with_manifest(outcome, manifest, note, prepared.launcher)
            if wants_manifest and outcome.root
            else None
        )
        if ran is not None:
            exit_code, duration = ran
        elif session is not None and outcome.root is not None:  # in a session: keep a failing tail
            exit_code, duration, output = _execute_keeping_tail(
                decision, outcome.root, session, note, prepared.launcher
            )
        else:
            exit_code, duration = _execute(decision, note, prepared.launcher)
    finally:
        prepared.launcher.close()
    notice = after_start(prepared, outcome)
    if notice:
        note(f"charter run: {notice}")
    _record(
        outcome.root,
        decision,
        (started, clock),
        exit_code=exit_code,
        duration=duration,
        note=note,
        output=output,
        sandbox=prepared.launcher.kind,
    )
    _count_exit(outcome, exit_code, note)
    return exit_code


def _sandbox(outcome: Any, note: Note) -> Any:
    """The OS sandbox's launcher for the allowed command; None (said why) when it must not run."""
    from charter.guard.execute import clean_env  # lazy: only an allowed command runs

    try:
        prepared = prepare(outcome, clean_env(os.environ))
    except CharterError as exc:
        note(f"charter run: {exc}")
        return None
    if prepared.notice:
        note(f"charter run: {prepared.notice}")
    return prepared


def _count_exit(outcome: Any, exit_code: int, note: Note) -> None:
    """Count a failure (or end a run of them) against the session's budget; escalate once
    when this outcome spends it. The command itself was counted by the guard's decision."""
    context = outcome.context
    if context is None or context.session is None:
        return
    from charter.clock import iso, now  # lazy: charter run wraps every command; a session's only
    from charter.state import budget  # lazy: charter run wraps every command; a session's only

    session = context.session
    level = str(session["level"])
    limits = context.policy.budget(level)
    if not limits:
        return
    decision = outcome.decision
    source = decision.source
    text = source if isinstance(source, str) else " ".join(quote(w) for w in source)
    test = budget.is_test_command(decision.argvs, context.policy.test_commands)

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
        note(f"charter run: the exit code was not counted: {exc}")
        return
    if spent is None:
        return
    note(f"charter run: {budget.denial(spent)}")
    _escalate_budget(context.root, str(session["id"]), spent, note)


def _escalate_budget(root: str, session_id: str, spent: str, note: Note) -> None:
    # escalating reads the plans and regenerates the board: once per session at most
    from charter.safety.escalate import escalate_once  # lazy: only a spent budget escalates

    reason = f"budget spent: {spent}"
    try:
        result = escalate_once(
            Path(root), key=f"budget-{session_id}", event="budget-spent", reason=reason
        )
    except CharterError as exc:
        note(f"charter run: the escalation failed: {exc}")
        return
    if result is None:
        return  # another command got there first
    note(f"charter run: escalated: {result.outcome}")
    for problem in result.problems:
        note(f"charter run: escalation: {problem}")


def _with_manifest(
    outcome: Any, required: bool, note: Note, spawn: Any = None
) -> tuple[int, float] | None:
    """Run (or record the refusal) through the evidence manifest; None when no session owns it."""
    result = _run_guarded(outcome, required=required, spawn=spawn)
    if result is None:
        return None
    exit_code, duration, path = result
    note(f"charter run: manifest {os.path.relpath(path, outcome.root)}")
    return exit_code, duration


def _execute_keeping_tail(
    decision: Any, root: str, session: dict[str, Any], note: Note, spawn: Any
) -> tuple[int, float, str | None]:
    """Run it with its output passed through; a failure's last lines kept (their path)."""
    from charter.guard.execute import clean_env, exec_args  # lazy: only an allowed command runs

    args = exec_args(decision)
    begin = time.monotonic()
    try:
        exit_code, duration, tail = run_keeping_tail(args, clean_env(os.environ), spawn)
    except CharterError as exc:
        note(f"charter run: {exc}")
        return 126, time.monotonic() - begin, None
    except FileNotFoundError:
        note(f"charter run: command not found: {args[0]}")
        return 127, time.monotonic() - begin, None
    except PermissionError:
        note(f"charter run: permission denied: {args[0]}")
        return 126, time.monotonic() - begin, None
    if exit_code == 0:
        return exit_code, duration, None
    try:
        kept = keep_tail(Path(root), str(session["id"]), tail)
    except OSError as exc:
        note(f"charter run: the failing output was not kept: {exc.strerror}")
        return exit_code, duration, None
    note(f"charter run: exit {exit_code}; the tail of its output is kept in {kept}")
    return exit_code, duration, kept


def _execute(decision: Any, note: Note, spawn: Any) -> tuple[int, float]:
    from charter.guard.execute import clean_env, exec_args  # lazy: only an allowed command runs

    args = exec_args(decision)
    begin = time.monotonic()
    try:
        process = spawn(args, env=clean_env(os.environ))
    except CharterError as exc:
        note(f"charter run: {exc}")
        return 126, time.monotonic() - begin
    except FileNotFoundError:
        note(f"charter run: command not found: {args[0]}")
        return 127, time.monotonic() - begin
    except PermissionError:
        note(f"charter run: permission denied: {args[0]}")
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
    when: tuple[str, float],
    *,
    exit_code: int | None,
    duration: float,
    note: Note,
    sandbox: str | None = None,
    output: str | None = None,
) -> None:
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
        "started": when[0],
        "t": round(when[1], 6),  # orders this record among the guard's of the same second
    }
    if sandbox is not None:
        record["sandbox"] = sandbox
    network = getattr(decision, "network", None)
    if network:
        record["network"] = network
    record["argv" if decision.mode == "argv" else "string"] = source
    if output is not None:
        record["output"] = output
    try:
        if read_active_session(root) is None:
            note("charter run: no active session: the command was not recorded")
            return
        record_command(Path(root), record)
    except CharterError as exc:
        note(f"charter run: the command was not recorded: {exc}")


def _run_guarded(
    outcome: Any, *, required: bool, spawn: Any = None
) -> tuple[int, float, Path] | None:
    """`charter run`'s manifest path: run the guard's allowed command (or record its refusal).

    `outcome` is `charter.guard.api.check_command`'s answer. Returns the exit
    code, the seconds the command took and the manifest written. Without an
    active session there is no task to file the run under: with `required`
    (the user asked for --manifest) that is an error and nothing runs;
    otherwise (the policy's `manifest: always`) None: the caller runs it as usual.
    """
    # a run manifest (capture, schema, git state) only when one is asked for
    from charter.config import load_config  # lazy: manifest runs only
    from charter.evidence.manifest import Decision, run_with_manifest  # lazy: manifest runs only
    from charter.guard.execute import clean_env, exec_args  # lazy: manifest runs only
    from charter.state.session import read_active  # lazy: manifest runs only

    decision = outcome.decision
    config = load_config(Path(outcome.root))
    session = read_active(config.root)
    if session is None:
        if required:
            raise CharterError(
                "--manifest needs an active session: its task names the run folder "
                "(start one with `charter session start TASK`)"
            )
        return None
    record = Decision(bool(decision.allowed), decision.rule, decision.reason)
    result = run_with_manifest(
        config,
        decision.source,
        task=session.task,
        level=decision.level,
        decision=record,
        session=session,
        env=clean_env(os.environ),
        execute=exec_args(decision) if decision.allowed else None,
        spawn=spawn,
    )
    return result.exit_code, float(result.manifest["duration_seconds"]), result.path
