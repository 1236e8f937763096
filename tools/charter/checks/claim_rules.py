"""Many agents, one repository: a commit that reaches into another agent's claimed task
(CH030), and a task whose paths changed since it was last reviewed (CH031).

Both read git as it is now, so they run on every check, and both cost nothing when they
have nothing to look at: CH030 reads the claims only when files are staged, and the plans
only when another agent holds a claim; CH031 loads the plans only when one of them says
`Reviewed:`, and then reads git history with one `git log` over the range every review
needs (from the reviews' common ancestor to HEAD), not one per task.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from charter import rulecodes
from charter.checks.path_claims import RepoEntries, claimed_paths, is_claim
from charter.errors import CharterError
from charter.files import plan_listing
from charter.model import Diagnostic, Task
from charter.repo import load_repo
from charter.world import World

OVERLAP = rulecodes.TOUCHES_CLAIMED_TASK
DRIFT = rulecodes.REVIEWED_PATHS_CHANGED
_SHA = re.compile(r"[0-9a-fA-F]{7,64}")
_LISTED_COMMITS = 5  # commits a CH031 message names before "and N more"
# `Reviewed:` as a task field or frontmatter key, in any markup: a plan without one costs a
# byte scan, never a parse.
_REVIEWED_FIELD = re.compile(rb"(?im)^[ \t>*+|-]*(?:\*\*|__)?reviewed(?: at)?(?:\*\*|__)?[ \t]*:")


def _git(root: Path, *args: str, stdin: str | None = None) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


# -- CH030 ----------------------------------------------------------------------------


def _committing_agent(world: World) -> str:
    """Who commits: the active session's agent, else the identity claims are taken under."""
    from charter.claims.record import default_agent  # lazy: only with staged files and claims
    from charter.state.session import read_active  # lazy: only with staged files and claims

    try:
        active = read_active(world.root)
    except CharterError:
        active = None
    if active is not None and active.agent not in ("", "unknown"):
        return active.agent
    return default_agent(world.root.resolve())


def touches_claimed(world: World) -> Iterator[Diagnostic]:
    staged_out = _git(world.root, "diff", "--cached", "--relative", "--name-only", "-z")
    staged = sorted(p for p in (staged_out or "").split("\0") if p)
    if not staged:
        return
    # Claims are git refs read with subprocess and temporary files: a check with nothing
    # staged (most pre-commit runs of a warm check are not) never imports their modules.
    from charter.claims import ops  # lazy: only with staged files
    from charter.claims.overlap import declared_paths, path_matches  # lazy: only with staged files

    try:
        live = ops.live_claims(ops.store_for(world.config))
    except CharterError as exc:
        yield Diagnostic(
            staged[0],
            1,
            1,
            OVERLAP,
            f"the claims cannot be read, so this commit was not compared with the files other "
            f"agents' claimed tasks declare: {exc.message}",
            "warning",
        )
        return
    me = _committing_agent(world) if live else ""
    others = {task: claim for task, claim in live.items() if claim.agent != me}
    if not others:
        return
    index = load_repo(world.config, use_cache=world.cache).task_index()
    for task_id in sorted(others):
        claim, tasks = others[task_id], index.get(task_id)
        if not tasks:
            continue
        task = tasks[0]
        declared = declared_paths(task.value("touches"))
        for path in staged:
            hit = next((p for p in declared if path_matches(path, p)), None)
            if hit is None:
                continue
            yield Diagnostic(
                path,
                1,
                1,
                OVERLAP,
                f"this commit touches {path}, which {task_id} declares (Touches: {hit}, "
                f"{task.path}:{task.line}); {claim.agent} holds that task until "
                f"{claim.expires_at}: leave the file to that task, or agree with its holder "
                "(`charter overlap` shows every collision)",
                "warning",
            )


# -- CH031 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Review:
    task: Task
    sha: str  # as written
    path: str  # where `Reviewed:` is written
    line: int
    patterns: tuple[str, ...]  # the paths the task references


def _mentions_review(world: World) -> bool:
    for _rel, full in plan_listing(world.config):
        try:
            if _REVIEWED_FIELD.search(Path(full).read_bytes()):
                return True
        except OSError:
            continue  # an unreadable plan is CH001's to report
    return False


def referenced_paths(task: Task, entries: RepoEntries) -> tuple[str, ...]:
    """Evidence paths, `Touches:` patterns, and backticked paths in the title or fields."""
    from charter.claims.overlap import declared_paths  # lazy: only when a plan says Reviewed

    found: list[str] = [e.path for e in task.evidence]
    found += declared_paths(task.value("touches"))
    texts = [task.title, *(f.value for f in task.fields if f.name not in ("reviewed", "touches"))]
    for text in texts:
        for quoted in text.split("`")[1::2]:
            for path in claimed_paths(quoted) or ():
                if is_claim(path, entries.top_level):
                    found.append(path)
    return tuple(dict.fromkeys(p.removeprefix("./") for p in found if p))


def _reviews(world: World) -> list[_Review]:
    repo = load_repo(world.config, use_cache=world.cache)
    entries = RepoEntries(world.root)
    found = []
    for plan in repo.plans:
        plan_sha = plan.frontmatter.get("reviewed")
        plan_line = plan.frontmatter_lines.get("reviewed", 1)
        for task in plan.walk():
            own = task.field("reviewed")
            sha = own.value.strip() if own is not None else str(plan_sha or "").strip()
            if not _SHA.fullmatch(sha):
                continue  # not a commit id: a note such as "Reviewed: by the team"
            patterns = referenced_paths(task, entries)
            if not patterns:
                continue
            line = own.line if own is not None else plan_line
            found.append(_Review(task, sha, plan.path, line, patterns))
    return found


@dataclass(frozen=True)
class _Commit:
    short: str
    subject: str
    parents: tuple[str, ...]
    files: tuple[str, ...]


def _resolve(root: Path, shas: list[str]) -> dict[str, str]:
    """Each written sha -> the full id of its commit (left out: not a commit here)."""
    out = _git(
        root,
        "cat-file",
        "--batch-check=%(objectname)",
        stdin="".join(f"{s}^{{commit}}\n" for s in shas),
    )
    lines = (out or "").splitlines()
    return {
        sha: line for sha, line in zip(shas, lines, strict=False) if not line.endswith("missing")
    }


def _history(root: Path, oids: list[str]) -> tuple[list[str], dict[str, _Commit]] | None:
    """One `git log` from the reviews' common ancestor to HEAD: commits, newest first."""
    base = _git(root, "merge-base", "--octopus", *oids) if len(oids) > 1 else oids[0]
    args = ["log", "--relative", "--no-renames", "--name-only", "--format=%x1e%H%x1f%P%x1f%h%x1f%s"]
    out = _git(root, *args, "HEAD", *([f"^{base.strip()}"] if base and base.strip() else []))
    if out is None:
        return None
    order: list[str] = []
    commits: dict[str, _Commit] = {}
    for record in out.split("\x1e")[1:]:
        header, _, names = record.partition("\n")
        oid, parents, short, subject = [*header.split("\x1f"), "", "", ""][:4]
        files = tuple(n for n in names.splitlines() if n)
        order.append(oid)
        commits[oid] = _Commit(short, subject, tuple(parents.split()), files)
    return order, commits


def _ancestors(oid: str, commits: dict[str, _Commit]) -> set[str]:
    """`oid` and its ancestors among the logged commits."""
    seen, todo = {oid}, [oid]
    while todo:
        commit = commits.get(todo.pop())
        for parent in commit.parents if commit else ():
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def _matches(path: str, pattern: str) -> bool:
    from charter.claims.overlap import path_matches  # lazy: only when a plan says Reviewed

    if "/" not in pattern.rstrip("/") and not any(c in pattern for c in "*?["):
        return path == pattern or path.endswith("/" + pattern) or path.startswith(pattern + "/")
    return path_matches(path, pattern)


def review_drift(world: World) -> Iterator[Diagnostic]:
    if world.reviews is False or (world.reviews is None and not _mentions_review(world)):
        return
    reviews = _reviews(world)
    if not reviews:
        return
    resolved = _resolve(world.root, sorted({r.sha for r in reviews}))
    for review in reviews:
        if review.sha not in resolved:
            yield Diagnostic(
                review.path,
                review.line,
                1,
                DRIFT,
                f"{review.task.id or review.task.title}: Reviewed: {review.sha} is not a commit "
                "of this repository (mistyped, or lost to a rebase): review the task again and "
                f"run `charter task review {review.task.id or 'ID'}`",
                "warning",
            )
    oids = sorted(set(resolved.values()))
    history = _history(world.root, oids) if oids else None
    if history is None:
        return
    order, commits = history
    since: dict[str, list[str]] = {}
    changed_files: dict[str, set[str]] = {}  # per review commit: every file changed since
    for oid in oids:
        before = _ancestors(oid, commits)
        since[oid] = [c for c in order if c not in before]
        changed_files[oid] = {f for c in since[oid] for f in commits[c].files}
    matched: dict[tuple[str, str], bool] = {}  # tasks share patterns: match each pair once

    def hit(path: str, pattern: str) -> bool:
        key = (path, pattern)
        if key not in matched:
            matched[key] = _matches(path, pattern)
        return matched[key]

    for review in reviews:
        reviewed = resolved.get(review.sha)
        if reviewed is None:
            continue
        touched = {f for f in changed_files[reviewed] if any(hit(f, p) for p in review.patterns)}
        if not touched:
            continue
        changed = []
        for commit_id in since[reviewed]:
            commit = commits[commit_id]
            hits = [f for f in commit.files if f in touched]
            if hits:
                changed.append(f"{commit.short} ({commit.subject[:60]}: {', '.join(hits[:3])})")
        if not changed:
            continue
        listed = "; ".join(changed[:_LISTED_COMMITS])
        more = len(changed) - _LISTED_COMMITS
        if more > 0:
            listed += f"; and {more} more"
        task_id = review.task.id
        yield Diagnostic(
            review.path,
            review.line,
            1,
            DRIFT,
            f"{task_id or review.task.title}: its paths changed since it was reviewed at "
            f"{review.sha}, in {len(changed)} commit(s): {listed}. Review it again, then "
            f"`charter task review {task_id or 'ID'}`",
            "warning",
        )
