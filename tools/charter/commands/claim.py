"""`charter task claim|renew|release|claims`: who works on which task (docs/parallel.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from charter.claims import ops
from charter.claims.record import default_agent
from charter.clock import now
from charter.commands.common import config_for, echo_json, format_option, repo_option
from charter.config import Config
from charter.errors import CharterError
from charter.repo import load_repo
from charter.tasks.edit import unknown_task_message

agent_option = click.option(
    "--agent",
    default=None,
    help="Who claims (default: $CHARTER_AGENT, else user@host:worktree).",
)
ttl_option = click.option(
    "--ttl", default=None, help="Lease length, e.g. 30m, 2h, 1d (default: claim_ttl, 2h)."
)


def _store(repo_dir: Path | None) -> tuple[Config, ops.Store]:
    config = config_for(repo_dir)
    return config, ops.store_for(config, Path.cwd() if repo_dir is None else None)


def _agent(store: ops.Store, agent: str | None) -> str:
    return agent or default_agent(store.cwd.resolve())


def _report(outcome: ops.Outcome, output_format: str) -> int:
    if output_format == "json":
        echo_json(outcome.as_json())
    else:
        click.echo(outcome.message, err=not outcome.ok)
    return 0 if outcome.ok else 1


@click.command("claim")
@click.argument("task_id")
@agent_option
@ttl_option
@format_option()
@repo_option
def claim(
    task_id: str, agent: str | None, ttl: str | None, output_format: str, repo_dir: Path | None
) -> int:
    """Claim a task: one compare-and-swap on refs/charter/claims/ID. Exit 1 when another
    agent holds it (named, with its expiry); an expired claim is taken over."""
    config, store = _store(repo_dir)
    index = load_repo(config).task_index()
    if task_id not in index:
        raise CharterError(unknown_task_message(config, task_id, index))
    outcome = ops.claim(store, task_id, _agent(store, agent), ttl or config.claim_ttl)
    return _report(outcome, output_format)


@click.command("renew")
@click.argument("task_id")
@agent_option
@ttl_option
@format_option()
@repo_option
def renew(
    task_id: str, agent: str | None, ttl: str | None, output_format: str, repo_dir: Path | None
) -> int:
    """Extend your claim on a task by its lease length from now."""
    config, store = _store(repo_dir)
    outcome = ops.renew(store, task_id, _agent(store, agent), ttl or config.claim_ttl)
    return _report(outcome, output_format)


@click.command("release")
@click.argument("task_id")
@agent_option
@click.option("--force", is_flag=True, help="Release another agent's claim (clearing up).")
@format_option()
@repo_option
def release(
    task_id: str, agent: str | None, force: bool, output_format: str, repo_dir: Path | None
) -> int:
    """Give a task back. Only its holder may, unless --force."""
    _, store = _store(repo_dir)
    outcome = ops.release(store, task_id, _agent(store, agent), force)
    return _report(outcome, output_format)


@click.command("claims")
@format_option()
@repo_option
def claims(output_format: str, repo_dir: Path | None) -> int:
    """List the claims: task, agent, host, worktree, expiry, and whether each is expired."""
    _, store = _store(repo_dir)
    listed = ops.list_claims(store)
    moment = now()
    expired = {c.task for c in listed if c.is_expired(moment, store.skew)}
    if output_format == "json":
        rows = [{**c.as_json(), "expired": c.task in expired} for c in listed]
        click.echo(json.dumps({"store": store.where, "claims": rows}, indent=2))
        return 0
    for c in listed:
        state = "expired" if c.task in expired else "live"
        click.echo(f"{c.task}\t{c.agent}\t{c.host}\t{c.expires_at}\t{state}\t{c.worktree}")
    if not listed:
        click.echo(f"charter task claims: no claims on {store.where}", err=True)
    return 0


CLAIM_COMMANDS = (claim, renew, release, claims)
