"""The board's no-op fast path: skip parsing and rendering when nothing changed.

`charter board` and its pre-commit hook mostly run when the board is already
current. Rendering 50,000 rows takes seconds; proving nothing changed takes a
read of the plans. After each regeneration charter records, in
`.charter/cache/board.cache`, a fingerprint of everything the board is a
function of (every plan's bytes, the configuration, the templates, charter's
own code) and the hashes of the files it wrote. When the fingerprint and the
files on disk still match, the board is current and nothing is parsed.

The fingerprint reads file contents, not modification times, so an edit is
never missed however fast it follows the last one.
"""

from __future__ import annotations

import contextlib
import hashlib

from charter import __version__, stamps
from charter.cache import CACHE_DIR, code_stamp, file_content, load_cache, save_cache
from charter.config import Config
from charter.files import plan_listing
from charter.io import read_file
from charter.templating import template_path

MEMO = f"{CACHE_DIR}/board.cache"


def inputs_key(config: Config, templates: tuple[str, ...], claims: bytes = b"") -> str:
    """A hash of every input of the board but the plans (`claims`: the claims it shows)."""
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{__version__}\0{config!r}\0".encode())
    h.update(claims + b"\0")
    h.update(code_stamp())
    for name in templates:
        path = template_path(config, name)
        h.update(f"{path}\0".encode())
        h.update(file_content(path))
    return h.hexdigest()


def read_plans(config: Config) -> list[tuple[str, bytes | None]]:
    """Every plan's path and bytes (None when it cannot be read), in listing order."""
    found: list[tuple[str, bytes | None]] = []
    for rel, full in plan_listing(config):
        try:
            found.append((rel, read_file(full)))
        except OSError:
            found.append((rel, None))
    return found


def fingerprint(inputs: str, plans: list[tuple[str, str]]) -> str:
    """A hash of every input of the board: `inputs_key` and each plan's path and content
    hash (charter.board.patch.plan_digest; "" for a file that cannot be read)."""
    h = hashlib.blake2b(digest_size=20)
    h.update(inputs.encode())
    for rel, digest in plans:
        h.update(f"\0{rel}\0{digest}".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def current(config: Config, key: str, targets: list[str]) -> int | None:
    """The row count recorded for `key` when every target file still holds what was
    written then; None otherwise."""
    memo = _load(config)
    if memo is None or memo.get("key") != key:
        return None
    files = memo.get("files")
    if not isinstance(files, dict) or set(files) != set(targets):
        return None
    for rel in targets:
        if not isinstance(files[rel], str):
            return None
        if hashlib.sha256(file_content(config.path(rel))).hexdigest() != files[rel]:
            return None
    rows = memo.get("rows")
    return rows if type(rows) is int else None


def record(config: Config, key: str, texts: dict[str, str], rows: int) -> None:
    """Remember that `texts` (path -> what the file now holds) are the board for `key`."""
    record_hashes(config, key, {rel: sha(t) for rel, t in texts.items()}, rows)


def record_hashes(config: Config, key: str, hashes: dict[str, str], rows: int) -> None:
    """`record`, from the sha256 of what each file now holds."""
    memo = {"key": key, "rows": rows, "files": hashes}
    # A read-only checkout regenerates the same board, only slower.
    save_cache(config.path(MEMO), memo)


def forget(config: Config) -> None:
    with contextlib.suppress(OSError):
        config.path(MEMO).unlink()


def _load(config: Config) -> dict[str, object] | None:
    data = load_cache(config.path(MEMO))
    return data if isinstance(data, dict) else None


# The board's texts are megabytes: each is encoded and hashed once a run, however many
# readers (the stamp, the patch state, the memo, the write) ask. By id, the text kept
# alive beside it so that the id cannot be reused; the last few texts only.
_KEPT = 6
_encoded: dict[int, tuple[str, bytes]] = {}  # id(text) -> (text, its UTF-8 bytes)
_hashed: dict[int, tuple[str, str]] = {}  # id(text) -> (text, its sha256)


def remember(text: str, data: bytes) -> None:
    """`data` is `text`'s UTF-8 (read from a file and decoded, or encoded in pieces)."""
    if len(_encoded) >= _KEPT:
        _encoded.clear()
    _encoded[id(text)] = (text, data)


def encoded(text: str) -> bytes:
    """`text` in UTF-8, encoded once a run."""
    known = _encoded.get(id(text))
    if known is not None and known[0] is text:
        return known[1]
    data = text.encode("utf-8")
    remember(text, data)
    return data


def sha(text: str) -> str:
    """The sha256 of `text`, remembered for the run: the board's megabytes are hashed for
    the memo and the patch state alike (charter.board.patch)."""
    known = _hashed.get(id(text))
    if known is not None and known[0] is text:
        return known[1]
    digest = hashlib.sha256(encoded(text)).hexdigest()
    if len(_hashed) >= _KEPT:
        _hashed.clear()
    _hashed[id(text)] = (text, digest)
    return digest


_hashed_bytes: dict[int, tuple[bytes, str]] = {}  # id(data) -> (data, its sha256)


def sha_bytes(data: bytes) -> str:
    """The sha256 of `data`, remembered for the run (a board file's bytes, hashed to find
    its patch state and again to check it)."""
    known = _hashed_bytes.get(id(data))
    if known is not None and known[0] is data:
        return known[1]
    digest = hashlib.sha256(data).hexdigest()
    if len(_hashed_bytes) >= _KEPT:
        _hashed_bytes.clear()
    _hashed_bytes[id(data)] = (data, digest)
    return digest


def stamp_digest(text: str) -> str:
    """`charter.stamps.digest(text)` (the hash a stamp records: CRLF read as LF), from the
    remembered bytes and hash when the text holds no carriage return."""
    if b"\r" in encoded(text):
        return stamps.digest(text)
    return sha(text)
