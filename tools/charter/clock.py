"""The one place charter reads the time for sessions and the files they write.

`CHARTER_NOW` (ISO-8601, e.g. 2026-01-02T03:04:05Z) pins it, so generated logs
and golden tests are reproducible.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from charter.errors import CharterError

ENV = "CHARTER_NOW"


def now() -> datetime:
    """The current time in UTC, to the second; `CHARTER_NOW` overrides it."""
    pinned = os.environ.get(ENV, "").strip()
    if not pinned:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        value = datetime.fromisoformat(pinned)
    except ValueError as exc:
        raise CharterError(
            f"{ENV}={pinned!r} is not an ISO-8601 time, e.g. 2026-01-02T03:04:05Z"
        ) from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """`2026-01-02T03:04:05Z`: the form session logs and the active-session file use."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
