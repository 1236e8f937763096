"""Where the board's patch states (charter.board.patch) are kept, and the boards they describe.

A state describes one board, byte for byte: it is found by the content of the board on
disk, `.charter/cache/board-state-<hash>.cache` with `<hash>` the Markdown board's
sha256. The states of the last eight boards written or read are kept, so a checkout
that brings back a board charter wrote (`git checkout -- .`, another branch and back)
finds its state.

A pull brings a board charter wrote elsewhere, which no state describes. So for the two
newest states, the two files charter wrote are kept as hard links
(`.charter/outputs/boards/<hash>.md` and `.csv`: no copy, the inode a later write or
checkout replaces; outside the cache folder, whose files are all sealed data). The next
regeneration patches the last board charter wrote whose links still hold its bytes
(checked against the state's hashes: a file edited in place is no base), and the board
on disk is inspected as a full regeneration inspects it before it is replaced. Where
hard links cannot be made, a pull costs one full regeneration, as before.

The state of the board HEAD holds is pinned (`pin_committed`): kept however many edits
follow, so that `git checkout -- .` after them still finds the state of the board it
brings back.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from charter.board.memo import sha
from charter.cache import CACHE_DIR, load_cache, save_cache
from charter.config import Config
from charter.errors import CharterError
from charter.io import STATE_DIR, read_text

STATE_PREFIX = f"{CACHE_DIR}/board-state-"
# States of this many boards are kept (each about 1 MB at 50,000 tasks), the newest: a
# checkout after as many edits in a row finds the committed board's.
KEEP_STATES = 8
# The links to the files of this many boards, the newest (11 MB each at 50,000 tasks, once
# a later write or checkout has replaced the board's own file): a pull needs the last.
KEEP_LINKED = 2
BOARDS = f"{STATE_DIR}/outputs/boards"
_PREFIX = STATE_PREFIX.rpartition("/")[2]
_COPIES = (".md", ".csv")


@dataclass(frozen=True)
class Board:
    """The last board charter wrote, as it wrote it, and its state."""

    state: dict[str, Any]
    markdown: str
    csv: str


def state_path(markdown_sha: str) -> str:
    """Where the state of the board whose Markdown file has the sha256 `markdown_sha` is."""
    return f"{STATE_PREFIX}{markdown_sha[:24]}.cache"


def load_state(config: Config, markdown_sha: str) -> dict[str, Any] | None:
    path = config.path(state_path(markdown_sha))
    data = load_cache(path)
    if not isinstance(data, dict):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # used: the pruning keeps the states of boards that come back
    return data


def save_state(config: Config, state: dict[str, Any], hashes: Mapping[str, str]) -> None:
    """Keep `state` for the board files (just written) whose sha256 `hashes` gives (by
    path), links to the two files, and the states of the few boards written before."""
    state = {**state, "files": dict(hashes)}
    path = config.path(state_path(hashes[config.board]))
    if not save_cache(path, state):
        return
    folder = config.path(BOARDS)
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
    stem = os.path.join(folder, _hash_of(path.name))
    for rel, suffix in zip((config.board, config.board_csv), _COPIES, strict=True):
        with contextlib.suppress(OSError):
            os.unlink(stem + suffix)
        with contextlib.suppress(OSError):
            os.link(config.path(rel), stem + suffix)
    _prune(path, folder)


def _hash_of(name: str) -> str:
    """The board hash in a state's file name."""
    return name[len(_PREFIX) : len(_PREFIX) + 24]


def last_board(config: Config) -> Board | None:
    """The last board charter wrote whose state and linked files are intact (None: none)."""
    found = _states(config.path(CACHE_DIR))
    for stem in found[:1]:  # the newest: the one a pull most likely moved on from
        state = load_cache(Path(stem + ".cache"))
        if not isinstance(state, dict) or not isinstance(state.get("files"), dict):
            continue
        copies = os.path.join(config.path(BOARDS), _hash_of(os.path.basename(stem)))
        try:
            markdown, table = (read_text(Path(copies + suffix)) for suffix in _COPIES)
        except (OSError, CharterError):
            continue
        files = state["files"]
        if markdown is None or table is None:
            continue
        if files.get(config.board) == sha(markdown) and files.get(config.board_csv) == sha(table):
            return Board(state, markdown, table)
    return None


def _states(folder: Path) -> list[str]:
    """Every kept state's path without its suffix, the newest (written or read) first."""
    found: list[tuple[int, str]] = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(_PREFIX) and entry.name.endswith(".cache"):
                with contextlib.suppress(OSError):
                    found.append((entry.stat().st_mtime_ns, entry.path[: -len(".cache")]))
    found.sort(reverse=True)
    return [stem for _mtime, stem in found]


PIN = f"{CACHE_DIR}/board-pin.cache"


def pin_committed(config: Config, names: tuple[str, str], markdown_sha: str, csv: bytes) -> None:
    """Keep the state of the board HEAD holds however many edits follow (the pruning passes
    it by): `git checkout -- .` then brings back a board whose state is at hand. `names`:
    HEAD's commit and its CSV's blob (charter.outputs.protect.committed_names); the board an
    edit found on disk, its Markdown's sha256 and its CSV's bytes. Judged once a commit:
    the first edit after it finds the committed board on disk, or none does."""
    head, blob = names
    if not head or not blob:
        return
    pinned = load_cache(config.path(PIN))
    if isinstance(pinned, list) and pinned[:1] == [head]:
        return
    h = hashlib.sha256() if len(blob) == 64 else hashlib.sha1()  # the repository's format
    h.update(b"blob %d\0" % len(csv))
    h.update(csv)
    save_cache(config.path(PIN), [head, markdown_sha[:24] if h.hexdigest() == blob else ""])


def _pinned(folder: Path) -> str:
    """The board hash of the pinned state ("" for none)."""
    pinned = load_cache(folder / PIN.rpartition("/")[2])
    if isinstance(pinned, list) and len(pinned) == 2 and isinstance(pinned[1], str):
        return pinned[1]
    return ""


def _prune(kept: Path, boards: Path) -> None:
    """Remove all but the KEEP_STATES states written or read last (`kept`, the one just
    written, stays) and the pinned one (`pin_committed`), the links of all but the
    KEEP_LINKED newest, and the one state file of earlier versions."""
    with contextlib.suppress(OSError):
        (kept.parent / "board-state.cache").unlink()
    pinned = _pinned(kept.parent)
    stale = [
        stem
        for stem in _states(kept.parent)
        if stem + ".cache" != str(kept)
        and (not pinned or _hash_of(os.path.basename(stem)) != pinned)
    ]
    for stem in stale[KEEP_STATES - 1 :]:
        with contextlib.suppress(OSError):
            os.unlink(stem + ".cache")
    newest = [str(kept)[: -len(".cache")], *stale[: KEEP_LINKED - 1]]
    linked = {_hash_of(os.path.basename(stem)) for stem in newest}
    with contextlib.suppress(OSError), os.scandir(boards) as entries:
        for entry in entries:
            if entry.name.partition(".")[0] not in linked:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


DROP = f"{CACHE_DIR}/board-drop.cache"


def passed_drop(config: Config) -> tuple[str, str] | None:
    """The row keys (charter.board.patch.keys_digest) and drop guard inputs
    (charter.outputs.protect.drop_inputs) of the guard's last pass on a patched board."""
    data = load_cache(config.path(DROP))
    if isinstance(data, list) and len(data) == 2 and all(isinstance(x, str) for x in data):
        return data[0], data[1]
    return None


def pass_drop(config: Config, keys: str, inputs: str) -> None:
    save_cache(config.path(DROP), [keys, inputs])


def forget_state(config: Config) -> None:
    """Remove every state and link (a board was written that no state describes)."""
    with contextlib.suppress(OSError):
        config.path(DROP).unlink()
    for folder, prefix in ((config.path(CACHE_DIR), _PREFIX), (config.path(BOARDS), "")):
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(prefix) and entry.is_file():
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
