"""`charter task show|next|set|done|block`: read and edit tasks in their plan files.

Edits change only the bytes of the fields they set (see charter.tasks.edit); the
board is regenerated after each one unless --no-board is given.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from charter.board.memo import read_plans
from charter.board.regenerate import PlanBytes, board_locked, regenerate_board
from charter.checks.edit_gate import edit_validator
from charter.commands.common import config_for, echo_json, format_option, repo_option
from charter.config import Config
from charter.errors import CharterError, os_error_message
from charter.files import relpath
from charter.repo import load_repo
from charter.rulecodes import EVIDENCE_HASH_MISMATCH
from charter.tasks import edit
from charter.tasks.done import finish
from charter.tasks.edit import EditedPlan, Validator, unknown_task_message

# `charter task claim|renew|release|claims` (charter.commands.claim), loaded when asked
# for: the claims' modules (git refs, sockets) are no part of an edit's start-up.
CLAIM_COMMAND_NAMES = ("claim", "renew", "release", "claims")


class _TaskGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *CLAIM_COMMAND_NAMES})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in CLAIM_COMMAND_NAMES and name not in self.commands:
            from charter.commands.claim import CLAIM_COMMANDS  # lazy: claims only

            for command in CLAIM_COMMANDS:
                self.add_command(command)
        return super().get_command(ctx, name)


@click.group("task", cls=_TaskGroup)
def task() -> None:
    """Read and edit tasks in their plan files."""


@task.command("show")
@click.argument("task_id")
@format_option()
@repo_option
def show(task_id: str, output_format: str, repo_dir: Path | None) -> int:
    """Show one task: column, status, owner, plan and line, dependencies, evidence."""
    config = config_for(repo_dir, reads_plans=True)
    repo = load_repo(config)
    index = repo.task_index()
    found = index.get(task_id)
    if not found:
        raise CharterError(unknown_task_message(config, task_id, index))
    from charter.tasks.query import task_summary  # lazy: edits skip it

    summaries = [task_summary(t, repo, index) for t in found]
    if output_format == "json":
        click.echo(
            json.dumps(
                summaries[0] if len(summaries) == 1 else summaries, indent=2, ensure_ascii=False
            )
        )
    else:
        click.echo("\n\n".join(_show_text(s) for s in summaries))
    if len(found) > 1:
        places = ", ".join(f"{t.path}:{t.line}" for t in found)
        click.echo(f"charter task: {task_id} is defined {len(found)} times: {places}", err=True)
        return 1
    return 0


def _show_text(s: dict[str, Any]) -> str:
    lines = [
        f"{s['id']}  {s['title']}",
        f"  column:   {s['column']}" + (f" (status: {s['status']})" if s["status"] else ""),
        f"  plan:     {s['plan']}:{s['line']}",
    ]
    for key in ("owner", "priority", "level", "parent"):
        if s[key]:
            lines.append(f"  {key + ':':<9} {s[key]}")
    if s["depends"]:
        deps = ", ".join(f"{d['id']} ({d['column'] or 'unknown'})" for d in s["depends"])
        lines.append(f"  depends:  {deps}")
    for e in s["evidence"]:
        digest = f" (sha256: {e['sha256']})" if e["sha256"] else ""
        lines.append(f"  evidence: {e['path']}{digest}")
    shown = {"status", "owner", "priority", "level", "depends", "evidence"}
    for name, value in s["fields"].items():
        if name not in shown:
            lines.append(f"  {name.replace('_', ' ') + ':':<9} {value}")
    if s["subtasks"]:
        lines.append(f"  subtasks: {', '.join(str(x) for x in s['subtasks'])}")
    return "\n".join(lines)


@task.command("next")
@format_option()
@click.option(
    "-n", "--limit", type=click.IntRange(min=1), default=None, help="List at most this many tasks."
)
@click.option("--agent", default=None, help="Who asks (claims held by this agent are kept).")
@click.option("--include-claimed", is_flag=True, help="Also list tasks others have claimed.")
@repo_option
def next_(
    output_format: str,
    limit: int | None,
    agent: str | None,
    include_claimed: bool,
    repo_dir: Path | None,
) -> int:
    """Open tasks whose dependencies are done: by Priority (P0 first), then plan order.
    Tasks another agent has claimed are left out (and counted), unless --include-claimed."""
    from charter.claims.ops import store_for  # lazy: edits skip it
    from charter.claims.record import default_agent  # lazy: edits skip it
    from charter.tasks.available import next_unclaimed  # lazy: edits skip it
    from charter.tasks.query import (  # lazy: edits skip it
        next_tasks,
        open_without_id,
        task_summary,
    )

    config = config_for(repo_dir, reads_plans=True)
    repo = load_repo(config)
    held: list[dict[str, str]] = []  # open tasks left out: claimed by other agents
    if include_claimed:
        ready = next_tasks(repo)[:limit]
    else:
        store = store_for(config, Path.cwd() if repo_dir is None else None)
        found = next_unclaimed(repo, store, agent or default_agent(store.cwd.resolve()))
        ready = found.tasks[:limit]
        held = [{"id": t.id or "", "agent": c.agent} for t, c in found.left_out]
        if held:
            names = ", ".join(f"{h['id']} ({h['agent']})" for h in held)
            click.echo(
                f"charter task next: left out {len(held)} task(s) claimed by others: {names}",
                err=True,
            )
    if output_format == "json":
        index = repo.task_index()
        shape = {"tasks": [task_summary(t, repo, index) for t in ready], "left_out": held}
        echo_json(shape)
        return 0
    for t in ready:
        priority = t.value("priority") or "-"
        click.echo(f"{t.id}\t{priority}\t{t.title}\t{t.path}:{t.line}")
    if not ready:
        anonymous = open_without_id(repo)
        if anonymous:
            first = anonymous[0]
            click.echo(
                f"charter task next: no open task with an ID is ready; {len(anonymous)} open "
                f"checklist item(s) have no ID (first: {first.path}:{first.line} {first.title}) "
                "and cannot be named: give them IDs to have them recommended",
                err=True,
            )
        else:
            click.echo("charter task next: no open task has all its dependencies done", err=True)
    return 0


@task.command("set")
@click.argument("task_id")
@click.option("--status", default=None, help="New status (any text that maps to a column).")
@click.option("--owner", default=None, help="New owner.")
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set another field, e.g. --field priority=P1 (repeatable).",
)
@click.option("--no-board", is_flag=True, help="Do not regenerate the board afterwards.")
@format_option(("text", "json"))
@repo_option
def set_(
    task_id: str,
    status: str | None,
    owner: str | None,
    fields: tuple[str, ...],
    no_board: bool,
    output_format: str,
    repo_dir: Path | None,
) -> int:
    """Set a task's status, owner or other fields in its plan file."""
    if status is None and owner is None and not fields:
        raise click.UsageError("give --status, --owner or --field")
    pairs = []
    for item in fields:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.UsageError(f"--field takes NAME=VALUE, got {item!r}")
        pairs.append((name, value))
    config = config_for(repo_dir, reads_plans=True)
    path: Path | None = None
    with _editing(config, no_board) as check:
        try:
            if status is not None:
                path = edit.set_status(config, task_id, status, owner, validate=check)
            elif owner is not None:
                path = edit.set_field(config, task_id, "owner", owner, validate=check)
            for name, value in pairs:
                path = edit.set_field(config, task_id, name, value, validate=check)
        except (CharterError, OSError) as exc:
            if path is None:
                raise
            # Some of the fields were written before this one failed: say which file holds them.
            click.echo(f"{task_id}: partly updated in {relpath(config.root, path)}", err=True)
            raise _failed(exc) from exc
        assert path is not None  # one of status, owner, fields was given
        return _report(_after_edit(config, path, task_id, "updated", check, output_format))


@task.command("done")
@click.argument("task_id")
@click.option(
    "--evidence",
    required=True,
    help="Path (relative to the repository root) that proves the task is done.",
)
@click.option(
    "--sha256",
    "digest",
    default=None,
    metavar="HEX",
    help="Record this sha256 of the evidence file.",
)
@click.option(
    "--hash/--no-hash",
    "compute",
    default=True,
    show_default=True,
    help="Compute and record the evidence's sha256 (a folder's covers every file in "
    f"it); `charter check` reports evidence that changes later ({EVIDENCE_HASH_MISMATCH}).",
)
@click.option("--no-board", is_flag=True, help="Do not regenerate the board afterwards.")
@format_option(("text", "json"))
@repo_option
def done(
    task_id: str,
    evidence: str,
    digest: str | None,
    compute: bool,
    no_board: bool,
    output_format: str,
    repo_dir: Path | None,
) -> int:
    """Mark a task done with its evidence. Refused when the evidence path does not exist."""
    from charter.sessions.progress import record_progress  # lazy: set and block skip it

    config = config_for(repo_dir, reads_plans=True)
    evidence = _repo_relative(config, evidence)
    with _editing(config, no_board) as check:
        path = finish(config, task_id, evidence, digest, hash_evidence=compute, validate=check)
        outcome = _after_edit(
            config, path, task_id, f"done (evidence {evidence})", check, output_format
        )
    log = record_progress(config, task_id, evidence)
    if log is not None:
        outcome[1]["written"].append(str(log))
        if output_format == "text":
            click.echo(f"wrote {log} (progress)")
    return _report(outcome)


@task.command("review")
@click.argument("task_id")
@click.option("--no-board", is_flag=True, help="Do not regenerate the board afterwards.")
@format_option(("text", "json"))
@repo_option
def review(task_id: str, no_board: bool, output_format: str, repo_dir: Path | None) -> int:
    """Record HEAD's commit as the task's `Reviewed:` field; rule CH031 reports the task
    when the paths it references change after that commit."""
    config = config_for(repo_dir, reads_plans=True)
    from charter.tasks.review import review_task  # lazy: edits skip it

    with _editing(config, no_board) as check:
        path, sha = review_task(config, task_id, validate=check)
        return _report(
            _after_edit(config, path, task_id, f"reviewed at {sha}", check, output_format)
        )


@task.command("block")
@click.argument("task_id")
@click.option("--reason", required=True, help="Why the task is blocked (one line).")
@click.option("--no-board", is_flag=True, help="Do not regenerate the board afterwards.")
@format_option(("text", "json"))
@repo_option
def block(
    task_id: str, reason: str, no_board: bool, output_format: str, repo_dir: Path | None
) -> int:
    """Mark a task blocked, with the reason, in its plan file."""
    config = config_for(repo_dir, reads_plans=True)
    with _editing(config, no_board) as check:
        path = edit.block(config, task_id, reason, validate=check)
        return _report(_after_edit(config, path, task_id, "blocked", check, output_format))


def _repo_relative(config: Config, text: str) -> str:
    """A path typed relative to the current folder, when it exists there, else as given."""
    candidate = Path(text)
    if not candidate.is_absolute() and candidate.exists() and Path.cwd() != config.root:
        try:
            return candidate.resolve().relative_to(config.root.resolve()).as_posix()
        except ValueError:
            return text
    return text


def _failed(exc: CharterError | OSError) -> CharterError:
    return exc if isinstance(exc, CharterError) else CharterError(os_error_message(exc))


class _Gate:
    """The edit gate (charter.checks.edit_gate), remembering every plan's bytes as an edit it
    let through leaves them: the board is regenerated from them, not from a second read.
    `board`: the board's locks are held from before the edit read the plans to after the
    board is written, so no other regeneration writes in between."""

    def __init__(self, validate: Validator, board: bool):
        self.validate = validate
        self.board = board
        self.plans: PlanBytes | None = None

    def __call__(self, edit: EditedPlan) -> None:
        self.validate(edit)
        self.plans = edit.plans_after()


@contextlib.contextmanager
def _editing(config: Config, no_board: bool) -> Iterator[_Gate]:
    gate = _Gate(edit_validator(config), not no_board)
    with contextlib.nullcontext() if no_board else board_locked(config):
        yield gate


Outcome = tuple[int, dict[str, Any], str]  # exit code, the JSON shape, the output format


def _after_edit(
    config: Config, path: Path, task_id: str, what: str, gate: _Gate, output_format: str
) -> Outcome:
    """Exit 0: plan and board written; 1: the plan was written, the board was not. Text is
    printed as it happens; the JSON shape is printed by `_report` once complete."""
    plan = relpath(config.root, path)
    text = output_format == "text"
    shape: dict[str, Any] = {"task": task_id, "change": what, "plan": plan, "written": [plan]}
    shape["board"] = "not regenerated (--no-board)"
    if text:
        click.echo(f"{task_id}: {what} in {plan}")
    if not gate.board:
        return 0, shape, output_format
    try:
        # Read under the board's locks either way: by the edit, or now (it changed nothing).
        plans = gate.plans if gate.plans is not None else read_plans(config)
        result = regenerate_board(config, edited=True, plans=plans)
    except (CharterError, OSError) as exc:
        click.echo(
            f"charter task: {plan} was written; the board was NOT regenerated: {_failed(exc)}. "
            "Run `charter board` once the cause is fixed",
            err=True,
        )
        shape["board"] = f"NOT regenerated: {_failed(exc)}"
        return 1, shape, output_format
    shape["board"] = "regenerated" if result.changed else "up to date"
    shape["written"] += list(result.changed)
    for rel in result.changed if text else ():
        click.echo(f"wrote {rel}")
    return 0, shape, output_format


def _report(outcome: Outcome) -> int:
    code, shape, output_format = outcome
    if output_format == "json":
        echo_json(shape)
    return code
