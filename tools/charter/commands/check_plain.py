"""`charter check` without click, for the pre-commit hook's plain calls.

A hook runs `charter check` on every commit, and loading click is a sixth of
a warm check. `main()` reads the arguments only when they are the plain ones a
hook or a person passes (`[PATHS] [--format F] [--no-cache] [--quiet] [--repo DIR]`) and
hands anything else (`--help`, an unknown option, a bad value) to the click
command, which explains it. A check that fails with an error is handed over
too, before anything is printed: click's command reports it as usual. Both
roads print what `check_output` returns, so their output is the same.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from charter.progress import TerminalProgress
from charter.reporoot import find_root
from charter.report import format_diagnostics, summary

TYPE_CHECKING = False
if TYPE_CHECKING:
    from charter.checks.engine import CheckReport
    from charter.checks.replay import Replayed, Sig
    from charter.detect import Detection

FORMATS = ("text", "json", "github")
_VALUED = ("--format", "--repo")


def main(args: list[str]) -> int | None:
    """The exit code of the check, or None when click's command must take `args`."""
    parsed = parse(args)
    if parsed is None:
        return None
    try:
        printed = check_output(*parsed)
    except KeyboardInterrupt:
        return 130
    except Exception:  # errors are click's command's to report, in its words
        return None
    try:
        return emit(*printed)
    except BrokenPipeError:  # `charter check | head`: the reader left, nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def parse(args: list[str]) -> tuple[list[Path], str, bool, Path | None, bool] | None:
    """The options of a plain call; None for anything click should read."""
    options: dict[str, str] = {}
    no_cache = False
    quiet = False
    paths: list[Path] = []
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            paths += [Path(a) for a in rest]
            break
        name, equals, value = arg.partition("=")
        if name in _VALUED:
            if name in options:
                return None
            if not equals:
                value = next(rest, "")
            options[name] = value
        elif arg == "--no-cache" and not no_cache:
            no_cache = True
        elif arg in ("--quiet", "-q") and not quiet:
            quiet = True
        elif arg.startswith("-"):
            return None
        else:
            paths.append(Path(arg))
    output_format = options.get("--format", "text")
    repo = options.get("--repo")
    if output_format not in FORMATS or repo == "" or "" in args:
        return None
    repo_dir = Path(repo) if repo is not None else None
    if repo_dir is not None and repo_dir.is_file():
        return None  # click says why a file is not a repository
    return paths, output_format, no_cache, repo_dir, quiet


def check_output(
    paths: list[Path],
    output_format: str,
    no_cache: bool,
    repo_dir: Path | None,
    quiet: bool = False,
) -> tuple[str | None, str | None, int]:
    """What the check prints on stdout (findings) and stderr (a summary line), and its exit
    code. A long check shows its progress on a terminal's stderr meanwhile."""
    from charter.checks import replay as replaying  # lazy: off the guard's start-up path

    today = time.strftime("%Y-%m-%d")  # date.today().isoformat(), without importing datetime
    wanted = [p if p.is_absolute() else Path.cwd() / p for p in paths]
    # Nothing changed since the last check: its result, without loading a rule, and when the
    # configuration's files did not change either, without reading it (checks.replay)
    report: Replayed | CheckReport | None = None
    record, root, decided = None, None, False
    taken: dict[str, Sig] = {}  # the files' signatures the replay took: not taken again
    if not no_cache:
        root = Path(find_root(str(repo_dir or Path.cwd())))  # where load_config finds it
        record = replaying.read_record_at(root)
        decided, report = replaying.replay_at_root(root, today, wanted, record, taken)
        if report is not None:
            return _printed(report, output_format, None)
    from charter.config import load_config  # lazy: a replay does not read the configuration

    config, detection = load_config(repo_dir), None
    if config.source is None:  # as `config_for_repo` starts: its detection only then
        from charter.detect import config_for_repo  # lazy: a repository without configuration

        config, detection = config_for_repo(repo_dir)
    if not no_cache:
        if config.root != root:  # never so today; should it be, the right record
            record, decided = replaying.read_record(config), False
            taken.clear()
        if not decided:  # else the record's inputs changed: replay() would find so again
            report = replaying.replay(config, today, wanted, record, taken)
    if report is None:
        from charter.checks.engine import check_repo  # lazy: a warm check replays
        from charter.checks.world_replay import partial  # lazy: a warm check replays

        progress = TerminalProgress("charter check: reading", quiet=quiet)
        try:
            report = check_repo(
                config,
                not no_cache,
                wanted,
                progress=progress if progress.enabled else None,  # else parsed in one batch
                # After an edit: the world rules' findings for the plans that did not change
                partial=None if no_cache else partial(config, today, record, taken),
            )
        finally:
            progress.close()
    return _printed(report, output_format, detection)


def _printed(
    report: Replayed | CheckReport, output_format: str, detection: Detection | None
) -> tuple[str | None, str | None, int]:
    diagnostics = report.diagnostics
    out = None
    if output_format == "json":
        out = format_diagnostics(
            diagnostics,
            "json",
            plans=report.plans,
            tasks=report.tasks,
            session_logs=report.sessions,
        )
    elif diagnostics:
        out = format_diagnostics(diagnostics, output_format)
    err = None
    if output_format == "text":
        err = (
            f"charter check: {report.plans} plan(s), {report.tasks} task(s), "
            f"{report.sessions} session log(s): {summary(diagnostics)}"
        )
    warning = detection.warning() if detection is not None else None
    if warning:
        err = f"{warning}\n{err}" if err else warning
    return out, err, 1 if any(d.severity == "error" for d in diagnostics) else 0


def emit(out: str | None, err: str | None, code: int) -> int:
    for text, stream in ((out, sys.stdout), (err, sys.stderr)):
        if text is not None:
            stream.write(text + "\n")
            stream.flush()
    return code
