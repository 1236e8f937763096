"""`charter overlap`: claimed tasks that collide before their branches meet.

A task may declare what it touches (`Touches: src/parser/**, docs/rules/`). For every
pair of live claims held by different agents, the declared paths of each are compared
with the other's declared paths and with the files actually changed on the other's
branch or worktree (`git diff --name-only` against the merge base, plus uncommitted and
untracked files when the worktree is on this machine).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from charter.claims import gitref
from charter.claims.ops import Store, live_claims
from charter.claims.record import Claim
from charter.repo import RepoModel

_GLOB_CHARS = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Side:
    claim: Claim
    declared: tuple[str, ...]
    changed: tuple[str, ...] | None  # None: the claimant's changes cannot be seen from here
    changes_from: str  # where `changed` was read: a worktree, a branch, or why not


@dataclass(frozen=True)
class Collision:
    first: Side
    second: Side
    # (what kind, the files or patterns): declared/declared, changed/declared, ...
    reasons: list[tuple[str, list[str]]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "tasks": [self.first.claim.task, self.second.claim.task],
            "agents": [self.first.claim.agent, self.second.claim.agent],
            "reasons": [{"kind": kind, "paths": paths} for kind, paths in self.reasons],
        }


def declared_paths(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    parts = (p.strip().strip("`").strip() for p in re.split(r"[,;]", text))
    return tuple(p for p in parts if p)


def _static_prefix(pattern: str) -> str:
    found = _GLOB_CHARS.search(pattern)
    return pattern[: found.start()] if found else pattern


def path_matches(path: str, pattern: str) -> bool:
    """`dir/` covers everything under it; `*` and `**` match across folders."""
    if pattern.endswith("/"):
        return path.startswith(pattern)
    if not _GLOB_CHARS.search(pattern):
        return path == pattern or path.startswith(pattern + "/")
    return fnmatch.fnmatchcase(path, pattern)


def patterns_overlap(first: str, second: str) -> bool:
    """Could one file match both? Decided on the parts before any wildcard: conservative
    (`*.md` overlaps everything), never missing a real overlap."""
    a, b = _static_prefix(first), _static_prefix(second)
    if a == first and b == second:  # two plain paths
        return path_matches(a, second) or path_matches(b, first)
    if a == first:
        return path_matches(a, second) or a.startswith(b)
    if b == second:
        return path_matches(b, first) or b.startswith(a)
    return a.startswith(b) or b.startswith(a)


def changed_files(cwd: Path, claim: Claim, base: str) -> tuple[tuple[str, ...] | None, str]:
    """The files the claimant changed since the merge base with `base`."""
    worktree = Path(claim.worktree)
    if worktree.is_dir() and gitref.git(worktree, "rev-parse", "--git-dir").returncode == 0:
        return _diff(worktree, "HEAD", base, with_worktree=True), f"worktree {worktree}"
    for ref in (f"refs/remotes/origin/{claim.branch}", f"refs/heads/{claim.branch}"):
        if claim.branch and gitref.git(cwd, "rev-parse", "--verify", "-q", ref).returncode == 0:
            return _diff(cwd, ref, base, with_worktree=False), f"branch {ref}"
    return None, "not visible here: no worktree on this machine and no fetched branch"


def _diff(cwd: Path, tip: str, base: str, with_worktree: bool) -> tuple[str, ...] | None:
    merge_base = gitref.git(cwd, "merge-base", tip, base)
    if merge_base.returncode != 0:
        return None
    mb = merge_base.stdout.strip()
    args = ["diff", "--name-only", mb] if with_worktree else ["diff", "--name-only", mb, tip]
    files = set(gitref.git(cwd, *args).stdout.split("\n"))
    if with_worktree:
        untracked = gitref.git(cwd, "ls-files", "--others", "--exclude-standard")
        files |= set(untracked.stdout.split("\n"))
    return tuple(sorted(f for f in files if f))


def sides(repo: RepoModel, store: Store, base: str) -> list[Side]:
    index = repo.task_index()
    found = []
    for claim in sorted(live_claims(store).values(), key=lambda c: c.task):
        tasks = index.get(claim.task, [])
        declared = declared_paths(tasks[0].value("touches")) if tasks else ()
        changed, origin = changed_files(store.cwd, claim, base)
        found.append(Side(claim, declared, changed, origin))
    return found


def collisions(all_sides: list[Side]) -> list[Collision]:
    found = []
    for a, b in combinations(all_sides, 2):
        if a.claim.agent == b.claim.agent:
            continue
        reasons: list[tuple[str, list[str]]] = []
        both = sorted({p for p in a.declared for q in b.declared if patterns_overlap(p, q)})
        both += sorted({q for p in a.declared for q in b.declared if patterns_overlap(p, q)})
        if both:
            reasons.append(("both declare", sorted(set(both))))
        for mine, theirs, kind in ((a, b, "first"), (b, a, "second")):
            if mine.changed:
                hits = [f for f in mine.changed if any(path_matches(f, p) for p in theirs.declared)]
                if hits:
                    reasons.append((f"{kind} changed what the other declares", hits))
        if a.changed and b.changed:
            common = sorted(set(a.changed) & set(b.changed))
            if common:
                reasons.append(("both changed", common))
        if reasons:
            found.append(Collision(a, b, reasons))
    return found


def default_base(cwd: Path) -> str:
    """What branches merge into: the remote's default branch, else main, else master."""
    for ref in ("refs/remotes/origin/HEAD", "refs/heads/main", "refs/heads/master"):
        if gitref.git(cwd, "rev-parse", "--verify", "-q", ref).returncode == 0:
            return ref
    return "HEAD"
