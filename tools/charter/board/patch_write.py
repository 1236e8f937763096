"""Writing a patched board without copying it: its stamp from hashes of the pieces, the
files written piece by piece.

A board patched after a task edit (charter.board.patch) is slices of the board files on
disk and a few new lines. Joined, decoded, stamped and encoded again as text, each of
its 11 MB at 50,000 tasks was copied six times over, and the copies' fresh memory cost
the edit more in page faults than the copying: here the slices are hashed and written
where they lie. Only a board patched from the files on disk, that charter wrote and that
hold no carriage return (the stamp's hash reads CRLF as LF, which the bytes' hash does
not), takes this path; the writes are the ones charter.board.regenerate makes, in the
same order, under the same record of the CSV's hashes in transit.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from charter.board.memo import sha_bytes
from charter.board.patch import Patched, Piece
from charter.board.render import stamp_header
from charter.config import Config
from charter.io import STATE_DIR, ensure_state_dir, locked, write_bytes_atomic


class Written(NamedTuple):
    changed: tuple[str, ...]  # the files written
    hashes: dict[str, str]  # each board file's sha256, as it now is


def plain(patched: Patched, old: dict[str, bytes | None]) -> bool:
    """Whether this patch may be written in pieces: made from the files on disk, and no
    carriage return in them or in its new lines."""
    if not patched.from_disk:
        return False
    pieces = (*patched.markdown_pieces, *patched.csv_pieces)
    fresh = (p for p in pieces if isinstance(p, bytes))
    return not any(b"\r" in data for data in (*old.values(), *fresh) if data is not None)


def write_patched(
    config: Config, patched: Patched, old: dict[str, bytes | None], transit: Path
) -> Written:
    """Stamp and write the patched board (the files that changed), the CSV first; while
    both change, `transit` holds the CSV's old and new hash, as charter.board.regenerate's
    writes keep it."""
    csv_sha = _digest(patched.csv_pieces)
    header = stamp_header(config, _digest(patched.markdown_pieces), csv_sha)
    markdown = (header.encode("utf-8"), *patched.markdown_pieces)
    hashes = {config.board: _digest(markdown), config.board_csv: csv_sha}
    before = {rel: sha_bytes(data) if data is not None else None for rel, data in old.items()}
    changed = tuple(rel for rel in (config.board, config.board_csv) if hashes[rel] != before[rel])
    pieces = {config.board: markdown, config.board_csv: patched.csv_pieces}
    with locked(transit):
        if len(changed) == 2 and before[config.board_csv] is not None:
            ensure_state_dir(config.path(STATE_DIR))
            record = {config.board_csv: [before[config.board_csv], csv_sha]}
            write_bytes_atomic(transit, json.dumps(record).encode())
        try:
            for rel in (config.board_csv, config.board):
                if rel in changed:
                    write_bytes_atomic(config.path(rel), pieces[rel])
        except BaseException:
            with contextlib.suppress(OSError):
                if config.path(config.board_csv).read_bytes() == old[config.board_csv]:
                    transit.unlink(missing_ok=True)  # nothing was in transit
            raise
        transit.unlink(missing_ok=True)
    return Written(changed, hashes)


def _digest(pieces: Iterable[Piece]) -> str:
    h = hashlib.sha256()
    for piece in pieces:
        h.update(piece)
    return h.hexdigest()
