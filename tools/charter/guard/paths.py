"""Which paths a command may name: forbidden, protected, outside the repository.

Patterns are globs in the spirit of .gitignore: a pattern without a slash
(`.env`, `*.pem`, `id_rsa*`) matches a file or directory of that name anywhere;
a pattern with a slash (`logs/raw/**`) is relative to the repository root; `**`
spans directories, and `dir/**` covers `dir` itself. A path matches when it,
or a directory above it, matches: `logs/raw/**` forbids `logs/raw/x/y.log`.

Every path is checked as written and with symlinks resolved, so a link inside
the repository cannot point the guard at the wrong file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Protocol

from charter.guard.protected import CORE, STEERING, always_protected

# Written by no command at any level, whatever the policy says (charter.guard.protected)
ALWAYS_PROTECTED = CORE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator


_SPECIAL_ROOTS = ("/dev/", "/proc/", "/sys/")
_Patterns = list[tuple[str, bool, re.Pattern[str]]]


def glob_regex(pattern: str) -> tuple[bool, re.Pattern[str]]:
    """(anchored, regex) for one pattern; anchored patterns match repository-relative paths."""
    anchored, source = glob_source(pattern)
    # case-insensitive: on macOS and Windows `.ENV` opens `.env`
    return anchored, re.compile(source, re.IGNORECASE)


def glob_source(pattern: str) -> tuple[bool, str]:
    """(anchored, regular expression source) for one pattern, uncompiled."""
    text = pattern.strip()
    if text.startswith("./"):
        text = text[2:]
    anchored = "/" in text.rstrip("/")
    text = text.strip("/")
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if text.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif text.startswith("/**", index) and index + 3 == len(text):
            out.append("(?:/.*)?")
            index += 3
        elif text.startswith("**", index):
            out.append(".*")
            index += 2
        elif char == "*":
            out.append("[^/]*")
            index += 1
        elif char == "?":
            out.append("[^/]")
            index += 1
        elif char == "[" and "]" in text[index + 2 :]:
            end = text.index("]", index + 2)
            body = text[index + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            index = end + 1
        else:
            out.append(re.escape(char))
            index += 1
    return anchored, "".join(out) + r"\Z"


def examples(pattern: str) -> list[str]:
    """Names a pattern matches, for testing a glob an argument holds against it."""
    text = pattern.strip().removeprefix("./").strip("/")
    out: list[str] = []
    index = 0
    while index < len(text):
        if text.startswith("**", index):
            out.append("x")
            index += 2
        elif text[index] in "*?":
            out.append("x")
            index += 1
        elif text[index] == "[" and "]" in text[index + 2 :]:
            end = text.index("]", index + 2)
            body = text[index + 1 : end]
            out.append("x" if body.startswith("!") else body[0])
            index = end + 1
        else:
            out.append(text[index])
            index += 1
    name = "".join(out)
    names = [name, name.rsplit("/", 1)[-1]]
    if text.endswith("/**"):
        names.append(name.removesuffix("/x"))
    return [n.lower() for n in dict.fromkeys(names) if n]


def relative_to_root(root: str, path: str) -> str | None:
    """`path` relative to `root` ("." for the root itself), None when it lies outside.

    Both are absolute and resolved as far as the caller means to: the one answer to "is
    this inside the repository" the guard's path checks and the configuration's share.
    """
    if path == root:
        return "."
    prefix = root.rstrip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None


class PathRules:
    """Path checks for one repository and working directory."""

    def __init__(
        self,
        root: str,
        cwd: str,
        forbidden: Iterable[str],
        protected: Iterable[str],
        *,
        steering: Iterable[str] = (),
        unprotected: Iterable[str] = (),
        read_outside: Iterable[str] = (),
    ):
        self.root = os.path.realpath(root)
        self.cwd = cwd
        self.forbidden = [(p, *glob_regex(p)) for p in forbidden]
        self.forbidden_examples = [(p, examples(p)) for p in forbidden]
        self.protected_patterns = _Matcher(protected)
        self.steering_patterns = _Matcher(steering)
        self.unprotected_patterns = _Matcher(unprotected)
        self.read_outside = tuple(read_outside)

    def protected_reason(self, path: str, relative: str | None) -> str | None:
        """The protecting pattern of an absolute path, or None (steering files a policy
        unprotects are writable)."""
        pattern = self.protected_patterns.first(path, relative)
        if pattern is not None:
            return pattern
        pattern = self.steering_patterns.first(path, relative)
        if pattern is not None and self.unprotected_patterns.first(path, relative) is None:
            return pattern
        return None

    @staticmethod
    def candidates(value: str, *, colons: bool = False) -> list[str]:
        """The paths `value` may name: itself, `--opt=PATH`, `-oPATH` and, for reads,
        git's `REV:PATH` and pathspec magic (`:(glob)PATH`)."""
        found = [value]
        if "=" in value:
            found.append(value.split("=", 1)[1])
        if value.startswith("-") and not value.startswith("--") and len(value) > 2:
            found.append(value[2:])
        for text in list(found):
            local = _file_url_path(text)
            if local is not None:
                found.append(local)
        if colons:
            for text in list(found):
                parts = text.split(":")
                found.extend(":".join(parts[index:]) for index in range(1, len(parts)))
            for text in list(found):
                if text.startswith("(") and ")" in text:
                    found.append(text.split(")", 1)[1])
        return list(dict.fromkeys(c for c in found if c))

    def locations(
        self, value: str, *, colons: bool = False
    ) -> Iterator[tuple[str, str, str | None]]:
        """(candidate, absolute path, repository-relative path or None) for each path in `value`."""
        for candidate in self.candidates(value, colons=colons):
            if not candidate:
                continue
            joined = os.path.join(self.cwd, candidate)
            absolute = os.path.normpath(joined)
            seen = set()
            # resolved from the path as written: `link/..` is the link target's parent, not
            # the folder that holds the link, as a lexical normalisation would say
            for path in (absolute, os.path.realpath(joined)):
                if path in seen:
                    continue
                seen.add(path)
                yield candidate, path, self.relative(path)

    def relative(self, path: str) -> str | None:
        return relative_to_root(self.root, path)

    def forbidden_reason(self, value: str, *, globs: bool = True) -> str | None:
        """Why no command may name `value` (a forbidden or special path), or None.
        `globs=False` for a program that matches a quoted glob against names it only lists."""
        glob = self._glob_reason(value) if globs else None
        if glob is not None:
            return glob
        for candidate, path, relative in self.locations(value, colons=True):
            if path != "/dev/null" and (
                path.startswith(_SPECIAL_ROOTS) or path in ("/dev", "/proc", "/sys")
            ):
                return (
                    f"{candidate} is a special file: /dev, /proc and /sys are not allowed "
                    "(network sockets, process memory, the environment)"
                )
            pattern = _first_match(self.forbidden, path, relative)
            if pattern is not None:
                return f"{candidate} is forbidden by the policy ({pattern!r})"
        return None

    def _glob_reason(self, value: str) -> str | None:
        # A quoted glob reaches programs that expand it themselves: git pathspecs,
        # `rg -g`, `find -name`. Refuse one that matches a name a forbidden pattern covers.
        from fnmatch import fnmatchcase

        for candidate in self.candidates(value, colons=True):
            if not any(char in candidate for char in "*?[{"):
                continue
            alternatives = brace_alternatives(candidate)
            if alternatives is None:
                return f"{candidate} has too many brace alternatives to judge: name the files"
            globs = set()
            for alternative in alternatives:
                glob = widen_glob(alternative).lower().removeprefix("./")
                globs |= {glob, glob.rsplit("/", 1)[-1]}  # `../*.env`, `**/id_*`: by name too
            for pattern, names in self.forbidden_examples:
                if any(fnmatchcase(name, g) for name in names for g in globs):
                    return (
                        f"{candidate} could match files forbidden by the policy ({pattern!r}): "
                        "name the files instead"
                    )
        return None

    def read_reason(self, value: str, *, existing_only: bool = False) -> str | None:
        """Why `value` may not be read: outside the repository (as written or with symlinks
        resolved) and not listed in `read_outside`. `existing_only` skips paths that do not
        exist, for arguments that may be patterns or text rather than paths."""
        for candidate, path, relative in self.locations(value):
            if relative is not None or path == "/dev/null":
                continue
            if existing_only and not os.path.lexists(path):
                continue
            if self.read_outside and _outside_allowed(self.read_outside, path):
                continue
            return (
                f"{candidate} is outside the repository: agents read only inside it, unless "
                "the policy lists the path in read_outside"
            )
        return None

    def write_reason(self, value: str, *, destructive: bool) -> str | None:
        """Why a command that may write its arguments may not name `value`, or None."""
        reason = self._write_reason(value, destructive=destructive)
        for tail in _kind_path_tails(value) if reason is None else ():
            reason = self._write_reason(tail, destructive=destructive)
            if reason is not None:
                break
        return reason

    def _write_reason(self, value: str, *, destructive: bool) -> str | None:
        for candidate, path, relative in self.locations(value):
            if path == "/dev/null":
                continue
            if relative is None:
                return (
                    f"{candidate} is outside the repository: commands that can write may only "
                    "name paths inside it"
                )
            pattern = self.protected_reason(path, relative)
            if pattern is not None:
                return f"{candidate} is protected ({pattern!r}): no level may write it"
            if _other_names(path):
                return (
                    f"{candidate} has other hard links: writing it would change files under "
                    "other names, which may be protected"
                )
            if destructive and self._holds_protected(relative):
                return (
                    f"{candidate} holds protected files (the repository's .git, charter's "
                    "state, the policy): name the files to change instead"
                )
        return None

    def _holds_protected(self, relative: str) -> bool:
        if relative == ".":
            return True
        prefix = relative.rstrip("/") + "/"
        for pattern in (*self.protected_patterns.patterns, *self.steering_patterns.patterns):
            literal = pattern.strip().removeprefix("./").strip("/")
            if literal.startswith(prefix):
                return True
        return False


class _Matcher:
    """Many patterns, tested at once. Literal names and anchored literal paths (most
    protections) are set lookups, `*.mk` and `.mocharc*` string tests; only the rest go
    through regular expressions, compiled on first use: a guard call must stay cheap."""

    def __init__(self, patterns: Iterable[str]):
        self.patterns = tuple(patterns)
        self._names: dict[str, str] = {}  # lowercased name -> pattern
        self._paths: dict[str, str] = {}  # lowercased anchored path -> pattern
        self._starts: list[tuple[str, str]] = []  # (lowercased name prefix, pattern)
        self._ends: list[tuple[str, str]] = []
        self._rest: list[str] = []
        for pattern in self.patterns:
            self._sort(pattern)
        self._each: _Patterns | None = None

    def _sort(self, pattern: str) -> None:
        text = pattern.strip().removeprefix("./")
        anchored = "/" in text.rstrip("/")
        text = text.strip("/")
        literal = text.removesuffix("/**") if anchored else text
        if not any(char in literal for char in "*?["):
            (self._paths if anchored else self._names).setdefault(literal.lower(), pattern)
        elif not anchored and literal.count("*") == 1 and not any(c in literal for c in "?["):
            if literal.endswith("*"):
                self._starts.append((literal[:-1].lower(), pattern))
            elif literal.startswith("*"):
                self._ends.append((literal[1:].lower(), pattern))
            else:
                self._rest.append(pattern)
        else:
            self._rest.append(pattern)

    def first(self, path: str, relative: str | None) -> str | None:
        """A pattern matching the path or a folder above it, or None."""
        if not self.patterns or relative == ".":
            return None
        if relative is not None:
            parts = relative.split("/")
            prefixes = ["/".join(parts[: index + 1]).lower() for index in range(len(parts))]
        else:
            parts = [part for part in path.split("/") if part]
            prefixes = []
        for prefix in prefixes:
            if prefix in self._paths:
                return self._paths[prefix]
        for part in (part.lower() for part in parts):
            if part in self._names:
                return self._names[part]
            for start, pattern in self._starts:
                if part.startswith(start):
                    return pattern
            for end, pattern in self._ends:
                if part.endswith(end):
                    return pattern
        if not self._rest:
            return None
        if self._each is None:
            self._each = [(p, *glob_regex(p)) for p in self._rest]
        return _first_match(self._each, path, relative)


_KIND = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+.")


def _bracket_end(part: str, start: int) -> int | None:
    """The index of the `]` closing the bracket expression at `start`, or None (a literal `[`).
    A `]` first in the set is a member, and `[:class:]`, `[=c=]`, `[.c.]` hold their own."""
    index = start + 1
    if index < len(part) and part[index] in "!^":
        index += 1
    if index < len(part) and part[index] == "]":
        index += 1
    while index < len(part):
        char = part[index]
        if char == "[" and index + 1 < len(part) and part[index + 1] in ":=.":
            close = part.find(part[index + 1] + "]", index + 2)
            if close < 0:
                return None
            index = close + 2
            continue
        if char == "]":
            return index
        index += 1
    return None


def widen_glob(part: str) -> str:
    """The glob `part` with every bracket expression and escaped character matching any
    one character, for fnmatch: bash and git read `[^x]` and `[[:alpha:]]`, which fnmatch
    does not, so a judgement must not depend on how a set is spelled."""
    out: list[str] = []
    index = 0
    while index < len(part):
        char = part[index]
        if char == "\\" and index + 1 < len(part):
            out.append("?")
            index += 2
            continue
        if char == "[":
            end = _bracket_end(part, index)
            if end is not None:
                out.append("?")
                index = end + 1
                continue
            out.append("[[]")
        else:
            out.append(char)
        index += 1
    return "".join(out)


def brace_alternatives(text: str, limit: int = 256) -> list[str] | None:
    """The patterns `{a,b}` alternation spells (ripgrep's and the agents' glob tools read
    it; bash brace lists are refused before this), nested ones too; None past `limit`."""
    start = text.find("{")
    if start < 0:
        return [text]
    depth, parts, begin = 0, [], start + 1
    for index in range(start, len(text)):
        char = text[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                parts.append(text[begin:index])
                tails = brace_alternatives(text[index + 1 :], limit)
                if tails is None:
                    return None
                out: list[str] = []
                for part in parts:
                    heads = brace_alternatives(text[:start] + part, limit)
                    if heads is None:
                        return None
                    out.extend(head + tail for head in heads for tail in tails)
                    if len(out) > limit:
                        return None
                return out
        elif char == "," and depth == 1:
            parts.append(text[begin:index])
            begin = index + 1
    return [text]  # no closing brace: the `{` is literal


def _file_url_path(text: str) -> str | None:
    """The local path a `file:` URL names (`file:///etc/x`, `git+file://host/x`, with %XX
    escapes decoded), or None: git, pip, npm and curl read it like a path."""
    start = text.lower().find("file:")
    if start < 0:
        return None
    rest = text[start + 5 :]
    if rest.startswith("//"):
        rest = rest[2:]
        rest = rest[rest.find("/") :] if "/" in rest else ""  # drop the host (localhost)
    if "%" in rest:
        from urllib.parse import unquote

        rest = unquote(rest)
    return rest or None


def _kind_path_tails(value: str) -> list[str]:
    """The PATH of `KIND:PATH` values (`--cov-report=xml:out.xml`, `lcov:DIR`): programs
    write there though the argument does not start with the path. A URL's `//host` is no
    path, and a head with spaces or slashes is text or a path of its own."""
    text = value.split("=", 1)[1] if value.startswith("-") and "=" in value else value
    head, colon, tail = text.partition(":")
    if not colon or not head or not tail or tail.startswith("//") or not set(head) <= _KIND:
        return []
    return [tail, *_kind_path_tails(tail)]


def _outside_allowed(patterns: tuple[str, ...], path: str) -> bool:
    compiled = [(p, *glob_regex(os.path.expanduser(p))) for p in patterns]
    return _first_match(compiled, path, path.lstrip("/")) is not None


def _other_names(path: str) -> bool:
    """Whether `path` is a regular file with more than one hard link."""
    import stat

    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_nlink > 1


def first_match(patterns: Iterable[str], relative: str) -> str | None:
    """The first pattern matching a repository-relative path or a folder above it, or None."""
    return _first_match([_compiled(p) for p in patterns], relative, relative)


# Callers ask `first_match` about every tracked file with the same few patterns (a check
# over a repository of thousands of files): each pattern is translated and compiled once.
_COMPILED: dict[str, tuple[str, bool, re.Pattern[str]]] = {}
_COMPILED_MAX = 4096


def _compiled(pattern: str) -> tuple[str, bool, re.Pattern[str]]:
    found = _COMPILED.get(pattern)
    if found is None:
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        found = _COMPILED[pattern] = (pattern, *glob_regex(pattern))
    return found


def _first_match(
    patterns: list[tuple[str, bool, re.Pattern[str]]], path: str, relative: str | None
) -> str | None:
    if not patterns or relative == ".":
        return None
    if relative is not None:
        parts = relative.split("/")
        prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    else:
        parts = [part for part in path.split("/") if part]
        prefixes = []
    for pattern, anchored, regex in patterns:
        if anchored:
            if any(regex.match(prefix) for prefix in prefixes):
                return pattern
        elif any(regex.match(part) for part in parts):
            return pattern
    return None


class PolicyPaths(Protocol):
    """What the path checks read from a compiled policy (charter.guard.compiled)."""

    @property
    def path(self) -> str: ...
    @property
    def forbidden(self) -> Sequence[str]: ...
    @property
    def protected(self) -> Sequence[str]: ...
    @property
    def unprotected(self) -> Sequence[str]: ...
    @property
    def read_outside(self) -> Sequence[str]: ...


def path_rules(policy: PolicyPaths, root: str, cwd: str) -> PathRules:
    """The path checks of one repository under its policy."""
    return PathRules(
        root,
        cwd,
        policy.forbidden,
        (*always_protected(policy.path), *policy.protected),
        steering=STEERING,
        unprotected=policy.unprotected,
        read_outside=policy.read_outside,
    )


def unprotect_problem(pattern: str) -> str | None:
    """Why `unprotected_paths` may not hold `pattern`: it would reach a CORE file."""
    for core in CORE:
        _anchored, regex = glob_regex(core)
        if any(regex.match(name) for name in examples(pattern)):
            return f"it would unprotect {core!r}, which no policy can unprotect"
    return None


def output_problem(
    root: str, relative: str, policy_path: str, *, writes: bool, resolve: bool = True
) -> str | None:
    """Why charter may not use `relative` (from its configuration) under `root`: outside the
    repository, as written or (with `resolve`) with symlinks resolved, or, for a file charter
    writes, a protected file."""
    import os

    text = relative.replace("\\", "/")
    if os.path.isabs(text) or ".." in text.split("/"):
        return "must be a path inside the repository (relative, without `..`)"
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(real_root, text))
    if resolve and relative_to_root(real_root, real) is None:
        return f"resolves to {real}, outside the repository (a symbolic link?)"
    if not writes:
        return None
    for path in dict.fromkeys([os.path.normpath(text), os.path.relpath(real, real_root)]):
        pattern = first_match((*always_protected(policy_path), *STEERING), path)
        if pattern is not None:
            return f"{path} is protected ({pattern!r}): charter does not write its outputs there"
    return None
