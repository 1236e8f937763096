"""Models one step of a command parsed, for its next steps: by file, content and settings.

A task edit parses the plan it edits (before and after the change) and then regenerates
the board, and `session start` goes on to the handoff: each of those loads the
repository again. With one plan holding 50,000 tasks, each load parsed that plan again
(seconds each). The edit leaves the model of what it wrote here, and every loader takes
it (charter.repo) when the file's bytes and the configuration are the ones it was parsed
from. One model a file, the last one offered: a file written again replaces its entry.
"""

from __future__ import annotations

from charter.fasthash import blake2b
from charter.model import Plan, SessionLog

# A file at least this long has its model kept by every load (charter.repo), not only by
# the edit that wrote it: one plan of 50,000 tasks (6 MB) takes seconds to parse or
# decode, and a command loading the repository twice (`session start`: its preconditions,
# the task edit, the board, the handoff) would read it each time. Plans of ordinary size
# are never kept: holding them all would keep a whole repository's model alive.
LONG_FILE = 256 * 1024
# (kind, path) -> (content hash, configuration's repr, model)
_held: dict[tuple[str, str], tuple[str, str, Plan | SessionLog]] = {}


def content_digest(data: bytes) -> str:
    """A file's content hash, as charter.repo keys its models."""
    return blake2b(data, digest_size=16).hexdigest()


def offer(kind: str, rel: str, data: bytes, settings: str, model: Plan | SessionLog) -> None:
    """Keep `model` as the model of `rel` while it holds `data`, under `settings`
    (`repr(config)`)."""
    offer_digest(kind, rel, content_digest(data), settings, model)


def offer_digest(kind: str, rel: str, digest: str, settings: str, model: Plan | SessionLog) -> None:
    """`offer`, given the content hash."""
    _held[(kind, rel)] = (digest, settings, model)


def known(kind: str, rel: str, digest: str, settings: str) -> Plan | SessionLog | None:
    """The model offered for `rel` with this content hash and settings, if any."""
    held = _held.get((kind, rel))
    if held is None or held[0] != digest or held[1] != settings:
        return None
    return held[2]


def holding() -> bool:
    """Whether any model is held (most commands write no plan: they skip the lookups)."""
    return bool(_held)


def holds(kind: str, rel: str) -> bool:
    """Whether a model of `rel` is held, whatever its content (a cheap first look)."""
    return (kind, rel) in _held


def forget() -> None:
    """Drop every model held (tests; a command that wants the memory back)."""
    _held.clear()
