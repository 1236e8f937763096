"""The findings of the rules that read only plans and logs, remembered between checks.

Most checks run on a repository whose plans and session logs did not change
since the last check (a pre-commit hook on a commit that touched only code).
Those rules are pure functions of the files, the configuration, charter's own
code and today's date (CH014), so their findings are stored in
`.charter/cache/check.cache` under a key made of exactly these:

- charter's version and the modification time of each of its modules;
- the configuration, which holds the rule selection and severities;
- today's date;
- every plan, session log and mirror: its path and the hash of its bytes.

When the key matches, those findings are replayed and no task is loaded. The
rules that read the world (evidence files, git) run on every check all the
same, from the citations stored beside the findings. The key hashes contents,
not modification times, so an edit is never missed however fast it follows.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

try:  # as in charter.repo: blake2b without hashlib loading OpenSSL
    from _blake2 import blake2b
except ImportError:  # an interpreter without the module
    from hashlib import blake2b

from typing import Any

from charter import __version__
from charter.cache import CACHE_DIR, code_stamp, load_cache, save_cache
from charter.model import Diagnostic
from charter.model_codec import Malformed, decode_diagnostic
from charter.repo import Snapshot
from charter.world import Citation, CitationRow

MEMO_FILE = "check.cache"


@dataclass(frozen=True)
class Remembered:
    """What a check over unchanged inputs needs from the last one."""

    findings: tuple[Diagnostic, ...]  # the plan rules' findings, severities applied
    citation_rows: tuple[CitationRow, ...]  # for the rules that read the world
    plans: int
    tasks: int
    sessions: int

    def citations(self) -> list[Citation]:
        return [Citation.from_row(row) for row in self.citation_rows]


def memo_key(snapshot: Snapshot, today: date) -> str:
    h = blake2b(digest_size=20)
    h.update(f"{__version__}\0{sys.version}\0{today.isoformat()}\0{snapshot.config!r}\0".encode())
    h.update(code_stamp())
    h.update(snapshot.fingerprint())
    return h.hexdigest()


def recall(root: Path, key: str) -> Remembered | None:
    """What the last check stored under `key`; None when it stored nothing or another key."""
    stored = load_cache(root / CACHE_DIR / MEMO_FILE)
    if not isinstance(stored, dict) or stored.get("key") != key:
        return None
    try:
        plans, tasks, sessions = stored["counts"]
        if not all(type(n) is int for n in (plans, tasks, sessions)):
            return None
        findings = tuple(decode_diagnostic(row) for row in _rows(stored["findings"]))
        citations = tuple(_citation_row(row) for row in _rows(stored["citations"]))
        return Remembered(findings, citations, plans, tasks, sessions)
    except (KeyError, TypeError, ValueError):  # another layout (Malformed is a ValueError)
        return None


def _rows(value: Any) -> list[Any]:
    if type(value) is not list:
        raise Malformed("not a list")
    return value


def _citation_row(row: Any) -> CitationRow:
    """A stored citation row with the types `Citation.from_row` expects; Malformed if not."""
    path, task_id, title, own_ids, done, cited = _rows(row)
    ids = tuple(_rows(own_ids))
    evidence = tuple(tuple(_rows(e)) for e in _rows(cited))
    valid = (
        type(path) is str
        and (task_id is None or type(task_id) is str)
        and type(title) is str
        and all(type(i) is str for i in ids)
        and type(done) is bool
        and all(
            len(e) == 3
            and type(e[0]) is str
            and type(e[1]) is int
            and (e[2] is None or type(e[2]) is str)
            for e in evidence
        )
    )
    if not valid:
        raise Malformed("not a citation row")
    return (path, task_id, title, ids, done, evidence)


def remember(root: Path, key: str, remembered: Remembered) -> None:
    # Plain values only: JSON data, read back without any charter class.
    findings = [(d.path, d.line, d.col, d.code, d.message, d.severity) for d in remembered.findings]
    payload = {
        "key": key,
        "counts": (remembered.plans, remembered.tasks, remembered.sessions),
        "findings": findings,
        "citations": remembered.citation_rows,
    }
    save_cache(root / CACHE_DIR / MEMO_FILE, payload)
