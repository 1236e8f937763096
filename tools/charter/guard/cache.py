"""The compiled policy, cached as sealed JSON under `<repo>/.charter/cache/policy.cache`.

The key is the policy file's path, size, mtime, ctime and inode (ctime and the
inode catch an edit that keeps size and mtime), plus the cache format and the
charter version. The file is believed only when its checksum, version, owner
and permissions hold (`charter.sealed`). A hit is one `stat`, one read and one
`json.loads`; a miss imports the
YAML parser, validates, and rewrites the cache. An invalid policy is cached
too, as its error, so every guard call fails the same way without reparsing.
The cache lives under `.charter/`, which no command the guard allows may write.
"""

from __future__ import annotations

import os

from charter import __version__
from charter.guard.compiled import CompiledPolicy
from charter.sealed import read_sealed, write_sealed

CACHE_PATH = ".charter/cache/policy.cache"
CACHE_FORMAT = 1

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _error(message: str, path: str | None = None, line: int | None = None) -> Exception:
    # charter.errors imports pathlib (7 ms): only a failing guard call pays for it
    from charter.errors import CharterError  # lazy: off the guard's start-up path

    return CharterError(message, path, line)


def cache_key(root: str, policy_path: str) -> list[Any]:
    try:
        info = os.stat(os.path.join(root, policy_path))
    except FileNotFoundError as exc:
        raise _error(
            "no autonomy policy here: create it (see docs/guard.md) or set `policy` in "
            "[tool.charter]",
            policy_path,
        ) from exc
    except OSError as exc:
        raise _error(f"cannot read the policy: {exc.strerror}", policy_path) from exc
    return [
        policy_path,
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
        info.st_ino,
        CACHE_FORMAT,
        __version__,
        *_code_key(),
    ]


def _code_key() -> list[int]:
    # A changed parser or compiler must not be served an entry the old one wrote;
    # the version alone does not change while charter is being developed.
    here = os.path.dirname(os.path.abspath(__file__))
    stamps = []
    for relative in ("policy_model.py", "rules.py", "policy.py"):
        try:
            stamps.append(os.stat(os.path.join(here, relative)).st_mtime_ns)
        except OSError:
            stamps.append(0)
    return stamps


def load_compiled(root: str, policy_path: str) -> CompiledPolicy:
    """The compiled policy of the repository at `root`; CharterError when it is invalid."""
    key = cache_key(root, policy_path)
    cache_file = os.path.join(root, CACHE_PATH)
    entry = _read(cache_file)
    if entry is not None and entry.get("key") == key:
        error = entry.get("error")
        if isinstance(error, dict):
            path = error.get("path")
            raise _error(
                str(error.get("message")),
                path if isinstance(path, str) else None,
                _line(error.get("line")),
            )
        try:
            return CompiledPolicy(entry.get("policy"))
        except Exception:  # any damaged entry (ValueError, or worse): rebuild it
            pass
    return _rebuild(root, policy_path, key, cache_file)


def _rebuild(root: str, policy_path: str, key: list[Any], cache_file: str) -> CompiledPolicy:
    from pathlib import Path

    from charter.errors import CharterError  # lazy: off the guard's start-up path
    from charter.guard.policy import load_policy  # lazy: off the guard's start-up path
    from charter.guard.policy_model import compile_policy  # lazy: off the guard's start-up path

    try:
        compiled = compile_policy(load_policy(Path(root) / policy_path, policy_path))
    except CharterError as exc:
        error = {"message": exc.message, "path": exc.path, "line": exc.line}
        write_json(cache_file, {"key": key, "error": error})
        raise
    write_json(cache_file, {"key": key, "policy": compiled})
    return CompiledPolicy(compiled)


def _line(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _read(path: str) -> dict[str, Any] | None:
    data = read_sealed(path, os.path.basename(path))
    return data if isinstance(data, dict) else None


def write_json(path: str, entry: dict[str, Any]) -> None:
    # A cache that cannot be written (read-only checkout) only costs speed.
    write_sealed(path, os.path.basename(path), entry)
