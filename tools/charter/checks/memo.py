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

The citations (some 20,000 at 50,000 tasks) are kept apart, in `CITED_SHARDS`
files by plan path (`check-cited-NN.cache`), each under a token the memo
lists: a check after an edit, whose world rules are replayed (checks.replay),
rewrites only the shards of the plans that changed and never decodes the rest.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Any

from charter import __version__
from charter.cache import CACHE_DIR, code_stamp, load_cache, save_cache
from charter.fasthash import blake2b
from charter.model import Diagnostic, Evidence
from charter.model_codec import Malformed, decode_diagnostic
from charter.repo import Snapshot
from charter.world import Citation

_PATH, _EVIDENCE, _LINE, _SHA = (attrgetter(n) for n in ("path", "evidence", "line", "sha256"))
_TASK_ID, _TITLE, _OWN_IDS, _DONE = (attrgetter(n) for n in ("task_id", "title", "own_ids", "done"))

MEMO_FILE = "check.cache"
FILES_FILE = "check-files.cache"  # every file's facts but their task rows (`Previous`)
CITED_FILE = "check-cited"  # the citations, in shards: check-cited-NN.cache
CITED_SHARDS = 16


@dataclass(frozen=True)
class Remembered:
    """What a check over unchanged inputs needs from the last one."""

    findings: tuple[Diagnostic, ...]  # the plan rules' findings, severities applied
    cited: tuple[Citation, ...]  # for the rules that read the world
    plans: int
    tasks: int
    sessions: int
    reviews: bool | None = None  # whether a plan says `Reviewed:` (World.reviews)
    # What the next check, after an edit, starts from (`Previous`): the key of the facts
    # cache and each file's facts but its task rows (`light_row`); empty: nothing to offer.
    base: str = ""
    files: tuple[list[Any], ...] = ()
    # Instead of `cited` (then empty): only these plans' citations changed since the memo
    # whose shards' tokens are given (`Changed`); the other shards are kept as they are.
    changed: Changed | None = None
    # The plans read (an import's source is not): whose citations `cited` holds. None:
    # not known (then a check after an edit runs every rule that reads the world).
    plan_paths: frozenset[str] | None = None

    def citations(self) -> tuple[Citation, ...]:
        return self.cited


@dataclass(frozen=True)
class Changed:
    """The plans whose citations changed since the last memo, with their citations now
    (none for a plan that is gone), and the tokens of the last memo's shards."""

    tokens: list[str]
    plans: dict[str, tuple[Citation, ...]]


def memo_key(snapshot: Snapshot, today: date) -> str:
    h = blake2b(digest_size=20)
    h.update(f"{__version__}\0{sys.version}\0{today.isoformat()}\0{snapshot.config!r}\0".encode())
    h.update(code_stamp())
    h.update(snapshot.fingerprint())
    return h.hexdigest()


def load(root: Path) -> Any:
    """The memo file's contents, for `recall` and `previous` to read (None: none to believe)."""
    return load_cache(root / CACHE_DIR / MEMO_FILE)


def recall(root: Path, stored: Any, key: str) -> Remembered | None:
    """What the last check stored (`load`) under `key`; None when it stored nothing or
    another key, or when what it stored does not have the shape `remember` writes."""
    if not isinstance(stored, dict) or stored.get("key") != key:
        return None
    citations = cited_of(root, stored)
    if citations is None:
        return None
    try:
        plans, tasks, sessions = stored["counts"]
        if not all(type(n) is int for n in (plans, tasks, sessions)):
            return None
        reviews = stored["reviews"]
        if reviews is not None and type(reviews) is not bool:
            return None
        findings = tuple(decode_diagnostic(row) for row in _list(stored["findings"]))
        read = stored.get("plans")
        plan_paths = None
        if type(read) is list and _types(read) <= {str}:
            plan_paths = frozenset(read)
        return Remembered(
            findings, citations, plans, tasks, sessions, reviews, plan_paths=plan_paths
        )
    except (KeyError, TypeError, ValueError):  # another layout (Malformed is a ValueError)
        return None


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise Malformed("not a list")
    return value


def _types(values: Iterable[Any]) -> set[type]:
    return set(map(type, values))  # one pass in C: 25,000 citations cost a millisecond


def _citations(stored: Any) -> tuple[Citation, ...]:
    """The citations `remember` stored column by column (paths as numbers into one table of
    strings, every citation's evidence in flat columns after its count), each column's types
    checked in one pass; Malformed when they are anything else. The records are built as
    pickle built them, without their generated __init__: at 50,000 tasks that halves the
    time a warm check spends on them."""
    if type(stored) is not dict:
        raise Malformed("not citations")
    strings = _list(stored["strings"])
    paths, ids, titles, own_ids, done, counts, cited_paths, lines, shas = _list(stored["columns"])
    count = len(_list(paths))
    if any(len(_list(column)) != count for column in (ids, titles, own_ids, done, counts)):
        raise Malformed("columns of different lengths")
    valid = (
        _types(strings) <= {str}
        and _are_indices(paths, len(strings))
        and _types(ids) <= {str, type(None)}
        and _types(titles) <= {str}
        and _types(done) <= {bool}
        and _types(own_ids) <= {list}
        and _types(chain.from_iterable(own_ids)) <= {str}
        and _types(counts) <= {int}
        and (not counts or min(counts) >= 0)
        and len(_list(cited_paths)) == len(_list(lines)) == len(_list(shas)) == sum(counts)
        and _are_indices(cited_paths, len(strings))
        and _types(lines) <= {int}
        and _types(shas) <= {str, type(None)}
    )
    if not valid:
        raise Malformed("not citations")
    new = object.__new__
    evidence = []
    for where, line, sha in zip(cited_paths, lines, shas, strict=True):
        item = new(Evidence)
        fields = item.__dict__
        fields["path"], fields["line"], fields["sha256"] = strings[where], line, sha
        evidence.append(item)
    built = []
    start = 0
    for path, task_id, title, own, is_done, n in zip(
        paths, ids, titles, own_ids, done, counts, strict=True
    ):
        citation = new(Citation)
        fields = citation.__dict__
        fields["path"], fields["task_id"], fields["title"] = strings[path], task_id, title
        fields["own_ids"], fields["done"] = tuple(own), is_done
        fields["evidence"] = tuple(evidence[start : start + n])
        start += n
        built.append(citation)
    return tuple(built)


def _are_indices(values: Iterable[Any], size: int) -> bool:
    numbers = list(values)
    return _types(numbers) <= {int} and (not numbers or (min(numbers) >= 0 and max(numbers) < size))


def remember(root: Path, key: str, remembered: Remembered) -> None:
    # Plain values only: JSON data, read back without any charter class.
    findings = [(d.path, d.line, d.col, d.code, d.message, d.severity) for d in remembered.findings]
    tokens = _save_cited(root, key, remembered)
    if tokens is None:  # the memo would name shards that are not there: none at all
        (root / CACHE_DIR / MEMO_FILE).unlink(missing_ok=True)
        return
    payload = {
        "key": key,
        "counts": (remembered.plans, remembered.tasks, remembered.sessions),
        "findings": findings,
        "cited": tokens,
        "reviews": remembered.reviews,
        "plans": sorted(remembered.plan_paths) if remembered.plan_paths is not None else None,
    }
    save_cache(root / CACHE_DIR / MEMO_FILE, payload)
    # Apart, so that a check where nothing changed does not read it back.
    files = {"key": key, "base": remembered.base, "files": remembered.files}
    save_cache(root / CACHE_DIR / FILES_FILE, files)


def shard_of(rel: str) -> int:
    return zlib.crc32(rel.encode("utf-8", "surrogateescape")) % CITED_SHARDS


def _cited_path(root: Path, n: int) -> Path:
    return root / CACHE_DIR / f"{CITED_FILE}-{n:02d}.cache"


def _save_cited(root: Path, key: str, remembered: Remembered) -> list[str] | None:
    """Write the citations' shards that changed; their tokens (None when a shard could
    not be written or read back for a change)."""
    changed = remembered.changed
    groups: dict[int, list[Citation]] = {}
    if changed is None:
        write = set(range(CITED_SHARDS))
        tokens = [""] * CITED_SHARDS
        for citation in remembered.cited:
            groups.setdefault(shard_of(citation.path), []).append(citation)
    else:
        if len(changed.tokens) != CITED_SHARDS:
            return None
        tokens = list(changed.tokens)
        write = {shard_of(rel) for rel in changed.plans}
        for n in write:
            kept = _shard(root, n, tokens[n])
            if kept is None:
                return None
            groups[n] = [c for c in kept if c.path not in changed.plans]
        for rel, citations in changed.plans.items():
            groups[shard_of(rel)].extend(citations)
    for n in sorted(write):
        token = blake2b(f"{key}\0{n}".encode(), digest_size=10).hexdigest()
        payload = {"token": token, "citations": _columns(tuple(groups.get(n, ())))}
        if not save_cache(_cited_path(root, n), payload):
            return None
        tokens[n] = token
    return tokens


def _shard(root: Path, n: int, token: str) -> tuple[Citation, ...] | None:
    stored = load_cache(_cited_path(root, n))
    if not isinstance(stored, dict) or stored.get("token") != token:
        return None
    try:
        return _citations(stored["citations"])
    except (KeyError, TypeError, ValueError):  # another layout (Malformed is a ValueError)
        return None


def tokens_of(stored: Any) -> list[str] | None:
    """The citations' shard tokens the memo `stored` lists (None: not a memo)."""
    if not isinstance(stored, dict):
        return None
    tokens = stored.get("cited")
    if type(tokens) is not list or len(tokens) != CITED_SHARDS or not _types(tokens) <= {str}:
        return None
    return tokens


def cited_of(root: Path, stored: Any) -> tuple[Citation, ...] | None:
    """Every citation the memo `stored` names, from its shards; None when one is missing
    or is not the one the memo names."""
    tokens = tokens_of(stored)
    if tokens is None:
        return None
    found: list[Citation] = []
    for n, token in enumerate(tokens):
        shard = _shard(root, n, token)
        if shard is None:
            return None
        found += shard
    return tuple(found)


def _columns(cited: tuple[Citation, ...]) -> dict[str, Any]:
    """Citations column by column, so that each column's types are checked in one pass
    when read back, and written in loops that run in C: each citation's evidence as a
    count, the evidence itself in flat columns; plan and evidence paths as numbers into
    one table of strings (a plan's path repeats for each of its tasks, a run manifest for
    each task citing it)."""
    paths = list(map(_PATH, cited))
    evidence = list(map(_EVIDENCE, cited))
    flat = list(chain.from_iterable(evidence))
    cited_paths = list(map(_PATH, flat))
    strings = list(dict.fromkeys(chain(paths, cited_paths)))
    number = {text: n for n, text in enumerate(strings)}.__getitem__
    columns = [
        list(map(number, paths)),
        list(map(_TASK_ID, cited)),
        list(map(_TITLE, cited)),
        list(map(_OWN_IDS, cited)),
        list(map(_DONE, cited)),
        list(map(len, evidence)),
        list(map(number, cited_paths)),
        list(map(_LINE, flat)),
        list(map(_SHA, flat)),
    ]
    return {"strings": strings, "columns": columns}


@dataclass(frozen=True)
class Previous:
    """What the last check knew, for a check after an edit to start from: every file's facts
    but their task rows (as `light_row` wrote them; the caller checks each), and the
    citations of every plan."""

    files: dict[tuple[str, str], list[Any]]  # (kind, path) -> light row
    citations: Callable[[], tuple[Citation, ...]]  # read from the shards when first asked
    tokens: list[str]  # the citations' shards, as the memo names them


# A file's facts without their task rows: kind, path, content hash, summary hash, tasks,
# reviewed, anonymous, the task a log names ([task, line] or None), the plan an imported
# plan replaces (or None), and the findings of the rules that read one file.
LIGHT_WIDTH = 10


def previous(root: Path, stored: Any, base: str) -> Previous | None:
    """The last check's files and citations (`stored`: what `load` read), when it used the
    facts cache under `base` (the configuration, charter's code and today's date)."""
    if not isinstance(stored, dict) or not base:
        return None
    table = load_cache(root / CACHE_DIR / FILES_FILE)
    if not isinstance(table, dict) or table.get("base") != base:
        return None
    if table.get("key") != stored.get("key"):  # not written with these citations
        return None
    try:
        rows = _list(table["files"])
        if not _types(rows) <= {list} or not set(map(len, rows)) <= {LIGHT_WIDTH}:
            return None
        files = {(row[0], row[1]): row for row in rows}
    except (KeyError, TypeError, ValueError):  # another layout (Malformed is a ValueError)
        return None
    tokens = tokens_of(stored)
    if tokens is None:
        return None
    known: list[tuple[Citation, ...]] = []

    def citations() -> tuple[Citation, ...]:
        if not known:
            cited = cited_of(root, stored)
            if cited is None:
                raise Malformed("the citations' shards are not the memo's")
            known.append(cited)
        return known[0]

    return Previous(files, citations, tokens)
