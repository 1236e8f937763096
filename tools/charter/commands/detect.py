"""`charter detect`: where the plans are and how they are written, with no configuration."""

from __future__ import annotations

from pathlib import Path

import click

from charter.commands.common import echo_json, format_option, repo_option
from charter.detect.report import as_dict, as_text
from charter.detect.run import detect_with_counts


@click.command("detect")
@format_option()
@repo_option
def detect(output_format: str, repo_dir: Path | None) -> int:
    """Show the governance documents charter finds and the configuration it would use.

    Runs whether or not the repository has a configuration (an explicit one
    still wins when other commands run). `charter init --detect` writes the
    result as charter.toml.
    """
    detection, tasks = detect_with_counts(repo_dir)
    if output_format == "json":
        echo_json(as_dict(detection, tasks))
    else:
        click.echo(as_text(detection, tasks))
    return 0
