"""`charter import taskmaster|backlog|speckit|github PATH`: plans from other trackers."""

from __future__ import annotations

from pathlib import Path

import click

from charter.commands.common import config_for, format_option, repo_option
from charter.files import plan_files, relpath
from charter.importers.fit import require_readable_ids
from charter.importers.writer import rendered, write_plans
from charter.progress import shown
from charter.report import format_diagnostics

KINDS = ("taskmaster", "backlog", "speckit", "github")


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    default=None,
    help="Folder for the new plans, relative to the repository (default: docs/plans).",
)
@click.option(
    "--dry-run", is_flag=True, help="Print the plans that would be written; write nothing."
)
@format_option(("text", "json", "github"))
@click.option("--quiet", "-q", is_flag=True, help="Show no progress on long work.")
@repo_option
def import_(
    kind: str,
    source: Path,
    out_dir: str | None,
    dry_run: bool,
    output_format: str,
    quiet: bool,
    repo_dir: Path | None,
) -> int:
    """Write plans from Task Master, Backlog.md, spec-kit or GitHub issues.

    \b
      taskmaster  .taskmaster/tasks/tasks.json
      backlog     the Backlog.md folder (backlog/)
      speckit     the spec-kit specs/ folder, or one tasks.md
      github      the output of: gh issue list --state all --limit 1000
                  --json number,title,state,labels,milestone,body

    An existing file is never overwritten. Every plan is read back before it
    is written, so its IDs, statuses and dependencies are the source's. The
    source's own problems (duplicate IDs, unknown dependencies, stale copies)
    are printed as diagnostics. Exit 0 when the import is clean, 1 when a
    diagnostic is an error, 2 on a usage or configuration error.
    """
    import importlib
    import json

    config = config_for(repo_dir)
    path = source if source.is_absolute() else Path.cwd() / source
    rel = relpath(config.root, path)
    module = importlib.import_module(f"charter.importers.{kind}")
    with shown(f"charter import {kind}: reading back plans", quiet, unit="plans"):
        result = getattr(module, f"import_{kind}")(
            path, rel, config, (out_dir or "docs/plans").strip("/")
        )
        require_readable_ids(kind, result, config)
        files = rendered(result, config)
    unread: list[str] = []
    if not dry_run:
        write_plans(files, config.root)

        read = {relpath(config.root, p) for p in plan_files(config)}
        unread = [name for name, _text in files if name not in read]
    diagnostics = sorted(result.diagnostics)
    counts = [sum(1 for _ in plan.walk()) for plan in result.plans]
    if output_format == "json":
        click.echo(
            json.dumps(
                {
                    "written": not dry_run,
                    "files": [
                        {"path": name, "tasks": n, "text": text}
                        for (name, text), n in zip(files, counts, strict=True)
                    ],
                    "diagnostics": [d.to_dict() for d in diagnostics],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        if dry_run:
            for name, text in files:
                click.echo(f"==> {name} (not written: --dry-run) <==")
                click.echo(text, nl=False)
        if diagnostics:
            # With --dry-run stdout holds the plans; the findings go beside them on stderr.
            click.echo(format_diagnostics(diagnostics, output_format), err=dry_run)
        for name in unread:
            click.echo(
                f"charter import: warning: {name} is not read as a plan: add its folder "
                "to [tool.charter] plans, or import with --out",
                err=True,
            )
        verb = "would write" if dry_run else "wrote"
        for (name, _text), n in zip(files, counts, strict=True):
            click.echo(f"charter import: {verb} {name} ({n} task(s))", err=True)
    return 1 if any(d.severity == "error" for d in diagnostics) else 0
