"""`charter session ingest codex|claude-code FILE`: fold a transcript into the session log."""

from __future__ import annotations

from pathlib import Path

import click

from charter.commands.common import config_for, echo_json, format_option, repo_option
from charter.errors import CharterError
from charter.files import relpath
from charter.ingest.claude_code import parse_claude_code
from charter.ingest.codex import parse_codex
from charter.ingest.fold import fold_file
from charter.ingest.judge import judge, log_level
from charter.ingest.transcript import Transcript
from charter.io import read_text
from charter.state.session import read_active


@click.command("ingest")
@click.argument("agent", type=click.Choice(["codex", "claude-code"]))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--log",
    "log",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Session log to fold into (default: the active session's).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite transcript regions even where they were edited by hand.",
)
@format_option(("text", "json"))
@repo_option
def ingest(
    agent: str,
    file: Path,
    log: Path | None,
    force: bool,
    output_format: str,
    repo_dir: Path | None,
) -> int:
    """Fold an agent's transcript into the session log's generated sections.

    AGENT is `codex` (the JSON Lines of `codex exec --json`) or `claude-code`
    (a transcript from ~/.claude/projects/). The commands run with their exit
    codes, the files changed and the token usage go into the regions
    transcript-commands, transcript-files and transcript-usage; a log without
    them gets them appended at its end. Ingesting the same transcript again
    replaces its part; hand-written text is never touched.

    Unknown event types are skipped and counted; malformed lines are reported
    as FILE:LINE and skipped. Exit 0 folded, 2 nothing readable or no session.
    """
    config = config_for(repo_dir)
    log_path = _log_path(config.root, log)
    transcript: Transcript
    transcript = parse_codex(file) if agent == "codex" else parse_claude_code(file)
    for bad in transcript.malformed:
        click.echo(f"{file}:{bad.line}: malformed line skipped: {bad.message}", err=True)
    recognised = transcript.events - sum(transcript.skipped.values())
    if recognised == 0:
        raise CharterError(
            f"no {agent} transcript events in it ({transcript.events} JSON "
            f"line(s), {len(transcript.malformed)} malformed): is it the right "
            "agent's file?",
            file,
        )
    verdicts = judge(transcript, config.root, _level(config.root, log_path))
    result = fold_file(
        log_path, transcript, root=config.root, source=file, force=force, verdicts=verdicts
    )
    rel = _rel(config.root, log_path)
    denied = [n for n, v in enumerate(verdicts, 1) if not v.allowed]
    if output_format == "json":
        echo_json(
            {
                "log": rel,
                "folded": result.changed,
                "key": result.key,
                "commands": len(transcript.commands),
                "failed_commands": transcript.failed_commands,
                "file_changes": len(transcript.files),
                "denied": denied,
                "appended": list(result.appended),
                "skipped": dict(sorted(transcript.skipped.items())),
                "malformed": [{"line": b.line, "message": b.message} for b in transcript.malformed],
            }
        )
        return 0
    verb = "folded" if result.changed else "already up to date:"
    click.echo(
        f"{verb} {result.key} into {rel}: {len(transcript.commands)} command(s) "
        f"({transcript.failed_commands} failed), {len(transcript.files)} file change(s), "
        f"{_tokens(transcript)}"
    )
    if denied:
        click.echo(
            f"  {len(denied)} command(s) the policy would have denied, marked DENIED in the "
            f"log: #{', #'.join(str(n) for n in denied)}",
            err=True,
        )
    if result.appended:
        click.echo(
            f"  added the missing region(s) {', '.join(result.appended)} at the end of {rel}",
            err=True,
        )
    if transcript.skipped:
        counts = ", ".join(f"{k} ({v})" for k, v in sorted(transcript.skipped.items()))
        click.echo(
            f"  skipped {sum(transcript.skipped.values())} event(s) of unknown types: {counts}",
            err=True,
        )
    return 0


def _log_path(root: Path, log: Path | None) -> Path:
    if log is not None:
        return log if log.is_absolute() else Path.cwd() / log
    active = read_active(root)
    if active is None:
        raise CharterError(
            "no active session: start one with `charter session start TASK`, "
            "or name the log with --log PATH"
        )
    return root / active.log


def _level(root: Path, log: Path) -> str | None:
    """The level the transcript's commands are judged at: the active session's when it is
    this log's, else the log's own `level:`, else the policy's default."""
    active = read_active(root)
    if active is not None and (root / active.log).resolve() == log.resolve():
        return active.level
    text = read_text(log)
    return log_level(text) if text is not None else None


def _rel(root: Path, path: Path) -> str:
    return relpath(root, path)


def _tokens(transcript: Transcript) -> str:
    if not transcript.usage_known:
        return "token usage not reported"
    return f"{transcript.usage.total:,} tokens"
