"""`charter session export` and `import`: a session's local state, moved to another machine.

The session log is in git; what lives only under `.charter/` is the active
session record, its folder (budget counters, safety events, `charter run`'s
command log, the guard's audit trail, kept output) and the kill switch. Export
writes them into one JSON file (text only, each file with its SHA-256); import
checks the bundle, refuses to replace another active session or any file that
differs from the bundle, and writes the files back, saying which. The kill
switch travels too: a stopped session arrives stopped.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from charter.errors import CharterError
from charter.io import locked, read_text, write_text_atomic
from charter.state.killswitch import STOP_FILE
from charter.state.session import ACTIVE_FILE, lock_path, read_active

FORMAT = "charter-session-export"
VERSION = 1
SESSIONS = ".charter/sessions"


@dataclass(frozen=True)
class Transfer:
    session_id: str
    files: tuple[str, ...]  # repository-relative paths exported, or written by an import
    unchanged: tuple[str, ...] = ()  # import: already there with the same content


def export_session(root: Path) -> tuple[Transfer, str]:
    """The active session's local state as a bundle (JSON text)."""
    with locked(lock_path(root)):
        session = read_active(root)
        if session is None:
            raise CharterError("no active session to export: start one, or there is nothing local")
        paths = [ACTIVE_FILE]
        folder = root / SESSIONS / session.id
        if folder.is_dir():
            paths += sorted(
                p.relative_to(root).as_posix()
                for p in folder.rglob("*")
                if p.is_file() and not p.name.endswith((".lock", ".tmp"))
            )
        if (root / STOP_FILE).is_file():
            paths.append(STOP_FILE)
        files: dict[str, dict[str, str]] = {}
        for rel in paths:
            text = read_text(root / rel)
            if text is None:
                continue
            files[rel] = {"sha256": _digest(text), "text": text}
    bundle = {"format": FORMAT, "version": VERSION, "session": session.id, "files": files}
    return Transfer(session.id, tuple(files)), json.dumps(bundle, indent=1, ensure_ascii=False)


def import_session(root: Path, bundle_text: str, source: str) -> Transfer:
    """Write a bundle's files under `.charter/`; CharterError (nothing written) on any doubt."""
    session_id, files = _read_bundle(bundle_text, source)
    with locked(lock_path(root)):
        active = read_active(root)
        if active is not None and active.id != session_id:
            raise CharterError(
                f"session {active.id} is active here: end or abort it before importing "
                f"session {session_id}",
                source,
            )
        written: list[str] = []
        unchanged: list[str] = []
        for rel, text in files.items():
            current = read_text(root / rel)
            if current == text:
                unchanged.append(rel)
            elif current is not None:
                raise CharterError(
                    f"{rel} already exists here with other content: nothing was imported "
                    "(move it away first if the bundle is the one to keep)",
                    source,
                )
        for rel, text in files.items():
            if rel in unchanged:
                continue
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(path, text)
            written.append(rel)
    return Transfer(session_id, tuple(written), tuple(unchanged))


def _read_bundle(text: str, source: str) -> tuple[str, dict[str, str]]:
    try:
        data: Any = json.loads(text)
    except ValueError as exc:
        raise CharterError(f"not a session export: {exc}", source) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CharterError(f'not a session export (no "format": {FORMAT!r})', source)
    if data.get("version") != VERSION:
        raise CharterError(f"session export version {data.get('version')!r}: expected 1", source)
    session_id = data.get("session")
    entries = data.get("files")
    if not isinstance(session_id, str) or not isinstance(entries, dict):
        raise CharterError('a session export needs "session" and "files"', source)
    allowed = {ACTIVE_FILE, STOP_FILE}
    files: dict[str, str] = {}
    for rel, entry in entries.items():
        inside = PurePosixPath(rel).parts[:3] == (".charter", "sessions", session_id)
        if (
            not isinstance(rel, str)
            or ".." in PurePosixPath(rel).parts
            or not (rel in allowed or inside)
        ):
            raise CharterError(f"a session export may not write {rel!r}", source)
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            raise CharterError(f"{rel}: no text in the export", source)
        if entry.get("sha256") != _digest(entry["text"]):
            raise CharterError(f"{rel}: its checksum does not match: the export is damaged", source)
        files[rel] = entry["text"]
    if ACTIVE_FILE not in files:
        raise CharterError(f"the export has no {ACTIVE_FILE}", source)
    recorded = json.loads(files[ACTIVE_FILE]) if files[ACTIVE_FILE].strip() else {}
    if not isinstance(recorded, dict) or recorded.get("id") != session_id:
        raise CharterError("the export's active session is not the session it names", source)
    return session_id, files


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
