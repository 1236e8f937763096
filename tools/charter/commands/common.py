"""Options and helpers shared by the click commands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from charter.config import Config
from charter.detect import config_for_repo

F = TypeVar("F", bound=Callable[..., Any])


def repo_option(func: F) -> F:
    return click.option(
        "--repo",
        "repo_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Repository root (default: found from the current directory).",
    )(func)


def echo_json(shape: dict[str, Any]) -> None:
    """A command's result as one JSON object on stdout (every `--format json` prints one)."""
    import json

    click.echo(json.dumps(shape, indent=2, ensure_ascii=False))


def format_option(choices: Sequence[str] = ("text", "json")) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        return click.option(
            "--format",
            "output_format",
            type=click.Choice(list(choices)),
            default=choices[0],
            show_default=True,
            help="Output format.",
        )(func)

    return decorate


def config_for(repo_dir: Path | None, reads_plans: bool = False) -> Config:
    """The repository's configuration; without one, what discovery finds (charter.detect).
    A command that reads plans warns on stderr when discovery finds none."""
    config, detection = config_for_repo(repo_dir)
    warning = detection.warning() if detection is not None and reads_plans else None
    if warning:
        click.echo(warning, err=True)
    return config
