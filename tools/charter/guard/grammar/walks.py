"""Forbidden files a command reaches without naming them: directory walks and `git add`.

A command that reads every file below a directory (`grep -r`, `rg`, `diff -r`,
`git grep --no-index`, `tar c`, `cp -r`) reads the forbidden files below it
too. The guard walks the directory at decision time and refuses the command
when a forbidden file is there, unless the program provably skips it: ripgrep
skips hidden files (a name starting with `.` below the searched directory)
unless told otherwise, and files git ignores (asked of `git check-ignore`,
which reads the same ignore files). `git add` is asked of git itself: the
untracked files it would stage (`git ls-files --others`) must hold no
forbidden file. A walk larger than WALK_LIMIT entries is refused: the guard
will not call an unchecked directory safe.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from charter.guard.paths import PathRules

WALK_LIMIT = 50_000
_GIT_TIMEOUT = 10


class TooLarge(Exception):
    pass


class Filter:
    """Names a walker provably skips: grep's --exclude/--include/--exclude-dir, rg's -g."""

    __slots__ = ("exclude", "exclude_dirs", "include")

    def __init__(
        self,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        exclude_dirs: Sequence[str] = (),
    ):
        self.include = list(include)
        self.exclude = list(exclude)
        self.exclude_dirs = list(exclude_dirs)

    def skips(self, name: str, is_dir: bool) -> bool:
        from fnmatch import fnmatchcase

        if is_dir:
            return any(fnmatchcase(name, glob) for glob in self.exclude_dirs)
        if any(fnmatchcase(name, glob) for glob in self.exclude):
            return True
        return bool(self.include) and not any(fnmatchcase(name, glob) for glob in self.include)


def forbidden_below(
    paths: PathRules,
    directory: str,
    *,
    skip_hidden: bool = False,
    follow: bool = False,
    names: Filter | None = None,
) -> list[str]:
    """Repository-relative (or absolute) paths of forbidden files a walk of `directory` meets."""
    if not paths.forbidden:
        return []
    start = os.path.normpath(os.path.join(paths.cwd, directory))
    found: list[str] = []
    if not os.path.isdir(start):
        return [start] if paths.forbidden_reason(start) is not None else []
    stack = [start]
    seen = 0
    visited: set[str] = set()
    while stack:
        current = stack.pop()
        real = os.path.realpath(current)
        if real in visited:
            continue
        visited.add(real)
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > WALK_LIMIT:
                raise TooLarge(directory)
            if skip_hidden and entry.name.startswith("."):
                continue
            if entry.name == ".git" and entry.is_dir(follow_symlinks=False):
                continue  # objects are compressed; .git is judged as a path of its own
            if not follow and entry.is_symlink():
                continue  # the walker does not open links it meets below the start
            try:
                is_dir = entry.is_dir(follow_symlinks=follow)
            except OSError:
                continue
            if names is not None and names.skips(entry.name, is_dir):
                continue
            if not is_dir and paths.forbidden_reason(entry.path) is not None:
                found.append(entry.path)
                continue
            if is_dir:  # a forbidden directory is entered: its files are what is read
                stack.append(entry.path)
    return found


def git_ignored(root: str, files: Sequence[str]) -> set[str]:
    """The files among `files` that git's ignore rules exclude (tracked or not)."""
    if not files:
        return set()
    import subprocess  # only when a walk meets a forbidden file: not on every decision

    try:
        result = subprocess.run(
            ["git", "-c", "core.fsmonitor=false", "check-ignore", "--no-index", "-z", "--stdin"],
            cwd=root,
            input="\0".join(files).encode("utf-8", "surrogateescape"),
            capture_output=True,
            timeout=_GIT_TIMEOUT,
            check=False,
            env=_git_env(),
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    if result.returncode not in (0, 1):
        return set()
    return {
        os.path.normpath(os.path.join(root, name))
        for name in result.stdout.decode("utf-8", "surrogateescape").split("\0")
        if name
    }


def git_untracked(root: str, cwd: str, pathspecs: Sequence[str], *, ignored: bool) -> list[str]:
    """Absolute paths of untracked files `git add PATHSPECS` would consider; OSError on failure."""
    import subprocess

    command = ["git", "-c", "core.fsmonitor=false", "ls-files", "-z", "--others"]
    if not ignored:
        command.append("--exclude-standard")
    command += ["--", *pathspecs]
    try:
        result = subprocess.run(
            command, cwd=cwd, capture_output=True, timeout=_GIT_TIMEOUT, check=False,
            env=_git_env(),
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        raise OSError(str(exc)) from exc
    if result.returncode != 0:
        raise OSError(result.stderr.decode("utf-8", "replace").strip()[:200])
    return [
        os.path.normpath(os.path.join(cwd, name))
        for name in result.stdout.decode("utf-8", "surrogateescape").split("\0")
        if name
    ]


def _git_env() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env["GIT_OPTIONAL_LOCKS"] = "0"
    env["GIT_TERMINAL_PROMPT"] = "0"
    return env
