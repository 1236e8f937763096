"""Git plumbing for claims: a claim is a commit under `refs/charter/claims/`, and taking,
renewing or releasing one is a single compare-and-swap of that ref.

Locally that is `git update-ref REF NEW OLD`, which every worktree of a clone shares;
on a remote it is `git push --atomic --force-with-lease=REF:OLD`, which the server
applies or refuses as one step. Nothing here decides who may claim what (`ops` does).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from charter.claims.record import REF_PREFIX, Claim, claim_from_message
from charter.errors import CharterError

# The claim commits carry a fixed identity: they are records, not anyone's work, and a
# repository without user.name/user.email must still be able to claim.
_IDENTITY = {
    "GIT_AUTHOR_NAME": "charter",
    "GIT_AUTHOR_EMAIL": "charter@localhost",
    "GIT_COMMITTER_NAME": "charter",
    "GIT_COMMITTER_EMAIL": "charter@localhost",
}
BUSY = "busy"  # the swap did not run: the ref was locked by a concurrent update
_FETCH_CHUNK = 400  # ref names per `git fetch`, well under any argv limit


@dataclass(frozen=True)
class Swap:
    """What a compare-and-swap did: `won`, or lost to a ref that no longer holds `expected`."""

    won: bool
    detail: str = ""


def git(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **_IDENTITY, "GIT_TERMINAL_PROMPT": "0"}
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    except OSError as exc:
        raise CharterError(f"cannot run git: {exc}") from exc


def _checked(cwd: Path, *args: str, stdin: str | None = None) -> str:
    done = git(cwd, *args, stdin=stdin)
    if done.returncode != 0:
        raise CharterError(f"git {args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def write_claim(cwd: Path, claim: Claim, parent: str | None) -> str:
    """Store the claim as a commit of the empty tree (its parent: the claim it replaces, so
    `git log REF` shows takeovers and renewals); returns the commit's id. Nothing points at
    it yet, so a crash here leaves only an object `git gc` removes."""
    tree = _checked(cwd, "hash-object", "-t", "tree", "-w", "--stdin", stdin="").strip()
    args = ["commit-tree", tree, "-F", "-"]
    if parent:
        args += ["-p", parent]
    return _checked(cwd, *args, stdin=claim.to_message()).strip()


def read_commits(cwd: Path, refs: dict[str, str]) -> list[Claim]:
    """The claims the given ref -> commit pairs hold, read in one `git cat-file --batch`."""
    if not refs:
        return []
    oids = list(refs.values())
    out = git(cwd, "cat-file", "--batch", stdin="\n".join(oids) + "\n")
    if out.returncode != 0:
        raise CharterError(f"git cat-file failed: {out.stderr.strip()}")
    data = out.stdout.encode("utf-8")
    bodies: dict[str, str] = {}
    pos = 0
    for oid in oids:
        end = data.index(b"\n", pos)
        header = data[pos:end].decode().split()
        pos = end + 1
        if len(header) < 3:  # "<oid> missing"
            continue
        size = int(header[2])
        bodies[oid] = data[pos : pos + size].decode("utf-8", "replace")
        pos += size + 1
    claims = []
    for ref, oid in refs.items():
        if oid in bodies:
            _, _, message = bodies[oid].partition("\n\n")
            claims.append(claim_from_message(message, oid, ref))
    return claims


# Local: refs shared by every worktree of this clone.


def local_refs(cwd: Path, ref: str | None = None) -> dict[str, str]:
    pattern = ref or REF_PREFIX
    out = _checked(cwd, "for-each-ref", "--format=%(refname) %(objectname)", pattern)
    pairs = (line.split(" ", 1) for line in out.splitlines() if line.strip())
    return {name: oid for name, oid in pairs if ref is None or name == ref}


def swap_local(cwd: Path, ref: str, new: str | None, expected: str | None) -> Swap:
    """Point REF at NEW (None: delete it) if it now holds EXPECTED (None: if it is absent)."""
    args = ["update-ref", "-m", "charter claim"]
    if new is None:
        args += ["-d", ref, expected or ""]
    else:
        args += [ref, new, expected or ""]
    # Wait a little for a ref or packed-refs lock another agent holds, rather than fail.
    done = git(
        cwd, "-c", "core.filesRefLockTimeout=500", "-c", "core.packedRefsTimeout=2000", *args
    )
    if done.returncode == 0:
        return Swap(True)
    now = local_refs(cwd, ref).get(ref)
    if now != expected:
        return Swap(False, done.stderr.strip())
    if "cannot lock ref" in done.stderr or ".lock': File exists" in done.stderr:
        # Another process held the ref's lock, or changed it and changed it back (taken
        # and released) between our swap and this read: either way not ours; read again.
        return Swap(False, BUSY)
    raise CharterError(f"git update-ref {ref} failed: {done.stderr.strip()}")


# Remote: the server's ref is the one truth; no local copy is kept, so a failed push
# leaves nothing behind to disagree with it.


def remote_refs(cwd: Path, remote: str, ref: str | None = None) -> dict[str, str]:
    done = git(cwd, "ls-remote", "--refs", remote, ref or REF_PREFIX + "*")
    if done.returncode != 0:
        raise CharterError(
            f"cannot reach the claims remote {remote!r}: {done.stderr.strip()}; "
            "no claim was taken or changed"
        )
    pairs = (line.split("\t", 1) for line in done.stdout.splitlines() if "\t" in line)
    return {name: oid for oid, name in pairs}


def fetch_missing(cwd: Path, remote: str, refs: dict[str, str]) -> None:
    """Bring the claim commits we do not have yet, without writing any ref or FETCH_HEAD
    (so any number of processes of one clone can do it at once)."""
    known = git(cwd, "cat-file", "--batch-check", stdin="\n".join(refs.values()) + "\n")
    missing = [
        ref
        for (ref, _), line in zip(refs.items(), known.stdout.splitlines(), strict=False)
        if line.endswith(" missing")
    ]
    for start in range(0, len(missing), _FETCH_CHUNK):
        chunk = missing[start : start + _FETCH_CHUNK]
        done = git(cwd, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote, *chunk)
        if done.returncode != 0 and "couldn't find remote ref" not in done.stderr:
            raise CharterError(
                f"cannot fetch claims from {remote!r}: {done.stderr.strip()}; "
                "no claim was taken or changed"
            )


def swap_remote(cwd: Path, remote: str, ref: str, new: str | None, expected: str | None) -> Swap:
    """The same compare-and-swap on the remote: `--force-with-lease` with the expected value,
    `--atomic` so the server takes all or nothing. Unreachable: an error (fail closed)."""
    lease = f"--force-with-lease={ref}:{expected or ''}"
    spec = f"{new}:{ref}" if new else f":{ref}"
    done = git(cwd, "push", "--porcelain", "--atomic", "--no-verify", lease, remote, spec)
    if done.returncode == 0:
        return Swap(True)
    for line in done.stdout.splitlines():
        if line.startswith("!") and ref in line:
            if "stale info" in line or "fetch first" in line or "already exists" in line:
                return Swap(False, line.split("\t")[-1])
            busy = ("lock", "failed to update", "atomic transaction failed")
            if "remote rejected" in line and any(word in line for word in busy):
                return Swap(False, BUSY)  # a concurrent push held the server's ref lock
            raise CharterError(f"the claims remote {remote!r} refused {ref}: {line.strip()}")
    raise CharterError(
        f"cannot reach the claims remote {remote!r}: "
        f"{done.stderr.strip() or 'git push failed'}; no claim was taken or changed"
    )


def has_remote(cwd: Path, remote: str) -> bool:
    return git(cwd, "remote", "get-url", remote).returncode == 0


def worktree_root(cwd: Path) -> Path:
    return Path(_checked(cwd, "rev-parse", "--show-toplevel").strip())


def current_branch(cwd: Path) -> str | None:
    done = git(cwd, "symbolic-ref", "--quiet", "--short", "HEAD")
    return done.stdout.strip() or None if done.returncode == 0 else None
