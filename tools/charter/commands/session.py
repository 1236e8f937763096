"""`charter session start|status|end|abort|check|export|import` (see docs/sessions.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from charter.commands.common import config_for, echo_json, format_option, repo_option
from charter.errors import CharterError
from charter.guard.policy import load_policy
from charter.io import write_text_atomic
from charter.safety.status import format_status, safety_status
from charter.sandbox.layers import format_layers, session_layers
from charter.sessions.abort import abort_session
from charter.sessions.briefing import briefing
from charter.sessions.end import end_session
from charter.sessions.hook import (
    SessionCheck,
    check_session,
    claude_stop_decision,
    payload_root,
    read_payload,
)
from charter.sessions.preconditions import Request
from charter.sessions.start import start_session
from charter.sessions.transfer import export_session, import_session
from charter.state.commandlog import fold_commands, read_trail
from charter.state.session import read_active


@click.group("session")
def session() -> None:
    """Start, inspect and end an agent's working session.

    A session is one agent working on one task: `start` checks the
    preconditions and writes the session log, `end` closes it once it is
    complete, `check` (also the Claude Code Stop hook) says what it lacks.
    """


@session.command("start")
@click.argument("task_id", metavar="TASK")
@click.option(
    "--agent",
    envvar="CHARTER_AGENT",
    default="unknown",
    show_default=True,
    help="Who works the session (claude-code, codex, a name). Env: CHARTER_AGENT.",
)
@click.option(
    "--level",
    default=None,
    metavar="L",
    help="Autonomy level (default: the policy's default_level).",
)
@click.option(
    "--approved-by",
    "approved_by",
    default=None,
    metavar="NAME",
    help="Operator who approved a level above the default. Env: CHARTER_APPROVED_BY.",
)
@format_option(("text", "json"))
@repo_option
def start(
    task_id: str,
    agent: str,
    level: str | None,
    approved_by: str | None,
    output_format: str,
    repo_dir: Path | None,
) -> int:
    """Check every precondition for TASK; when all hold, open the session and print a briefing.

    Preconditions: scope (the task is in a plan and on an up-to-date board,
    not done or blocked, its dependencies done), telemetry gates (its plan has
    one), tooling (the plan's `requires` commands exist), level (above the
    default only when documented and approved; opt-in environment set) and no
    other active session. Exit 0 started, 1 a precondition failed (all are
    listed, nothing is written), 2 a usage or configuration error. With --format json: one
    object, `started`, `session` (its id, task, level, log, ...), `failures` (each `check`,
    `where`, `message`) and `briefing` (the text an agent reads).
    """
    from dataclasses import asdict

    config = config_for(repo_dir)
    request = Request(task_id, agent=agent, level=level, approved_by=approved_by)
    result = start_session(config, request)
    if output_format == "json":
        text = briefing(config, result.findings, result.session) if result.session else None
        echo_json(
            {
                "started": result.session is not None,
                "task": task_id,
                "session": asdict(result.session) if result.session else None,
                "failures": [asdict(f) for f in result.findings.failures],
                "briefing": text,
            }
        )
        return 0 if result.session is not None else 1
    if result.session is None:
        failures = result.findings.failures
        click.echo(
            f"charter session start {task_id}: {len(failures)} precondition(s) failed; "
            "nothing was written:",
            err=True,
        )
        for failure in failures:
            click.echo(f"  {failure}", err=True)
        return 1
    click.echo(briefing(config, result.findings, result.session), nl=False)
    return 0


def _layers(config: Any, level: str) -> dict[str, Any]:
    """The enforcement layers at `level` (docs/guard.md), or {"error": why} when unknown."""
    import os

    try:
        policy = load_policy(config.path(config.policy), config.policy)
        return session_layers(config.root, policy, level, dict(os.environ))
    except (CharterError, KeyError) as exc:
        return {"error": str(exc)}


@session.command("status")
@format_option(("text", "json"))
@repo_option
def status(output_format: str, repo_dir: Path | None) -> int:
    """The active session: its task, level, log, budget used and the commands run so far.

    Exit 0 when a session is active, 1 when none is.
    """
    from dataclasses import asdict

    config = config_for(repo_dir)
    active = read_active(config.root)
    if active is not None:
        fold_commands(config.root)  # the guard's audit trail into the log's table
    commands = read_trail(config.root, active.id) if active is not None else []
    safety = safety_status(config, active) if active is not None else None
    layers = _layers(config, active.level) if active is not None else None
    if output_format == "json":
        data: dict[str, object] = {"active": asdict(active) if active else None}
        data["commands"] = commands
        if safety is not None:
            data["safety"] = safety
        if layers is not None:
            data["layers"] = layers
        echo_json(data)
        return 0 if active else 1
    if active is None:
        click.echo("no active session")
        return 1
    click.echo(
        f"session {active.id}\n  task: {active.task}\n  level: {active.level}"
        f"{f' (approved by {active.approved_by})' if active.approved_by else ''}\n"
        f"  agent: {active.agent}\n  started: {active.started}\n  log: {active.log}"
    )
    for line in format_status(safety or {}):
        click.echo(line)
    if layers is not None:
        click.echo("  enforcement layers:")
        for line in format_layers(layers, indent="    ") if "error" not in layers else []:
            click.echo(line)
        if "error" in layers:
            click.echo(f"    unknown ({layers['error']})")
    click.echo(f"  commands: {len(commands)}")
    for entry in commands:
        click.echo(f"    {describe_command(entry)}")
    return 0


def describe_command(entry: dict[str, object]) -> str:
    """One line for a recorded command: time, decision or exit code, command."""
    when = entry.get("started") or ""
    outcome = entry.get("exit_code")
    if outcome is None:
        outcome = entry.get("decision", "")
    command = entry.get("command") or ""
    return " ".join(
        str(part) for part in (when, f"[{outcome}]" if outcome != "" else "", command) if part
    )


@session.command("end")
@click.option(
    "--blocked",
    "blocked",
    default=None,
    metavar="REASON",
    help="End blocked: move the task to Blocked with REASON in its plan.",
)
@format_option(("text", "json"))
@repo_option
def end(blocked: str | None, output_format: str, repo_dir: Path | None) -> int:
    """Close the active session's log and regenerate the board and handoff.

    Refuses (exit 1, listing what is missing, changing nothing) while the log
    holds template placeholders or an empty required section, or while the
    task claims done without evidence. With --format json: one object, `ended`, `session`,
    `log`, `status`, `gaps` (each `path`, `line`, `message`), `written` and `claim`.
    """
    from dataclasses import asdict

    config = config_for(repo_dir)
    result = end_session(config, blocked)
    if output_format == "json":
        echo_json(
            {
                "ended": result.ended,
                "session": result.session.id,
                "log": result.session.log,
                "status": result.status or None,
                "gaps": [asdict(gap) for gap in result.gaps],
                "written": list(result.written),
                "claim": result.claim or None,
            }
        )
        return 0 if result.ended else 1
    if not result.ended:
        click.echo(
            f"charter session end: session {result.session.id} is not complete; "
            "nothing was changed:",
            err=True,
        )
        for gap in result.gaps:
            click.echo(f"  {gap}", err=True)
        return 1
    click.echo(f"session {result.session.id} ended ({result.status}); log: {result.session.log}")
    for rel in result.written:
        click.echo(f"  updated {rel}")
    if result.claim:
        click.echo(f"  {result.claim}")
    return 0


@session.command("abort")
@click.option(
    "--reason",
    "reason",
    required=True,
    metavar="TEXT",
    help="Why the session is abandoned; recorded in the log's frontmatter.",
)
@format_option(("text", "json"))
@repo_option
def abort(reason: str, output_format: str, repo_dir: Path | None) -> int:
    """Abandon the active session: close its log as aborted, keep every line of it.

    For a session that cannot end: started by mistake, its agent gone, its log
    never to be filled in. The log gets `status: aborted`, `ended` and
    `aborted_reason`; the task and its plan are left as they are; the active
    session is cleared; the board and the handoff are regenerated.
    """
    result = abort_session(config_for(repo_dir), reason)
    if output_format == "json":
        data = {
            "session": result.session.id,
            "log": result.session.log,
            "status": "aborted",
            "log_closed": result.log_closed,
            "written": list(result.written),
        }
        click.echo(json.dumps(data, ensure_ascii=False))
        return 0
    click.echo(f"session {result.session.id} aborted; log: {result.session.log}")
    if not result.log_closed:
        click.echo("  the log was missing: only the active session was cleared")
    for rel in result.written:
        click.echo(f"  updated {rel}")
    return 0


@session.command("check")
@click.option(
    "--hook",
    "hook",
    type=click.Choice(["claude-code"]),
    default=None,
    help="Answer as an agent's stop hook (JSON on stdin and stdout).",
)
@format_option(("text", "json"))
@repo_option
def check(hook: str | None, output_format: str, repo_dir: Path | None) -> int:
    """Is the active session's log complete? Exit 0 yes (or no session), 1 no.

    With --hook claude-code it is Claude Code's Stop hook: it reads the hook's
    JSON from stdin and, while the log is incomplete, prints
    {"decision": "block", "reason": ...} so the agent finishes the log first.
    """
    if hook is not None:
        payload = read_payload(sys.stdin.read())
        result: SessionCheck | Exception
        try:
            result = check_session(config_for(repo_dir or payload_root(payload)))
        except CharterError as exc:
            result = exc
        decision = claude_stop_decision(payload, result)
        if decision is not None:
            click.echo(json.dumps(decision, ensure_ascii=False))
        return 0
    outcome = check_session(config_for(repo_dir))
    if output_format == "json":
        from dataclasses import asdict

        echo_json(
            {
                "session": outcome.session.id if outcome.session else None,
                "complete": outcome.session is None or outcome.complete,
                "gaps": [asdict(gap) for gap in outcome.gaps],
            }
        )
        return 0 if outcome.session is None or outcome.complete else 1
    if outcome.session is None:
        click.echo("no active session")
        return 0
    if outcome.complete:
        click.echo(
            f"session {outcome.session.id}: the log is complete; end it with `charter session end`"
        )
        return 0
    click.echo(f"session {outcome.session.id}: the log is not complete:")
    for gap in outcome.gaps:
        click.echo(f"  {gap}")
    return 1


# `charter session ingest` lives in its own module, beside the transcript readers.
from charter.commands.ingest import ingest  # noqa: E402 - registered after the group exists

session.add_command(ingest)


@session.command("export")
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write the bundle to (JSON).",
)
@format_option(("text", "json"))
@repo_option
def export(output: Path, output_format: str, repo_dir: Path | None) -> int:
    """Write the active session's local state (.charter/) to one file, to move the session.

    The bundle holds the active session record, its budget counters, events,
    command logs, audit trail and kept output, and the kill switch when it is
    engaged. Carry it with the repository; `charter session import FILE` there.
    """
    result, text = export_session(config_for(repo_dir).root)
    write_text_atomic(output, text + "\n")
    if output_format == "json":
        echo_json(
            {"written": str(output), "session": result.session_id, "files": list(result.files)}
        )
        return 0
    click.echo(f"wrote {output}: session {result.session_id}, {len(result.files)} file(s)")
    return 0


@session.command("import")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@format_option(("text", "json"))
@repo_option
def import_(bundle: Path, output_format: str, repo_dir: Path | None) -> int:
    """Restore a session exported with `charter session export` into this checkout.

    Refused (nothing written) when another session is active here, when a file
    exists with other content, or when the bundle is damaged.
    """
    text = bundle.read_text(encoding="utf-8")
    result = import_session(config_for(repo_dir).root, text, str(bundle))
    if output_format == "json":
        shape = {"session": result.session_id, "written": list(result.files)}
        echo_json({**shape, "unchanged": list(result.unchanged)})
        return 0
    click.echo(f"imported session {result.session_id} from {bundle}")
    for rel in result.files:
        click.echo(f"  wrote {rel}")
    if result.unchanged:
        click.echo(f"  {len(result.unchanged)} file(s) already up to date")
    return 0
