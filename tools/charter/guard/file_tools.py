"""The agents' file tools (Read, Write, Edit, Grep, apply_patch ...), judged by the level.

One function, `judge_file_access`, for every agent's adapter (charter.guard.hooks
today; other agents' hooks reuse it). The rules, in order, the first that
applies deciding:

1. A path that is empty, holds control or invisible characters, or names an
   unknown user's home (`~other/`) is refused: nothing to judge it by.
2. Forbidden paths (`forbidden_paths`) and /dev, /proc, /sys: no operation, at
   every level.
3. Reads (`read`, `list`, `search`) outside the repository, as written or with
   symlinks resolved: refused unless `read_outside` lists them. A search walks
   a directory: it is refused when the directory holds a forbidden file that
   ripgrep would read (a file git tracks or would add; ignored files are
   skipped by ripgrep, and its ignore files are protected).
4. Writes (`write`, `delete`): refused at a level with `write_files: false`;
   then outside the repository, protected paths (charter.guard.protected) and
   files with other hard links are refused.

Each path is judged as written and, because Windows and macOS file systems read
some names alike, with trailing dots and spaces dropped from each component;
matching ignores case.
"""

from __future__ import annotations

import os

from charter.guard.chars import input_problem
from charter.guard.paths import _first_match, path_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from charter.guard.compiled import CompiledPolicy
    from charter.guard.paths import PathRules

READS = frozenset({"read", "list", "search"})
WRITES = frozenset({"write", "delete"})
_WALK_LIMIT = 100_000


class FileDecision:
    __slots__ = ("allowed", "operation", "path", "reason")

    def __init__(self, allowed: bool, reason: str, operation: str, path: str):
        self.allowed = allowed
        self.reason = reason
        self.operation = operation
        self.path = path


def judge_file_access(
    policy: CompiledPolicy,
    level: str,
    root: str,
    cwd: str,
    operation: str,
    path: str,
) -> FileDecision:
    """Whether an agent's file tool may perform `operation` on `path` at `level`."""
    if operation not in READS and operation not in WRITES:
        raise ValueError(f"unknown file operation {operation!r}")
    reason = _judge(policy, level, path_rules(policy, root, cwd), operation, path)
    if reason is None:
        return FileDecision(True, f"{operation} {path}: allowed at {level}", operation, path)
    return FileDecision(False, reason, operation, path)


def _judge(
    policy: CompiledPolicy, level: str, rules: PathRules, operation: str, path: str
) -> str | None:
    problem = path_problem(path)
    if problem is not None:
        return f"{path[:80]!r}: {problem}"
    expanded = os.path.expanduser(path) if path.startswith("~") else path
    if expanded.startswith("~"):
        return f"{path}: a home directory other than the agent's own"
    for variant in _variants(expanded):
        reason = rules.forbidden_reason(variant)
        if reason is not None:
            return reason
        if operation in READS:
            reason = rules.read_reason(variant)
            if reason is None and operation == "search":
                reason = _walk_reason(rules, variant)
        else:
            if not policy.writes_files(level):
                return (
                    f"level {level} writes no files (write_files is false): {operation} of "
                    f"{path} needs a level that edits"
                )
            # destructive: a file tool never needs to replace the root or a folder
            # holding protected files
            reason = rules.write_reason(variant, destructive=True)
        if reason is not None:
            return reason
    return None


def path_problem(path: str) -> str | None:
    """Why a path given to a file tool cannot be judged, or None."""
    if not path or not path.strip():
        return "an empty path"
    if "\n" in path or "\t" in path:
        return "the path holds a line break or tab"
    problem = input_problem(path)
    return None if problem is None else problem.replace("the command", "the path")


def _variants(path: str) -> list[str]:
    # "Makefile." and "Makefile " open Makefile on Windows; ".git./hooks" is .git/hooks
    parts = path.split("/")
    trimmed = "/".join(part if part in (".", "..") else part.rstrip(". ") or part for part in parts)
    return list(dict.fromkeys([path, trimmed]))


def _walk_reason(rules: PathRules, value: str) -> str | None:
    """A search below `value` that would read a forbidden file, or None."""
    base = os.path.realpath(os.path.join(rules.cwd, value))
    if not os.path.isdir(base):
        return None
    visible = _visible_files(rules.root, base)
    if visible is None:
        return f"{value} holds more than {_WALK_LIMIT} files to check: search a narrower path"
    for relative in visible:
        pattern = _first_match(rules.forbidden, os.path.join(rules.root, relative), relative)
        if pattern is not None:
            return (
                f"searching {value} would read {relative}, which the policy forbids "
                f"({pattern!r}): search a narrower path"
            )
    return None


def _visible_files(root: str, base: str) -> list[str] | None:
    """Repository-relative files below `base` that ripgrep would read: git's tracked and
    not-ignored files; every file when git cannot tell; None when there are too many."""
    import subprocess

    relative = os.path.relpath(base, root)
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", relative],
            cwd=root,
            env=env,
            capture_output=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        listing = None
    if listing is None or listing.returncode != 0:
        return _walk(root, base)
    found: list[str] = []
    for name in listing.stdout.decode("utf-8", "replace").split("\0"):
        # a repository inside (a submodule, an untracked clone): git lists only its folder
        if name and os.path.isdir(os.path.join(root, name)):
            inner = _walk(root, os.path.join(root, name))
            if inner is None:
                return None
            found.extend(inner)
        elif name:
            found.append(name)
    return found


def _walk(root: str, base: str) -> list[str] | None:
    found: list[str] = []
    for directory, dirs, files in os.walk(base):
        dirs[:] = [d for d in dirs if d != ".git"]
        found.extend(os.path.relpath(os.path.join(directory, f), root) for f in files)
        if len(found) > _WALK_LIMIT:
            return None
    return found
