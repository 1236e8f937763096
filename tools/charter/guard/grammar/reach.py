"""Forbidden files reached without being named: walks, `git add`, links.

The judgments of docs/guard.md's "Forbidden paths reached without naming
them": a reading walker is refused when the directories it is given hold a
forbidden file it does not provably skip (charter.guard.grammar.walks), `git
add` when git would stage one, a link when it points at a forbidden or
protected path.
"""

from __future__ import annotations

import os

from charter.guard.grammar import walks
from charter.guard.grammar.facts import Facts
from charter.guard.grammar.options import parse
from charter.guard.grammar.programs import Reading, grammar


def _walk_reason(
    facts: Facts, program: str, directories: list[str], *, skip_hidden: bool = False,
    follow: bool = False, ignored_ok: bool = False, names: walks.Filter | None = None,
) -> str | None:  # fmt: skip
    paths = facts.paths
    for directory in directories:
        try:
            found = walks.forbidden_below(
                paths, directory, skip_hidden=skip_hidden, follow=follow, names=names
            )
        except walks.TooLarge:
            return (
                f"{program} would read every file below {directory}, more than "
                f"{walks.WALK_LIMIT} entries: name smaller directories"
            )
        if found and ignored_ok and os.path.exists(os.path.join(paths.root, ".git")):
            ignored = walks.git_ignored(paths.root, found)
            found = [path for path in found if path not in ignored]
        if found:
            shown = paths.relative(found[0]) or found[0]
            return (
                f"{program} would read every file below {directory}, and {shown} is "
                "forbidden by the policy: name the files or directories to read instead"
            )
    return None


def _grep(reading: Reading, facts: Facts) -> str | None:
    parsed = reading.parsed
    assert parsed is not None
    recursive = parsed.has("--recursive", "--dereference-recursive") or (
        "recurse" in parsed.values("--directories")
    )
    if not recursive:
        return None
    operands = parsed.operands
    if not parsed.has("--regexp", "--file"):
        operands = operands[1:]
    include = parsed.values("--include")
    names = walks.Filter(
        include=include,
        # with both, the last matching one wins: only the --include restriction is credited
        exclude=[] if include else parsed.values("--exclude"),
        exclude_dirs=parsed.values("--exclude-dir"),
    )
    return _walk_reason(
        facts, reading.key, operands or ["."], follow=parsed.has("--dereference-recursive"),
        names=names,
    )  # fmt: skip


def _rg(reading: Reading, facts: Facts) -> str | None:
    parsed = reading.parsed
    assert parsed is not None
    if parsed.has("--files", "--type-list", "--help", "--version", "--pcre2-version"):
        return None  # names only, or nothing read
    operands = parsed.operands
    if not parsed.has("--regexp", "--file"):
        operands = operands[1:]
    configured = bool(facts.env.get("RIPGREP_CONFIG_PATH")) and not parsed.has("--no-config")
    if configured:
        problem = _rg_config(facts.env["RIPGREP_CONFIG_PATH"])
        if problem is not None:
            return problem
    effects = reading.effects()
    hidden = configured or bool(effects & {"--hidden", "--unrestricted"})
    no_ignore = (
        configured
        or any(e.startswith("--no-ignore") for e in effects)
        or bool(effects & {"--unrestricted", "--no-require-git"})
    )
    directories = [op for op in operands if os.path.isdir(os.path.join(facts.paths.cwd, op))]
    if not operands:
        directories = ["."]
    return _walk_reason(
        facts, "rg", directories, skip_hidden=not hidden, follow=parsed.has("--follow"),
        ignored_ok=not no_ignore, names=_rg_globs(parsed.values("--glob")),
    )  # fmt: skip


def _rg_globs(globs: list[str]) -> walks.Filter | None:
    """rg -g globs without a slash match base names: include ones restrict, `!` ones skip.
    A glob with a slash is not credited (the walk then ignores every -g)."""
    if not globs or any("/" in glob or "{" in glob or "\\" in glob for glob in globs):
        return None
    include = [glob for glob in globs if not glob.startswith("!")]
    exclude = [glob[1:] for glob in globs if glob.startswith("!")]
    return walks.Filter(include=include, exclude=exclude, exclude_dirs=exclude)


def _rg_config(path: str) -> str | None:
    """ripgrep reads options from RIPGREP_CONFIG_PATH: they are judged like its arguments."""

    try:
        with open(path, encoding="utf-8") as handle:
            lines = [line.strip() for line in handle if line.strip()]
    except (OSError, UnicodeDecodeError):
        return f"rg reads options from RIPGREP_CONFIG_PATH ({path}), which the guard cannot read"
    found = grammar("rg")
    assert found is not None

    parsed = parse(found[0], [line for line in lines if not line.startswith("#")])
    if parsed.error is not None:
        return f"RIPGREP_CONFIG_PATH ({path}): {parsed.error}"
    for option in ("--pre", "--pre-glob", "--search-zip", "--hostname-bin"):
        if parsed.has(option):
            return f"RIPGREP_CONFIG_PATH ({path}) sets {option}, which makes ripgrep run programs"
    return None


def _git_grep(reading: Reading, facts: Facts) -> str | None:
    parsed = reading.parsed
    assert parsed is not None
    if not parsed.has("--no-index", "--untracked"):
        return None  # tracked files only: forbidden files may not be tracked (CH024)
    operands = parsed.operands
    if not parsed.has("-e", "-f"):
        operands = operands[1:]
    return _walk_reason(
        facts, "git grep", operands or ["."], follow=True,
        ignored_ok=parsed.has("--untracked", "--exclude-standard"),
    )  # fmt: skip


def _diff(reading: Reading, facts: Facts) -> str | None:
    parsed = reading.parsed
    assert parsed is not None
    directories = [op for op in parsed.operands if os.path.isdir(os.path.join(facts.paths.cwd, op))]
    directories += [
        value
        for value in parsed.values("--from-file", "--to-file")
        if os.path.isdir(os.path.join(facts.paths.cwd, value))
    ]
    return _walk_reason(facts, "diff", directories, follow=not parsed.has("--no-dereference"))


def _git_diff(reading: Reading, facts: Facts) -> str | None:
    parsed = reading.parsed
    assert parsed is not None
    if not parsed.has("--no-index"):
        return None
    directories = [op for op in parsed.operands if os.path.isdir(os.path.join(facts.paths.cwd, op))]
    return _walk_reason(facts, "git diff --no-index", directories, follow=True)


def _git_add(reading: Reading, facts: Facts) -> str | None:
    parsed = reading.parsed
    assert parsed is not None
    if parsed.has("--pathspec-from-file"):
        return "`git add --pathspec-from-file` reads the paths from a file the guard cannot see"
    if parsed.has("--edit", "--interactive", "--patch"):
        return "interactive `git add` needs a terminal and an editor: name the files"
    if parsed.has("--update") or parsed.has("--dry-run"):
        return None  # tracked files only / stages nothing
    paths = facts.paths
    pathspecs = list(parsed.operands)
    cwd = paths.cwd
    if not pathspecs:
        if not parsed.has("--all"):
            return None
        cwd = paths.root
    forced = parsed.has("--force")
    if pathspecs and all(_plain_file(paths.cwd, spec) for spec in pathspecs):
        return None  # named files: judged by the path checks, nothing else is staged
    try:
        untracked = walks.git_untracked(paths.root, cwd, pathspecs, ignored=forced)
    except OSError as exc:
        return f"cannot list the files `git add` would stage ({exc}): name the files"
    for path in untracked:
        if paths.forbidden_reason(path) is not None:
            shown = paths.relative(path) or path
            return (
                f"`git add` would stage {shown}, which the policy forbids: name the files to "
                "add, or ignore the forbidden ones in .gitignore"
            )
    return None


def _plain_file(cwd: str, spec: str) -> bool:
    if spec.startswith(":") or any(char in spec for char in "*?[\\"):
        return False
    path = os.path.join(cwd, spec)
    return os.path.lexists(path) and not os.path.isdir(path)


def _link_reason(facts: Facts, target: str, link_directory: str, symbolic: bool) -> str | None:
    paths = facts.paths
    bases = [paths.cwd]
    if symbolic and not os.path.isabs(target):
        bases.append(os.path.normpath(os.path.join(paths.cwd, link_directory)))
    for base in bases:
        absolute = os.path.normpath(os.path.join(base, target))
        reason = paths.forbidden_reason(absolute)
        if reason is None:
            reason = paths.write_reason(absolute, destructive=True)
        if reason is not None:
            return f"a link towards {target}: {reason}"
    return None


def _links(facts: Facts, targets: list[str], destination: str, symbolic: bool) -> str | None:
    link_directory = (
        destination
        if os.path.isdir(os.path.join(facts.paths.cwd, destination))
        else os.path.dirname(destination) or "."
    )
    for target in targets:
        reason = _link_reason(facts, target, link_directory, symbolic)
        if reason is not None:
            return reason
    return None


def _ln(reading: Reading, facts: Facts) -> str | None:
    parsed = reading.parsed
    assert parsed is not None
    operands = list(parsed.operands)
    directory = parsed.values("--target-directory")
    if directory:
        targets, destination = operands, directory[-1]
    elif len(operands) == 1:
        targets, destination = operands, "."
    else:
        targets, destination = operands[:-1], operands[-1] if operands else "."
    return _links(facts, targets, destination, parsed.has("--symbolic"))


def _cp(reading: Reading, facts: Facts) -> str | None:
    parsed = reading.parsed
    assert parsed is not None
    operands = list(parsed.operands)
    directory = parsed.values("--target-directory")
    sources = operands if directory else operands[:-1]
    destination = directory[-1] if directory else (operands[-1] if operands else ".")
    if parsed.has("--symbolic-link", "--link"):
        reason = _links(facts, sources, destination, parsed.has("--symbolic-link"))
        if reason is not None:
            return reason
    if parsed.has("--recursive", "--archive"):
        reason = _walk_reason(facts, reading.key, [
            s for s in sources if os.path.isdir(os.path.join(facts.paths.cwd, s))
        ], follow=parsed.has("--dereference"))  # fmt: skip
        if reason is not None:
            return reason + " (the copy would not be forbidden)"
    return None


def _mv(reading: Reading, facts: Facts) -> str | None:
    parsed = reading.parsed
    assert parsed is not None
    sources = parsed.operands if parsed.values("--target-directory") else parsed.operands[:-1]
    directories = [s for s in sources if os.path.isdir(os.path.join(facts.paths.cwd, s))]
    reason = _walk_reason(facts, "mv", directories)
    return None if reason is None else reason + " (moved, it would no longer be forbidden)"
