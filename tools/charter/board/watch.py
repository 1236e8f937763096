"""`charter watch`: regenerate the board whenever a plan or a template is saved.

Native file events (watchdog) on the folders the plan globs start from and on
the templates folder. Events are debounced: an editor's save is often several
events (write a temp file, rename, touch), and a burst of saves should give
one regeneration, not ten; a steady stream of saves still gets one at least
every `MAX_WAIT_S`. A write that fails (a full disk, a read-only folder) is
reported and watching goes on; the next change tries again. A regeneration
that charter refuses (a plan saved half-way, a hand-edited board) keeps the
last good board and reports why; the next save tries again. Imported only by
`charter watch`, so nothing else pays for importing watchdog.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

from charter.extras import missing_extra

try:
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer
except ImportError as exc:  # the [watch] extra
    raise missing_extra("watch", exc.name or "watchdog") from exc

from charter.board.regenerate import regenerate_board
from charter.config import Config
from charter.errors import CharterError, os_error_message
from charter.files import relpath

DEBOUNCE_S = 0.2
MAX_WAIT_S = 1.0  # the longest a regeneration waits for a stream of saves to pause
_CHANGES = frozenset({"created", "modified", "moved", "deleted", "closed"})
_GLOB_CHARS = re.compile(r"[*?\[]")


def watch(
    config: Config,
    *,
    stop: threading.Event,
    report: Callable[[str], None] = print,
    debounce: float = DEBOUNCE_S,
    max_wait: float = MAX_WAIT_S,
    html: str | None = None,
    ready: threading.Event | None = None,
) -> None:
    """Regenerate now, then after every relevant change, until `stop` is set.

    `report` receives one line per regeneration or refusal; `ready` is set
    once the observer is running (tests wait for it before saving files).
    """
    matcher = _Matcher(config)
    changed = threading.Event()
    last_event = [0.0]
    observer = Observer()
    templates = config.root / config.templates
    folders = _plan_folders(config)
    templates_seen = [templates.is_dir() or _inside_any(templates, folders)]

    def on_event(path: str, is_directory: bool) -> None:
        if is_directory:
            # A templates folder created while watching: watch it from now on.
            if not templates_seen[0] and Path(path) == templates and templates.is_dir():
                templates_seen[0] = True
                observer.schedule(handler, str(templates), recursive=True)
                path = str(templates / "_")  # and regenerate, in case it arrived full
            else:
                return
        if matcher.relevant(path):
            last_event[0] = time.monotonic()
            changed.set()

    handler = _Handler(on_event)
    for folder in folders:
        observer.schedule(handler, str(folder), recursive=True)
    if templates.is_dir() and not _inside_any(templates, folders):
        observer.schedule(handler, str(templates), recursive=True)
    elif not templates_seen[0]:
        observer.schedule(handler, str(_existing(templates, config.root)), recursive=False)
    observer.start()
    try:
        _regenerate(config, report, html)
        if ready is not None:
            ready.set()
        while not stop.is_set():
            if not changed.wait(0.05):
                continue
            # Quiet for `debounce` since the last event, then regenerate once; but under a
            # steady stream of saves, regenerate at least every `max_wait` seconds.
            deadline = time.monotonic() + max_wait
            while (remaining := min(last_event[0] + debounce, deadline) - time.monotonic()) > 0:
                if stop.wait(remaining):
                    return
            changed.clear()  # before reading: a save from here on triggers another round
            _regenerate(config, report, html)
    finally:
        observer.stop()
        observer.join(timeout=5)


def _regenerate(config: Config, report: Callable[[str], None], html: str | None) -> None:
    try:
        result = regenerate_board(config, html=html)
    except CharterError as exc:
        report(f"charter watch: kept the last good board: {exc}")
        return
    except OSError as exc:  # a full disk, a read-only folder: the next change tries again
        report(
            f"charter watch: could not write the board ({os_error_message(exc)}); "
            "still watching, the next change tries again"
        )
        return
    if result.changed:
        report(f"charter watch: wrote {', '.join(result.changed)} ({result.rows} tasks)")


class _Handler(FileSystemEventHandler):
    """Passes every path an event names (a rename names two) to `callback`."""

    def __init__(self, callback: Callable[[str, bool], None]):
        super().__init__()
        self.callback = callback

    def on_any_event(self, event: FileSystemEvent) -> None:
        # Not "opened" or "closed_no_write": charter reading the plans must not
        # trigger another regeneration.
        if event.event_type not in _CHANGES:
            return
        for path in (event.src_path, event.dest_path):
            if path:
                self.callback(path if isinstance(path, str) else path.decode(), event.is_directory)


class _Matcher:
    """Which saved paths matter: plan files (by the plan globs) and templates."""

    def __init__(self, config: Config):
        self.config = config
        self.root = config.root
        self.plans = [glob_regex(p) for p in config.plans]
        self.excludes = [glob_regex(p) for p in config.exclude]
        self.templates = config.templates.strip("/") + "/"
        self.generated = {config.board, config.board_csv, config.handoff}
        self.sessions = config.sessions.rstrip("/") + "/"

    def relevant(self, path: str) -> bool:
        rel = relpath(self.root, Path(path))
        if rel.startswith(self.templates):
            return not Path(rel).name.startswith(".")
        if rel in self.generated or rel.startswith(self.sessions):
            return False
        if any(x.fullmatch(rel) for x in self.excludes):
            return False
        return any(p.fullmatch(rel) for p in self.plans)


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A path glob as a regex: `**/` any folders (or none), `*` and `?` within one name."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def _plan_folders(config: Config) -> list[Path]:
    """The deepest existing folder each plan glob starts from, without nested duplicates."""
    folders: list[Path] = []
    for pattern in config.plans:
        fixed = []
        for part in Path(pattern).parts[:-1]:
            if _GLOB_CHARS.search(part):
                break
            fixed.append(part)
        folders.append(_existing(config.root.joinpath(*fixed), config.root))
    unique: list[Path] = []
    for folder in sorted(set(folders), key=lambda f: len(f.parts)):
        if not _inside_any(folder, unique):
            unique.append(folder)
    return unique


def _existing(folder: Path, root: Path) -> Path:
    while not folder.is_dir() and folder != root and folder != folder.parent:
        folder = folder.parent
    return folder


def _inside_any(path: Path, folders: list[Path]) -> bool:
    return any(path == f or f in path.parents for f in folders)
