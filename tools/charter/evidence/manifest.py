"""Run manifests: the record of one command run for a task, written where a plan can cite it.

`charter run --manifest -- CMD...` writes `<runs>/<TASK>/<run-id>/manifest.json`
(format: charter/schemas/run-manifest.v1.json). A plan's `Evidence:` then
points at it, `charter check` reads it back (a failed run, another task's
run, a dirty tree), and the handoff and `charter stats` summarise all of them.

The guard decides; this module only runs and records. `run_with_manifest` is
the one call `charter run` makes; `build_manifest` and `write_manifest` are
its parts, for callers that run the command themselves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from charter import __version__
from charter.config import Config
from charter.errors import CharterError

if TYPE_CHECKING:
    from charter.evidence.capture import Captured, Sink, Spawn, TreeState
    from charter.state.session import ActiveSession

SCHEMA = "charter/run-manifest/v1"
SCHEMA_FILE = "run-manifest.v1.json"
MANIFEST_NAME = "manifest.json"
MAX_DIRTY_PATHS = 50
_MARKER = b'"charter/run-manifest/'
_SAFE_TASK = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*\Z")


@dataclass(frozen=True)
class Decision:
    """The guard's answer for the command, as the manifest records it."""

    allowed: bool
    rule: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class RunOutcome:
    exit_code: int
    path: Path  # the manifest written
    manifest: Mapping[str, Any]


def new_run_id(now: datetime) -> str:
    import secrets  # here, not at the top: `charter check` reads manifests and never needs it

    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H-%M-%S")
    return f"{stamp}-{now.microsecond // 1000:03d}Z-{secrets.token_hex(4)}"


def iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond // 1000:03d}Z"


def run_dir(config: Config, task: str, run_id: str) -> Path:
    if not _SAFE_TASK.match(task):
        raise CharterError(
            f"task ID {task!r} cannot name a folder under {config.runs}/ "
            "(letters, digits, '.', '_' and '-' only)"
        )
    return config.root / config.runs / task / run_id


def own_records(config: Config) -> tuple[str, ...]:
    """Paths that hold charter's bookkeeping, not the work: never dirty, never changed.

    The board and handoff are derived from the plans, so a plan edit still shows.
    """
    return (
        config.runs,
        ".charter",
        config.sessions,
        config.board,
        config.board_csv,
        config.handoff,
    )


def command_text(command: Sequence[str] | str) -> str:
    import shlex

    return command if isinstance(command, str) else shlex.join(command)


def build_manifest(
    *,
    run_id: str,
    task: str,
    command: Sequence[str] | str,
    cwd: str,
    level: str | None,
    decision: Decision,
    approvals: Sequence[Mapping[str, str | None]] = (),
    session: ActiveSession | None = None,
    captured: Captured | None = None,
    before: TreeState | None = None,
    after: TreeState | None = None,
    root: Path | None = None,
    started: datetime | None = None,
) -> dict[str, Any]:
    """The manifest as a JSON-ready dict; `captured` None records a denied command."""
    from charter.evidence.capture import changed_files  # lazy: off a warm check's start-up path

    if captured is not None:
        start, end, seconds = captured.started, captured.ended, captured.seconds
    else:
        start = end = started or datetime.now(UTC)
        seconds = 0.0
    status = "denied"
    if captured is not None:
        status = "succeeded" if captured.exit_code == 0 else "failed"
    git: dict[str, Any] | None = None
    if before is not None:
        dirty = sorted(before.entries)
        git = {
            "head": before.head,
            "branch": before.branch,
            "dirty": bool(dirty),
            "dirty_count": len(dirty),
            "dirty_paths": dirty[:MAX_DIRTY_PATHS],
        }
    changes = None
    if before is not None and after is not None and root is not None:
        changes = changed_files(root, before, after)
    return {
        "schema": SCHEMA,
        "run_id": run_id,
        "task": task,
        "session": None
        if session is None
        else {"id": session.id, "log": session.log, "agent": session.agent},
        "command": command_text(command),
        "argv": None if isinstance(command, str) else list(command),
        "cwd": cwd,
        "level": level,
        "decision": {"allowed": decision.allowed, "rule": decision.rule, "reason": decision.reason},
        "approvals": [dict(a) for a in approvals],
        "started": iso(start),
        "ended": iso(end),
        "duration_seconds": round(seconds, 3),
        "status": status,
        "exit_code": None if captured is None else captured.exit_code,
        "signal": None if captured is None else captured.signal,
        "git": git,
        "stdout": None if captured is None else captured.stdout.to_json(),
        "stderr": None if captured is None else captured.stderr.to_json(),
        "files_changed": changes,
        "charter_version": __version__,
    }


def write_manifest(config: Config, manifest: Mapping[str, Any]) -> Path:
    """Write the manifest to its own new folder; CharterError if it breaks the schema.

    The folder is new for every run, so two runs never share a file and no
    lock is needed; the write itself is atomic.
    """
    from charter.io import write_text_atomic  # lazy: off a warm check's start-up path

    problems = validate_manifest(manifest)
    if problems:
        raise CharterError("refusing to write an invalid run manifest: " + "; ".join(problems))
    directory = run_dir(config, str(manifest["task"]), str(manifest["run_id"]))
    try:
        directory.mkdir(parents=True, exist_ok=False)
    except FileExistsError:
        raise CharterError(f"run folder already exists: {directory}") from None
    path = directory / MANIFEST_NAME
    write_text_atomic(path, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return path


def session_approvals(session: ActiveSession | None) -> list[dict[str, str | None]]:
    if session is None or not session.approved_by:
        return []
    return [{"by": session.approved_by, "level": session.level, "source": "session"}]


def run_with_manifest(
    config: Config,
    command: Sequence[str] | str,
    *,
    task: str,
    level: str | None,
    decision: Decision,
    cwd: Path | None = None,
    approvals: Sequence[Mapping[str, str | None]] | None = None,
    session: ActiveSession | None = None,
    env: Mapping[str, str] | None = None,
    tail_bytes: int | None = None,
    stdout_sink: Sink | None = None,
    stderr_sink: Sink | None = None,
    execute: Sequence[str] | None = None,
    spawn: Spawn | None = None,
) -> RunOutcome:
    """Run an allowed command, teeing its output, and write its manifest.

    `command` is what the manifest records (what the guard checked); `execute`,
    when given, is the argv that runs it (`bash -c STRING` for a string). A
    denied decision runs nothing and records the refusal (exit code 2, as
    `charter guard` denies). The command's own exit code is returned.
    """
    from charter.evidence.capture import (  # lazy: off a warm check's start-up path
        DEFAULT_TAIL_BYTES,
        run_captured,
        tree_state,
    )

    root = config.root
    workdir = (cwd or Path.cwd()).resolve()
    try:
        rel_cwd = workdir.relative_to(root.resolve()).as_posix() or "."
    except ValueError:
        raise CharterError(f"run from inside the repository ({root}), not {workdir}") from None
    run_id = new_run_id(datetime.now(UTC))
    run_dir(config, task, run_id)  # a task that cannot name a folder fails before anything runs
    if approvals is None:
        approvals = session_approvals(session)
    common: dict[str, Any] = {
        "run_id": run_id,
        "task": task,
        "command": command,
        "cwd": rel_cwd,
        "level": level,
        "decision": decision,
        "approvals": approvals,
        "session": session,
    }
    if not decision.allowed:
        manifest = build_manifest(**common)
        return RunOutcome(2, write_manifest(config, manifest), manifest)
    before = tree_state(root, own_records(config))
    captured = run_captured(
        command if execute is None else list(execute),
        workdir,
        env=env,
        tail_bytes=DEFAULT_TAIL_BYTES if tail_bytes is None else tail_bytes,
        stdout_sink=stdout_sink,
        stderr_sink=stderr_sink,
        spawn=spawn,
    )
    after = tree_state(root, own_records(config)) if before is not None else None
    manifest = build_manifest(**common, captured=captured, before=before, after=after, root=root)
    return RunOutcome(captured.exit_code, write_manifest(config, manifest), manifest)


# ---- reading ----------------------------------------------------------------


def validate_manifest(data: Any) -> list[str]:
    from charter.schemas import load_schema, validate  # lazy: off a warm check's start-up path

    return validate(data, load_schema(SCHEMA_FILE))


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The charter manifest at `path`, or None when the file is not one (another tool's JSON).

    A file that says it is a charter manifest but is not valid JSON, breaks
    the schema, or is of a newer version raises CharterError naming the file.
    """
    data = path.read_bytes()
    if _MARKER not in data:
        return None
    try:
        manifest = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise CharterError(f"not valid JSON: {exc}", path, line) from None
    if not isinstance(manifest, dict) or not str(manifest.get("schema", "")).startswith(
        "charter/run-manifest/"
    ):
        return None
    if manifest["schema"] != SCHEMA:
        raise CharterError(
            f"manifest format {manifest['schema']!r} is newer than this charter reads ({SCHEMA})",
            path,
        )
    problems = validate_manifest(manifest)
    if problems:
        raise CharterError("not a valid run manifest: " + "; ".join(problems[:3]), path)
    return manifest


def manifest_paths(config: Config) -> list[Path]:
    runs = config.root / config.runs
    if not runs.is_dir():
        return []
    return sorted(runs.rglob(MANIFEST_NAME))


def load_manifests(config: Config) -> list[dict[str, Any]]:
    """Every valid charter manifest under the runs folder, oldest first.

    Each gets a `path` key (repo-relative). Other tools' manifest.json files
    and damaged ones are skipped: `charter check` reports damage where a
    plan cites the file.
    """
    found: list[dict[str, Any]] = []
    for path in manifest_paths(config):
        try:
            manifest = read_manifest(path)
        except (CharterError, OSError):
            continue
        if manifest is not None:
            manifest["path"] = path.relative_to(config.root).as_posix()
            found.append(manifest)
    found.sort(key=lambda m: (m["started"], m["run_id"]))
    return found


def summarize_runs(manifests: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per task: runs, failures, failure_rate (0..1), seconds spent, denied commands.

    Denied commands never ran, so they count in `denied` only, not in runs.
    """
    summary: dict[str, dict[str, Any]] = {}
    for manifest in manifests:
        row = summary.setdefault(
            str(manifest["task"]),
            {"runs": 0, "failures": 0, "failure_rate": 0.0, "seconds": 0.0, "denied": 0},
        )
        if manifest["status"] == "denied":
            row["denied"] += 1
            continue
        row["runs"] += 1
        row["failures"] += manifest["status"] == "failed"
        row["seconds"] += float(manifest["duration_seconds"])
    for row in summary.values():
        row["seconds"] = round(row["seconds"], 3)
        row["failure_rate"] = round(row["failures"] / row["runs"], 4) if row["runs"] else 0.0
    return dict(sorted(summary.items()))


def runs_of(config: Config, tasks: Collection[str]) -> list[dict[str, Any]]:
    """`summarize_runs` rows for `tasks` only, in task order, each with its `task`.

    The handoff shows closed tasks' runs: a run during open work then never
    makes the generated handoff stale.
    """
    summary = summarize_runs([m for m in load_manifests(config) if m["task"] in tasks])
    return [{"task": task, **row} for task, row in summary.items()]
