"""Options and helpers shared by the click commands."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from charter.config import Config, load_config
from charter.model import Diagnostic

F = TypeVar("F", bound=Callable[..., Any])


def repo_option(func: F) -> F:
    return click.option(
        "--repo",
        "repo_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Repository root (default: found from the current directory).",
    )(func)


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


def config_for(repo_dir: Path | None) -> Config:
    return load_config(repo_dir)


def format_diagnostics(diagnostics: Sequence[Diagnostic], output_format: str) -> str:
    if output_format == "json":
        return json.dumps([d.to_dict() for d in diagnostics], indent=2, ensure_ascii=False)
    if output_format == "github":
        return "\n".join(_github(d) for d in diagnostics)
    return "\n".join(_text(d) for d in diagnostics)


def _text(d: Diagnostic) -> str:
    prefix = f"{d.path}:{d.line}:{d.col}: {d.code}"
    return f"{prefix} warning: {d.message}" if d.severity == "warning" else f"{prefix} {d.message}"


def _github(d: Diagnostic) -> str:
    def escape(value: str, prop: bool = False) -> str:
        value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return value.replace(":", "%3A").replace(",", "%2C") if prop else value

    kind = "warning" if d.severity == "warning" else "error"
    return (
        f"::{kind} file={escape(d.path, True)},line={d.line},col={d.col},"
        f"title={escape(d.code, True)}::{escape(d.message)}"
    )


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    files = len({d.path for d in diagnostics})
    return f"{errors} error(s), {warnings} warning(s) in {files} file(s)"
