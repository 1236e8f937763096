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
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from charter.errors import CharterError
from charter.guard.api import check_command
from charter.guard.decide import quote
from charter.guard.explain import advice
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
    started = datetime.now(UTC).isoformat(timespec="seconds")
    policy = outcome.policy
    wants_manifest = manifest or (policy is not None and policy.manifest == "always")
    if not decision.allowed:
        note(advice(decision, outcome.policy))
        _record(outcome.root, decision, started, exit_code=None, duration=0.0, note=note)
        if wants_manifest and outcome.root is not None:
            _with_manifest(outcome, manifest, note)
        return 2
    ran = _with_manifest(outcome, manifest, note) if wants_manifest and outcome.root else None
    exit_code, duration = ran if ran is not None else _execute(decision, note)
    _record(outcome.root, decision, started, exit_code=exit_code, duration=duration, note=note)
    _count_exit(outcome, exit_code, note)
    return exit_code


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
    # lazy: escalating reads the plans and regenerates the board, once per session at most
    from charter.safety.escalate import escalate_once  # lazy: see above

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


def _with_manifest(outcome: Any, required: bool, note: Note) -> tuple[int, float] | None:
    """Run (or record the refusal) through the evidence manifest; None when no session owns it."""
    result = _run_guarded(outcome, required=required)
    if result is None:
        return None
    exit_code, duration, path = result
    note(f"charter run: manifest {os.path.relpath(path, outcome.root)}")
    return exit_code, duration


def _execute(decision: Any, note: Note) -> tuple[int, float]:
    from charter.guard.execute import clean_env, exec_args  # lazy: only an allowed command runs

    args = exec_args(decision)
    begin = time.monotonic()
    try:
        process = subprocess.Popen(args, env=clean_env(os.environ))
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
    started: str,
    *,
    exit_code: int | None,
    duration: float,
    note: Note,
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
        "started": started,
    }
    record["argv" if decision.mode == "argv" else "string"] = source
    try:
        if read_active_session(root) is None:
            note("charter run: no active session: the command was not recorded")
            return
        record_command(Path(root), record)
    except CharterError as exc:
        note(f"charter run: the command was not recorded: {exc}")


def _run_guarded(outcome: Any, *, required: bool) -> tuple[int, float, Path] | None:
    """`charter run`'s manifest path: run the guard's allowed command (or record its refusal).

    `outcome` is `charter.guard.api.check_command`'s answer. Returns the exit
    code, the seconds the command took and the manifest written. Without an
    active session there is no task to file the run under: with `required`
    (the user asked for --manifest) that is an error and nothing runs;
    otherwise (the policy's `manifest: always`) None: the caller runs it as usual.
    """
    # lazy: a run manifest (capture, schema, git state) only when one is asked for
    from charter.config import load_config  # lazy: see above
    from charter.evidence.manifest import Decision, run_with_manifest  # lazy: see above
    from charter.guard.execute import clean_env, exec_args  # lazy: see above
    from charter.state.session import read_active  # lazy: see above

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
    )
    return result.exit_code, float(result.manifest["duration_seconds"]), result.path
