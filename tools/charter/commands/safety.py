"""`charter stop`, `charter resume`, `charter escalate`: the kill switch and escalation."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import click

from charter.commands.common import config_for, echo_json, format_option, repo_option
from charter.safety.control import operator
from charter.safety.control import resume as lift
from charter.safety.control import stop as engage
from charter.safety.escalate import Escalation
from charter.safety.escalate import escalate as run_escalation


@click.command("stop")
@click.option("--reason", required=True, help="Why every agent command must stop now.")
@click.option("--by", default=None, metavar="NAME", help="Who stops it (default: your login).")
@format_option(("text", "json"))
@repo_option
def stop(reason: str, by: str | None, output_format: str, repo_dir: Path | None) -> int:
    """Engage the kill switch: every `charter guard` decision in the repository denies.

    Takes effect on the agent's next command, whatever its level or the policy
    says. Recorded in the active session's log, and escalated once (task
    Blocked, board and handoff regenerated, the policy's notifier run). Lift it
    with `charter resume --approved-by NAME`. Exit 0 once the switch is engaged.
    """
    result = engage(config_for(repo_dir), reason, by)
    switch = result.stop
    if output_format == "json":
        echo_json(
            {
                "engaged": True,
                "already": result.already,
                "by": switch.by,
                "at": switch.at,
                "reason": switch.reason,
                "escalation": _escalation_shape(result.escalation),
                "problems": list(result.problems),
            }
        )
        return 0
    if result.already:
        click.echo(
            f"charter stop: the kill switch is already engaged (by {switch.by or 'unknown'} "
            f"at {switch.at or 'unknown'}: {switch.reason}); nothing changed"
        )
        return 0
    click.echo(f"charter stop: kill switch engaged by {switch.by}: every command is denied")
    _escalation_report("charter stop", result.escalation)
    for problem in result.problems:
        click.echo(f"charter stop: {problem}", err=True)
    return 0


@click.command("resume")
@click.option(
    "--approved-by",
    "approved_by",
    required=True,
    metavar="NAME",
    help="The person who lets the work go on (recorded in the session log).",
)
@format_option(("text", "json"))
@repo_option
def resume(approved_by: str, output_format: str, repo_dir: Path | None) -> int:
    """Lift the kill switch engaged by `charter stop`.

    Needs a person's name, recorded in the session log. The task the stop
    blocked stays Blocked until someone moves it back. Agents cannot run this
    (`charter guard` denies it at every level). Exit 0 resumed, 2 nothing to resume.
    """
    result = lift(config_for(repo_dir), approved_by)
    if output_format == "json":
        echo_json(
            {
                "resumed": True,
                "stop_reason": result.stop.reason,
                "still_blocked": result.blocked_task,
                "problems": list(result.problems),
            }
        )
        return 0
    click.echo(
        f"charter resume: kill switch lifted (it said: {result.stop.reason}); commands are "
        "decided by the policy again"
    )
    if result.blocked_task is not None:
        click.echo(
            f"charter resume: {result.blocked_task} is still Blocked: when work may go on, "
            f"`charter task set {shlex.quote(result.blocked_task)} --status 'In Progress'`"
        )
    for problem in result.problems:
        click.echo(f"charter resume: {problem}", err=True)
    return 0


@click.command("escalate")
@click.option("--reason", required=True, help="What stopped the work, and what is needed.")
@click.option(
    "--task",
    "task_id",
    default=None,
    metavar="ID",
    help="The task to block (default: the active session's task).",
)
@click.option("--by", default=None, metavar="NAME", help="Who escalates (recorded in the log).")
@click.option(
    "--event",
    type=click.Choice(["escalation", "budget-spent", "kill-switch", "gate-failed"]),
    default="escalation",
    hidden=True,  # charter's own automatic escalations name their cause
)
@format_option(("text", "json"))
@repo_option
def escalate(
    reason: str,
    task_id: str | None,
    by: str | None,
    event: str,
    output_format: str,
    repo_dir: Path | None,
) -> int:
    """Hand the work to a person: block the task, record why, run the notifier.

    Records the escalation in the session log and in the task's plan (Status
    Blocked, with the reason), regenerates the board and the handoff, and runs
    the policy's `notify` command with the escalation as JSON on stdin. A
    failing notifier is reported and unblocks nothing. Exit 0 when every step
    worked, 1 when one failed (the notifier, a write), 2 on a usage error.
    """
    config = config_for(repo_dir)
    result = run_escalation(
        config, event=event, reason=reason, task_id=task_id, by=by or operator()
    )
    if output_format == "json":
        echo_json(_escalation_shape(result) or {})
    else:
        _escalation_report("charter escalate", result)
    return 1 if result.problems else 0


def _escalation_shape(result: object) -> dict[str, Any] | None:
    """An escalation as JSON; None when another charter process runs it."""
    if not isinstance(result, Escalation):
        return None
    return {
        "event": result.event,
        "task": result.task,
        "blocked": result.blocked,
        "outcome": result.outcome,
        "log": result.log,
        "notes": list(result.notes),
        "problems": list(result.problems),
    }


def _escalation_report(prefix: str, result: object) -> None:
    if not isinstance(result, Escalation):
        click.echo(f"{prefix}: the escalation was started by another charter process")
        return
    click.echo(f"{prefix}: escalated ({result.event}): {result.outcome}")
    if result.log is not None:
        click.echo(f"{prefix}: recorded in {result.log}")
    for note in result.notes:
        click.echo(f"{prefix}: {note}")
    for problem in result.problems:
        click.echo(f"{prefix}: {problem}", err=True)
