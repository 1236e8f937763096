"""Unquoted globs, expanded against the file system when the guard decides.

bash expands `docs/*.md` to the names that exist when the command runs. The
guard expands the pattern twice: as bash does by default (the argv that will
run, sorted, dotfiles only for a pattern that starts with `.`), and as widely
as any shell option could make it (dotglob, nocaseglob, globstar), and judges
every name of the wide expansion. A pattern outside the repository, or one
that would list more than GLOB_LIMIT names, is refused.
"""

from __future__ import annotations

import os

from charter.guard.paths import widen_glob

GLOB_LIMIT = 5_000
_MAGIC = frozenset("*?[")


class GlobError(Exception):
    pass


def expand(pattern: str, cwd: str, root: str) -> tuple[list[str], list[str]]:
    """(bash's default expansion, the widest expansion); the first is [pattern] on no match."""
    absolute = pattern.startswith("/")
    base = "/" if absolute else cwd
    parts = [part for part in pattern.split("/") if part]
    magic_at = next((i for i, part in enumerate(parts) if _MAGIC & set(part)), None)
    if magic_at is None:
        return [pattern], [pattern]
    literal = os.path.normpath(os.path.join(base, *parts[:magic_at]))
    real_root = os.path.realpath(root)
    real = os.path.realpath(literal)
    if real != real_root and not real.startswith(real_root.rstrip("/") + "/"):
        raise GlobError(f"{pattern}: globs are expanded only inside the repository")
    prefix = "/".join(parts[:magic_at])
    if absolute:
        prefix = "/" + prefix
    narrow = _match(literal, prefix, parts[magic_at:], wide=False)
    wide = _match(literal, prefix, parts[magic_at:], wide=True)
    if pattern.endswith("/"):  # `*/` matches directories only
        narrow = [n + "/" for n in narrow if os.path.isdir(os.path.join(base, n))]
        wide = [n + "/" for n in wide if os.path.isdir(os.path.join(base, n))]
    return (sorted(narrow) or [pattern]), sorted(wide)


def _match(directory: str, prefix: str, parts: list[str], *, wide: bool) -> list[str]:
    found: list[str] = []
    frontier = [(directory, prefix)]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        following: list[tuple[str, str]] = []
        for path, shown in frontier:
            for name, child in _children(path, part, wide=wide):
                text = f"{shown}/{name}" if shown else name
                following.append((child, text))
                if len(following) > GLOB_LIMIT:
                    raise GlobError(
                        f"the glob {'/'.join(parts)} names more than {GLOB_LIMIT} files"
                    )
        frontier = following if last else [(p, s) for p, s in following if os.path.isdir(p)]
    found = [shown for _path, shown in frontier]
    return found


def _children(directory: str, part: str, *, wide: bool) -> list[tuple[str, str]]:
    from fnmatch import fnmatchcase  # only a command with a glob pays for it

    if not _MAGIC & set(part):
        child = os.path.join(directory, part)
        return [(part, child)] if os.path.lexists(child) else []
    if wide and part == "**":
        return _descendants(directory)
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    out = []
    widened = widen_glob(part).lower()
    part = _bash_negation(part)
    for name in names:
        if wide:
            if fnmatchcase(name.lower(), widened):
                out.append((name, os.path.join(directory, name)))
        elif (not name.startswith(".") or part.startswith(".")) and fnmatchcase(name, part):
            out.append((name, os.path.join(directory, name)))
    return out


def _bash_negation(part: str) -> str:
    # bash's `[^x]` is fnmatch's `[!x]`
    return part.replace("[^", "[!")


def _descendants(directory: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    stack = [("", directory)]
    while stack:
        shown, path = stack.pop()
        try:
            names = os.listdir(path)
        except OSError:
            continue
        for name in names:
            child = os.path.join(path, name)
            text = f"{shown}/{name}" if shown else name
            out.append((text, child))
            if len(out) > GLOB_LIMIT:
                raise GlobError(f"** below {directory} names more than {GLOB_LIMIT} files")
            if os.path.isdir(child) and not os.path.islink(child):
                stack.append((text, child))
    return out
