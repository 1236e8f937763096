"""`charter check`: the rules, as a command and a pre-commit hook."""

from __future__ import annotations

from pathlib import Path

import click

from charter.checks.registry import RULES
from charter.commands.check_plain import check_output, emit
from charter.commands.common import format_option, repo_option


def _rules_epilog() -> str:
    rules = "\n".join(f"  {r.code} {r.name}: {r.summary}" for r in RULES.values())
    return f"Rules (docs/rules/<code>-<name>.md explains each):\n\n\b\n{rules}"


@click.command("check", epilog=_rules_epilog())
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@format_option(("text", "json", "github"))
@click.option("--no-cache", is_flag=True, help="Parse every file again, ignoring .charter/cache/.")
@click.option("--quiet", "-q", is_flag=True, help="Show no progress on a long check.")
@repo_option
def check(
    paths: tuple[Path, ...],
    output_format: str,
    no_cache: bool,
    quiet: bool,
    repo_dir: Path | None,
) -> int:
    """Check plans and session logs; print `path:line:col: CODE message`.

    PATHS limits the report to those files or folders (pre-commit passes the
    staged ones); every plan is still read, so cross-plan rules stay exact.
    Exit 0 when there is no error (warnings do not fail), 1 on errors,
    2 on a usage or configuration error.
    """
    return emit(*check_output(list(paths), output_format, no_cache, repo_dir, quiet))
