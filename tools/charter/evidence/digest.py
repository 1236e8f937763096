"""Evidence you can trust: the sha256 of an evidence file, and checking it later.

`charter task done ID --evidence PATH` records `(sha256: HEX)` next to the
path in the plan; `charter check` hashes the file again and reports a file
that vanished or whose bytes changed since. A directory's digest covers the
names and contents of every file below it, so adding, removing or editing any
of them changes it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from charter.errors import CharterError

_CHUNK = 1 << 20
_GLOB_CHARS = frozenset("*?[")

State = Literal["ok", "missing", "mismatch", "unhashed", "unreadable"]


def sha256_bytes(data: bytes) -> str:
    import hashlib  # here: a warm `charter check` hashes nothing, and hashlib loads OpenSSL

    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """The file's sha256, read in 1 MiB chunks so a large log never sits in memory whole."""
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_tree(directory: Path) -> str:
    """A digest of every file below `directory`: sorted `relpath NUL sha256 LF` lines, hashed.

    Symbolic links count by their target text, not what they point at, so a
    link out of the repository cannot pull outside bytes into the digest.
    """
    lines: list[str] = []
    for folder, dirs, files in os.walk(directory):
        dirs.sort()
        base = Path(folder)
        for name in sorted(files):
            path = base / name
            rel = path.relative_to(directory).as_posix()
            if path.is_symlink():
                content = sha256_bytes(os.readlink(path).encode("utf-8", "surrogateescape"))
            else:
                content = sha256_file(path)
            lines.append(f"{rel}\0{content}\n")
    lines.sort()
    return sha256_bytes("".join(lines).encode("utf-8", "surrogateescape"))


def sha256_path(path: Path) -> str:
    """The digest charter records for an evidence path: a file's sha256, or a tree digest."""
    if path.is_dir():
        return sha256_tree(path)
    return sha256_file(path)


def resolve_evidence(root: Path, text: str) -> Path:
    """The evidence path inside the repository; CharterError when it is not one.

    Used where evidence is recorded, so a typo fails before the plan is edited.
    """
    if not text or _GLOB_CHARS & set(text):
        raise CharterError(f"evidence must name one file or folder, not a pattern: {text!r}")
    candidate = Path(text)
    full = (candidate if candidate.is_absolute() else root / candidate).resolve()
    try:
        full.relative_to(root.resolve())
    except ValueError:
        raise CharterError(f"evidence {text} is outside the repository") from None
    if not full.exists():
        raise CharterError(f"evidence {text} does not exist")
    return full


def evidence_digest(root: Path, text: str) -> str:
    """The sha256 to record for evidence `text` (repo-relative or absolute inside the repo)."""
    full = resolve_evidence(root, text)
    try:
        return sha256_path(full)
    except OSError as exc:
        raise CharterError(f"cannot read evidence {text}: {exc.strerror}") from exc


@dataclass(frozen=True)
class Verdict:
    """What a recorded hash says about an evidence path now."""

    state: State
    actual: str | None = None  # the digest now, when it could be taken
    detail: str = ""  # the OS error, for `unreadable`


def verify(root: Path, text: str, recorded: str | None) -> Verdict:
    """Compare evidence `text` (relative to `root`) with the digest recorded for it."""
    if recorded is None:
        return Verdict("unhashed")
    if _GLOB_CHARS & set(text):
        return Verdict("unhashed")  # a pattern names no one file to hash
    path = root / text
    if not path.exists():
        return Verdict("missing")
    try:
        actual = sha256_path(path)
    except OSError as exc:
        return Verdict("unreadable", detail=exc.strerror or str(exc))
    return Verdict("ok" if actual == recorded.lower() else "mismatch", actual)
