"""Claiming, renewing and releasing tasks, and listing who holds what.

Every change is one compare-and-swap on the task's ref (`charter.claims.gitref`): the
value we read is the value the swap expects, so of any number of racing agents exactly
one wins and the others are told who did. `[tool.charter] claims` picks where the refs
live: "local" (this clone, shared by its worktrees), "remote" (the `claims_remote`, so
two machines cannot both win), or "auto" (remote when the clone has that remote).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from charter.claims import gitref
from charter.claims.record import Claim, claim_ref, new_claim, parse_duration
from charter.clock import iso, now
from charter.config import Config
from charter.errors import CharterError

DEFAULT_SKEW = timedelta(seconds=60)
_RETRIES = 5  # a remote ref that changes between reading it and fetching its commit


@dataclass(frozen=True)
class Store:
    """Where claims live, seen from one worktree."""

    cwd: Path
    remote: str | None  # None: local refs
    skew: timedelta = DEFAULT_SKEW  # how long past its expiry a claim still stands

    @property
    def where(self) -> str:
        return f"remote {self.remote!r}" if self.remote else "this clone"

    def refs(self, ref: str | None = None) -> dict[str, str]:
        if self.remote is None:
            return gitref.local_refs(self.cwd, ref)
        found = gitref.remote_refs(self.cwd, self.remote, ref)
        gitref.fetch_missing(self.cwd, self.remote, found)
        return found

    def read(self, ref: str | None = None) -> list[Claim]:
        for _ in range(_RETRIES):
            refs = self.refs(ref)
            claims = gitref.read_commits(self.cwd, refs)
            if len(claims) == len(refs):
                return claims
        raise CharterError(f"claims on {self.where} keep changing while read; try again")

    def swap(self, ref: str, new: str | None, expected: str | None) -> gitref.Swap:
        if self.remote is None:
            return gitref.swap_local(self.cwd, ref, new, expected)
        return gitref.swap_remote(self.cwd, self.remote, ref, new, expected)


@dataclass(frozen=True)
class Outcome:
    """What a claim, renew or release did: `ok`, the claim now in force (or released), the
    claim that stood in the way, and a sentence for people."""

    ok: bool
    action: str  # claimed, took-over, already-yours, renewed, released, refused
    claim: Claim | None
    holder: Claim | None
    message: str

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "action": self.action,
            "claim": self.claim.as_json() if self.claim else None,
            "holder": self.holder.as_json() if self.holder else None,
            "message": self.message,
        }


def store_for(config: Config, cwd: Path | None = None) -> Store:
    where = cwd or config.root
    mode = config.claims
    if mode == "local":
        return Store(where, None)
    if mode == "remote":
        if not gitref.has_remote(where, config.claims_remote):
            raise CharterError(
                f'claims = "remote" but this clone has no remote {config.claims_remote!r} '
                "(set claims_remote, or add the remote)",
                config.source,
            )
        return Store(where, config.claims_remote)
    return Store(
        where, config.claims_remote if gitref.has_remote(where, config.claims_remote) else None
    )


def list_claims(store: Store) -> list[Claim]:
    return sorted(store.read(), key=lambda c: c.task)


def live_claims(store: Store, at: datetime | None = None) -> dict[str, Claim]:
    """Claims not expired at `at` (default now), by task ID."""
    moment = at or now()
    return {c.task: c for c in store.read() if not c.is_expired(moment, store.skew)}


def held(store: Store, task_id: str) -> Claim | None:
    found = store.read(claim_ref(task_id))
    return found[0] if found else None


def _describe(claim: Claim) -> str:
    return f"{claim.agent} (host {claim.host}, worktree {claim.worktree}) until {claim.expires_at}"


def claim(store: Store, task_id: str, agent: str, ttl: str | timedelta) -> Outcome:
    """Take the task: free, or expired (a takeover, recorded in the new claim and as its
    parent commit). Held by someone else and live: refused, naming them."""
    lease = parse_duration(ttl) if isinstance(ttl, str) else ttl
    for _ in range(_RETRIES):
        outcome = _claim_once(store, task_id, agent, lease)
        if outcome is not None:
            return outcome
    return Outcome(False, "refused", None, None, f"{task_id}: too contended; try again")


def _claim_once(store: Store, task_id: str, agent: str, lease: timedelta) -> Outcome | None:
    """One read and one swap; None when the swap met a lock and nobody won (try again)."""
    ref = claim_ref(task_id)
    current = held(store, task_id)
    moment = now()
    if current is not None and current.agent == agent:
        if current.is_expired(moment, timedelta(0)):
            return renew(store, task_id, agent, lease)
        return Outcome(True, "already-yours", current, None, f"{task_id}: already yours")
    if current is not None and not current.is_expired(moment, store.skew):
        return _refused(task_id, current)
    fresh = new_claim(
        task_id,
        agent,
        _worktree(store),
        moment,
        lease,
        previous=current,
        branch=gitref.current_branch(store.cwd),
    )
    oid = gitref.write_claim(store.cwd, fresh, current.oid if current else None)
    swap = store.swap(ref, oid, current.oid if current else None)
    if not swap.won:
        winner = held(store, task_id)
        if winner is None or (current is not None and winner.oid == current.oid):
            return None
        if winner.agent == agent:  # our own other process got there first
            return Outcome(True, "already-yours", winner, None, f"{task_id}: already yours")
        return _refused(task_id, winner)
    taken = fresh.with_oid(oid)
    if current is not None:
        return Outcome(
            True,
            "took-over",
            taken,
            current,
            f"{task_id}: claimed by {agent} until {taken.expires_at} on {store.where}, "
            f"taken over from {current.agent} (expired {current.expires_at})",
        )
    return Outcome(
        True,
        "claimed",
        taken,
        None,
        f"{task_id}: claimed by {agent} until {taken.expires_at} on {store.where}",
    )


def renew(store: Store, task_id: str, agent: str, ttl: str | timedelta) -> Outcome:
    """Move the expiry of our own claim; an expired one we still hold may be renewed too,
    as long as nobody took it over."""
    lease = parse_duration(ttl) if isinstance(ttl, str) else ttl
    current = held(store, task_id)
    if current is None:
        return Outcome(False, "refused", None, None, f"{task_id}: not claimed; claim it first")
    if current.agent != agent:
        return _refused(task_id, current)
    moment = now()
    fresh = Claim(
        task=current.task,
        agent=current.agent,
        host=current.host,
        worktree=current.worktree,
        claimed_at=current.claimed_at,
        expires_at=iso(moment + lease),
        renewed_at=iso(moment),
        branch=current.branch,
    )
    oid = gitref.write_claim(store.cwd, fresh, current.oid)
    swap = store.swap(claim_ref(task_id), oid, current.oid)
    if not swap.won:
        winner = held(store, task_id)
        if winner is None:
            return Outcome(False, "refused", None, None, f"{task_id}: released meanwhile")
        return _refused(task_id, winner)
    renewed = fresh.with_oid(oid)
    return Outcome(True, "renewed", renewed, None, f"{task_id}: renewed until {renewed.expires_at}")


def release(store: Store, task_id: str, agent: str, force: bool = False) -> Outcome:
    """Give the task back. Only its holder may, unless `force` (a person clearing up)."""
    current = held(store, task_id)
    if current is None:
        return Outcome(True, "released", None, None, f"{task_id}: was not claimed")
    if current.agent != agent and not force:
        return _refused(task_id, current)
    for _ in range(_RETRIES):
        if store.swap(claim_ref(task_id), None, current.oid).won:
            break
        winner = held(store, task_id)
        if winner is None:
            return Outcome(True, "released", None, None, f"{task_id}: was not claimed")
        if winner.oid != current.oid:
            return _refused(task_id, winner)
    else:
        raise CharterError(f"{task_id}: the claim ref stayed locked; try `release` again")
    return Outcome(True, "released", None, current, f"{task_id}: released on {store.where}")


def _refused(task_id: str, holder: Claim) -> Outcome:
    return Outcome(False, "refused", None, holder, f"{task_id}: held by {_describe(holder)}")


def _worktree(store: Store) -> Path:
    return gitref.worktree_root(store.cwd)
