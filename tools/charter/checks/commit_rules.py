"""Guarded commits: files that may not enter git, and changes that need a person.

The rules read git in the repository, once per check:
- the index (`git ls-files -s`): what is tracked or staged, with blob sizes;
- staged changes (`git diff --cached --name-status --no-renames`);
- for CI, the changes since the merge-base with the default branch: the ref
  in `CHARTER_BASE_REF` (e.g. `origin/main`), else `origin/HEAD` when the
  clone has it. Without either, only staged changes count.

A repository without git (or git not installed) yields nothing, and so does a
repository without an autonomy policy. The policy is read from the guard's
compiled cache, so a warm `charter check` still imports no YAML parser.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from charter.checks.blob_facts import BlobFacts
from charter.checks.generated_files import charter_outputs
from charter.errors import CharterError
from charter.guard.cache import load_compiled
from charter.guard.paths import first_match
from charter.model import Diagnostic
from charter.rulecodes import (
    DECISION_RECORD_MISSING,
    FILE_TOO_LARGE,
    FORBIDDEN_FILE_COMMITTED,
    PROTECTION_CHANGED_UNAPPROVED,
)
from charter.safety.stop_conditions import decision_record_message, decision_records_missing
from charter.world import World

# The guard's matcher, the stop conditions and subprocess are imported where they are used:
# a check in a repository without a policy never needs them.

BASE_REF_ENV = "CHARTER_BASE_REF"

# The guard's own protections: the policy (added per repository), the agents' hook
# configurations, the hooks that run these checks, the secrets scanner's baseline, and
# the file that says where the policy is. The policy's protected_paths are added too.
PROTECTIONS = (
    ".claude/**",
    ".codex/**",
    ".pre-commit-config.yaml",
    ".secrets.baseline",
    "charter.toml",
)


@dataclass(frozen=True)
class GitView:
    tracked: dict[str, int | None] = field(default_factory=dict)  # path -> blob size
    staged: tuple[tuple[str, str], ...] = ()  # (status letter, path)
    base: tuple[tuple[str, str], ...] = ()  # changes since the merge-base, for CI
    blobs: dict[str, str] = field(default_factory=dict)  # path -> blob id in the index

    def state(self, path: str) -> str:
        return "staged" if any(p == path for _s, p in self.staged) else "tracked"


def findings(world: World, code: str) -> Iterator[Diagnostic]:
    """The findings of rule `code`, from one read of git and the policy shared by all four."""
    found = world.shared("commit-rules", lambda: list(_scan(world)))
    return (d for d in found if d.code == code)


def _scan(world: World) -> Iterator[Diagnostic]:
    config = world.config
    if not config.path(config.policy).is_file():
        return

    try:
        policy = load_compiled(str(world.root), config.policy)
    except CharterError as exc:
        message = f"the autonomy policy cannot be read, so staged files were not checked: {exc}"
        yield Diagnostic(config.policy, exc.line or 1, 1, FORBIDDEN_FILE_COMMITTED, message)
        return
    blobs = BlobFacts(world.root, world.cache)
    view = git_view(world.root, blobs)
    if view is None:
        return
    yield from _forbidden(view, policy.forbidden, config.policy)
    if policy.max_file_size_kb is not None:
        yield from _too_large(world, view, policy.max_file_size_kb, blobs)
    blobs.save()
    for need in decision_records_missing((*view.staged, *view.base), policy.needs_decision_record):
        message = decision_record_message(need, config.policy)
        yield Diagnostic(need.path, 1, 1, DECISION_RECORD_MISSING, message)
    protections = (config.policy, *PROTECTIONS, *policy.protected)
    yield from _protection_changes(world, view, protections)


def _forbidden(view: GitView, patterns: list[str], policy_path: str) -> Iterator[Diagnostic]:
    for path in view.tracked:
        pattern = first_match(patterns, path)
        if pattern is None:
            continue
        yield Diagnostic(
            path,
            1,
            1,
            FORBIDDEN_FILE_COMMITTED,
            f"{path} is {view.state(path)} in git, but the policy forbids it ({pattern!r} in "
            f"forbidden_paths, {policy_path}): `git rm --cached -- {path}`, add it to "
            ".gitignore, and rotate it if it held a secret",
        )


def _too_large(
    world: World, view: GitView, limit_kb: int, blobs: BlobFacts
) -> Iterator[Diagnostic]:
    over = [p for p, size in view.tracked.items() if size is not None and size > limit_kb * 1024]
    # charter's own board, CSV and handoff grow with the plans: not a file anyone added.
    generated = (
        charter_outputs(world.root, world.config, view.blobs, over, blobs.verdict)
        if over
        else set()
    )
    for path in over:
        size = view.tracked[path]
        if size is None or path in generated:
            continue
        yield Diagnostic(
            path,
            1,
            1,
            FILE_TOO_LARGE,
            f"{path} is {view.state(path)} in git at {size / 1024:.1f} KB, over the policy's "
            f"max_file_size_kb: {limit_kb}: keep it out of git (an artifact store, git LFS) "
            "or raise the limit",
        )


def _protection_changes(
    world: World, view: GitView, protections: tuple[str, ...]
) -> Iterator[Diagnostic]:
    if not view.staged:
        return
    from charter.state.session import (  # lazy: off a warm check's start-up path
        ACTIVE_FILE,
        read_active,
    )

    try:
        session = read_active(world.root)
    except CharterError as exc:
        yield Diagnostic(
            ACTIVE_FILE,
            1,
            1,
            PROTECTION_CHANGED_UNAPPROVED,
            f"the active session cannot be read, so staged changes to the guard's "
            f"protections cannot be cleared: {exc.message}",
        )
        return
    if session is None or session.approved_by:
        return

    for status, path in view.staged:
        pattern = first_match(protections, path)
        if pattern is None:
            continue
        verb = {"A": "adds", "D": "deletes"}.get(status, "changes")
        yield Diagnostic(
            path,
            1,
            1,
            PROTECTION_CHANGED_UNAPPROVED,
            f"this commit {verb} {path}, one of the guard's protections ({pattern!r}), during "
            f"agent session {session.id}, whose log names no approver: a person reviews and "
            "commits it after the session, or starts the session with --approved-by NAME",
        )


# -- git ----------------------------------------------------------------------------------


def git_view(root: Path, blobs: BlobFacts | None = None) -> GitView | None:
    """What git holds for the repository at `root`; None without git or outside a work tree.
    `blobs` remembers the sizes of blobs seen before (a blob's size never changes)."""
    listing = _git(root, "ls-files", "-s", "-z")
    if listing is None:
        return None
    entries: list[tuple[str, str, str]] = []
    for record in listing.split("\0"):
        if "\t" not in record:
            continue
        meta, path = record.split("\t", 1)
        mode, sha = meta.split()[:2]
        entries.append((mode, sha, path))
    shas = [sha for mode, sha, _ in entries if mode != "160000"]
    if blobs is None:
        sizes = _blob_sizes(root, shas)
    else:
        sizes = blobs.sizes_of(shas, lambda missing: _blob_sizes(root, missing))
    tracked = {path: sizes.get(sha) for _mode, sha, path in sorted(entries, key=lambda e: e[2])}
    staged = _changes(_git(root, "diff", "--cached", "--name-status", "--no-renames", "-z"))
    in_index = {path: sha for mode, sha, path in entries if mode != "160000"}
    return GitView(tracked, staged, _base_changes(root), in_index)


def _base_changes(root: Path) -> tuple[tuple[str, str], ...]:
    ref = os.environ.get(BASE_REF_ENV, "").strip()
    if not ref:
        head = _git(root, "symbolic-ref", "-q", "refs/remotes/origin/HEAD")
        if head is None or not head.strip():
            return ()
        ref = head.strip()
    base = _git(root, "merge-base", "HEAD", ref)
    if base is None or not base.strip():
        return ()
    diff = _git(root, "diff", "--name-status", "--no-renames", "-z", base.strip(), "HEAD")
    return _changes(diff)


def _changes(output: str | None) -> tuple[tuple[str, str], ...]:
    if not output:
        return ()
    fields = output.split("\0")
    pairs = []
    for index in range(0, len(fields) - 1, 2):
        status, path = fields[index], fields[index + 1]
        if status and path:
            pairs.append((status[0], path))
    return tuple(pairs)


def _blob_sizes(root: Path, shas: list[str]) -> dict[str, int]:
    if not shas:
        return {}
    output = _git(
        root, "cat-file", "--batch-check=%(objectname) %(objectsize)", stdin="\n".join(shas) + "\n"
    )
    sizes: dict[str, int] = {}
    for line in (output or "").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            sizes[parts[0]] = int(parts[1])
    return sizes


def _git(root: Path, *args: str, stdin: str | None = None) -> str | None:
    # `--relative` paths and `-C root`: a repository may live in a folder of a larger work tree
    import subprocess

    relative = ("--relative",) if args[0] == "diff" else ()
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args[:1], *relative, *args[1:]],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None
