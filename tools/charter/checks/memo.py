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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import chain
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
    """What the last check stored under `key`; None when it stored nothing or another key,
    or when what it stored does not have the shape `remember` writes."""
    stored = load_cache(root / CACHE_DIR / MEMO_FILE)
    if not isinstance(stored, dict) or stored.get("key") != key:
        return None
    try:
        plans, tasks, sessions = stored["counts"]
        if not all(type(n) is int for n in (plans, tasks, sessions)):
            return None
        findings = tuple(decode_diagnostic(row) for row in _list(stored["findings"]))
        citations = _citation_rows(stored["citations"])
        return Remembered(findings, citations, plans, tasks, sessions)
    except (KeyError, TypeError, ValueError):  # another layout (Malformed is a ValueError)
        return None


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise Malformed("not a list")
    return value


def _types(values: Iterable[Any]) -> set[type]:
    return set(map(type, values))  # one pass in C: 25,000 citations cost a millisecond


def _citation_rows(columns: Any) -> tuple[CitationRow, ...]:
    """The citation rows `remember` stored column by column, each column's types checked
    in one pass; Malformed when they are anything else."""
    paths, ids, titles, own_ids, done, cited = _list(columns)
    count = len(_list(paths))
    if any(len(_list(column)) != count for column in (ids, titles, own_ids, done, cited)):
        raise Malformed("columns of different lengths")
    evidence = list(chain.from_iterable(cited)) if _types(cited) <= {list} else None
    valid = (
        _types(paths) <= {str}
        and _types(ids) <= {str, type(None)}
        and _types(titles) <= {str}
        and _types(done) <= {bool}
        and _types(own_ids) <= {list}
        and _types(chain.from_iterable(own_ids)) <= {str}
        and evidence is not None
        and _types(evidence) <= {list}
        and set(map(len, evidence)) <= {3}
    )
    if valid and evidence:
        cited_paths, lines, shas = zip(*evidence, strict=True)
        valid = (
            _types(cited_paths) <= {str}
            and _types(lines) <= {int}
            and _types(shas) <= {str, type(None)}
        )
    if not valid:
        raise Malformed("not citation rows")
    return tuple(
        zip(
            paths,
            ids,
            titles,
            map(tuple, own_ids),
            done,
            [tuple(map(tuple, c)) for c in cited],
            strict=True,
        )
    )


def remember(root: Path, key: str, remembered: Remembered) -> None:
    # Plain values only: JSON data, read back without any charter class.
    findings = [(d.path, d.line, d.col, d.code, d.message, d.severity) for d in remembered.findings]
    payload = {
        "key": key,
        "counts": (remembered.plans, remembered.tasks, remembered.sessions),
        "findings": findings,
        # Column by column: each column's types are checked in one pass when read back.
        "citations": [list(c) for c in zip(*remembered.citation_rows, strict=True)]
        or [[] for _ in range(6)],
    }
    save_cache(root / CACHE_DIR / MEMO_FILE, payload)
