"""`charter overlap`: claimed tasks whose declared or changed files collide."""

from __future__ import annotations

from pathlib import Path

import click

from charter.claims import overlap as lib
from charter.claims.ops import store_for
from charter.commands.common import config_for, echo_json, format_option, repo_option
from charter.repo import load_repo


@click.command("overlap")
@click.option("--base", default=None, help="What branches merge into (default: origin/HEAD, main).")
@format_option()
@repo_option
def overlap(base: str | None, output_format: str, repo_dir: Path | None) -> int:
    """Compare the claimed tasks of different agents: their `Touches:` paths and the files
    changed on each claimant's worktree or branch. Exit 1 when a pair collides."""
    config = config_for(repo_dir)
    store = store_for(config, Path.cwd() if repo_dir is None else None)
    target = base or lib.default_base(store.cwd)
    sides = lib.sides(load_repo(config), store, target)
    found = lib.collisions(sides)
    if output_format == "json":
        data = {
            "base": target,
            "claims": [
                {
                    "task": s.claim.task,
                    "agent": s.claim.agent,
                    "declared": list(s.declared),
                    "changed": None if s.changed is None else list(s.changed),
                    "changes_from": s.changes_from,
                }
                for s in sides
            ],
            "collisions": [c.as_json() for c in found],
        }
        echo_json(data)
        return 1 if found else 0
    for s in sides:
        if s.changed is None:
            click.echo(f"{s.claim.task} ({s.claim.agent}): changes {s.changes_from}", err=True)
    for c in found:
        click.echo(
            f"{c.first.claim.task} ({c.first.claim.agent}) and "
            f"{c.second.claim.task} ({c.second.claim.agent}) collide:"
        )
        for kind, paths in c.reasons:
            click.echo(f"  {kind}: {', '.join(paths)}")
    click.echo(f"{len(found)} colliding pair(s) among {len(sides)} claimed task(s) (base {target})")
    return 1 if found else 0
