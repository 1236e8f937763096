"""The active session as the guard reads it: `<repo>/.charter/active-session.json`.

The guard, `charter run` and the command log read the record on every
command, so this reader uses the standard library's lightest modules only;
`charter.state.session` writes the file and reads it as an `ActiveSession`.
"""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ACTIVE_SESSION = ".charter/active-session.json"


def _error(message: str, path: str | None = None, line: int | None = None) -> Exception:
    # charter.errors imports pathlib (7 ms): only a failing guard call pays for it
    from charter.errors import CharterError  # lazy: the guard's start-up budget

    return CharterError(message, path, line)


def read_active_session(root: str) -> dict[str, Any] | None:
    """The active session record, None when there is none; CharterError when it is damaged."""
    path = os.path.join(root, ACTIVE_SESSION)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _error(f"cannot read the active session: {exc.strerror}", ACTIVE_SESSION) from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _error(
            f"the active session is not valid JSON ({exc}): end it with `charter session end` "
            "or ask the operator to fix it",
            ACTIVE_SESSION,
        ) from exc
    if not isinstance(data, dict):
        raise _error("the active session must be a JSON object", ACTIVE_SESSION)
    for key in ("id", "level"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise _error(f"the active session has no {key!r}", ACTIVE_SESSION)
    session_id = data["id"]
    if session_id in (".", "..") or not all(c.isalnum() or c in "._-" for c in session_id):
        raise _error(f"the active session id {session_id!r} is not a plain name", ACTIVE_SESSION)
    return data
