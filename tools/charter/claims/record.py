"""A claim as data: who holds a task, from where, since when and until when.

A claim is stored as the message of a git commit (see `charter.claims.gitref`);
this module turns it into JSON and back, reads durations and names the agent.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import socket
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from charter.clock import iso
from charter.errors import CharterError

AGENT_ENV = "CHARTER_AGENT"
REF_PREFIX = "refs/charter/claims/"
# A task ID becomes one ref name component: git's rules, a little stricter.
_REF_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_DURATION = re.compile(r"(\d+)\s*([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Claim:
    task: str
    agent: str
    host: str
    worktree: str
    claimed_at: str  # ISO-8601 UTC, the claimant's clock
    expires_at: str
    renewed_at: str | None = None
    branch: str | None = None  # the claimant's branch, so other machines can diff it
    # Set when this claim took over an expired one: the previous holder and its expiry.
    took_over_from: str | None = None
    took_over_expired_at: str | None = None
    oid: str = ""  # the commit that holds it; empty until stored

    def expiry(self) -> datetime:
        return parse_time(self.expires_at)

    def is_expired(self, now: datetime, skew: timedelta) -> bool:
        """Expired only when its expiry lies further back than the allowed clock skew, so an
        agent whose clock runs behind ours does not lose a lease it still believes it holds."""
        return now > self.expiry() + skew

    def to_message(self) -> str:
        data = {k: v for k, v in asdict(self).items() if k != "oid" and v is not None}
        return "charter claim " + self.task + "\n\n" + json.dumps(data, sort_keys=True) + "\n"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def with_oid(self, oid: str) -> Claim:
        return replace(self, oid=oid)


def claim_from_message(message: str, oid: str, ref: str) -> Claim:
    """The claim a commit message records; a message charter did not write is an error."""
    _, _, body = message.partition("\n\n")
    try:
        data = json.loads(body)
        return Claim(
            task=str(data["task"]),
            agent=str(data["agent"]),
            host=str(data.get("host", "")),
            worktree=str(data.get("worktree", "")),
            claimed_at=str(data["claimed_at"]),
            expires_at=str(data["expires_at"]),
            renewed_at=data.get("renewed_at"),
            branch=data.get("branch"),
            took_over_from=data.get("took_over_from"),
            took_over_expired_at=data.get("took_over_expired_at"),
            oid=oid,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise CharterError(
            f"{ref} ({oid[:12]}) does not hold a charter claim: {exc}; "
            f"delete it with `git update-ref -d {ref}` if nobody uses it"
        ) from exc


def parse_time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CharterError(f"not an ISO-8601 time: {text!r}") from exc


def parse_duration(text: str) -> timedelta:
    """`90s`, `30m`, `2h`, `1d`, `1h30m`: a lease length."""
    compact = text.strip().lower().replace(" ", "")
    parts = _DURATION.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise CharterError(f"not a duration: {text!r} (write e.g. 90s, 30m, 2h, 1d, 1h30m)")
    seconds = sum(int(n) * _UNIT_SECONDS[u] for n, u in parts)
    if seconds <= 0:
        raise CharterError(f"a duration must be longer than zero: {text!r}")
    return timedelta(seconds=seconds)


def claim_ref(task_id: str) -> str:
    if not _REF_SAFE.fullmatch(task_id) or ".." in task_id or task_id.endswith(".lock"):
        raise CharterError(
            f"task ID {task_id!r} cannot name a claim: use letters, digits, '.', '_' and '-'"
        )
    return REF_PREFIX + task_id


def default_agent(worktree: Path) -> str:
    """`$CHARTER_AGENT`, else user@host:worktree, so two worktrees on one machine differ."""
    named = os.environ.get(AGENT_ENV, "").strip()
    if named:
        return named
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "agent"
    return f"{user}@{socket.gethostname()}:{worktree.name}"


def new_claim(
    task: str,
    agent: str,
    worktree: Path,
    now: datetime,
    ttl: timedelta,
    previous: Claim | None = None,
    branch: str | None = None,
) -> Claim:
    return Claim(
        task=task,
        agent=agent,
        host=socket.gethostname(),
        worktree=str(worktree),
        claimed_at=iso(now),
        expires_at=iso(now + ttl),
        branch=branch,
        took_over_from=previous.agent if previous else None,
        took_over_expired_at=previous.expires_at if previous else None,
    )
