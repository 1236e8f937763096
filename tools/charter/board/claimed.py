"""Who holds each claimed task, as the board shows it (`board_claims = true`).

The claims are read from where they live (`charter.claims.ops.store_for`): this clone's
refs, or the claims remote. Only what is recorded goes on the board (the holder and the
expiry it wrote), never whether a claim has expired by the clock: the same claims give
the same bytes, whenever the board is rendered.
"""

from __future__ import annotations

import hashlib

from charter.config import Config
from charter.errors import CharterError

# task ID -> (agent, expires_at)
Claimed = dict[str, tuple[str, str]]


def board_claims(config: Config) -> Claimed:
    """The claims the board shows; {} when the board does not show claims, or the
    repository is not a git repository (there is nowhere a claim could be)."""
    if not config.board_claims:
        return {}
    from charter.claims import gitref, ops  # lazy: a board without claims never reads them

    if gitref.git(config.root, "rev-parse", "--git-dir").returncode != 0:
        return {}
    try:
        store = ops.store_for(config)
        return {c.task: (c.agent, c.expires_at) for c in ops.list_claims(store)}
    except CharterError as exc:
        raise CharterError(
            f"the board shows claims (board_claims = true) but they cannot be read: "
            f"{exc.message}; set board_claims = false to render the board without them",
            config.source,
        ) from exc


def claims_key(claimed: Claimed) -> bytes:
    """The claims' part of the board's fingerprint (charter.board.memo)."""
    h = hashlib.blake2b(digest_size=16)
    for task in sorted(claimed):
        agent, until = claimed[task]
        h.update(f"{task}\0{agent}\0{until}\0".encode())
    return h.digest()
