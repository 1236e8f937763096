"""Extractions judged by what their input names: tar x, unzip, patch, git apply, cpio.

The members come from charter.guard.grammar.archives; each is refused when it
is a link or a special file, absolute or holding `..`, or lands on a
protected, forbidden or outside path. An input the guard cannot read is refused.
"""

from __future__ import annotations

import os

from charter.guard.grammar import archives
from charter.guard.grammar.facts import Facts
from charter.guard.grammar.programs import Reading
from charter.guard.grammar.reach import _walk_reason


def _extract_reason(
    facts: Facts, program: str, members: list[tuple[str, str]], base: str,
    strips: tuple[int, ...] = (0,),
) -> str | None:  # fmt: skip
    paths = facts.paths
    for name, kind in members:
        problem = archives.member_problem(name, kind)
        if problem is not None:
            return f"{program}: a member {problem}: extractions may write plain files only"
        for strip in strips:
            stripped = archives.strip_components(name, strip)
            if stripped is None:
                continue
            target = os.path.join(base, stripped)
            reason = paths.forbidden_reason(target) or paths.write_reason(target, destructive=True)
            if reason is not None:
                return f"{program} would write {reason}"
    return None


def _tar(reading: Reading, facts: Facts) -> str | None:
    parsed = reading.parsed
    assert parsed is not None
    for option in ("--transform", "--absolute-names", "--remove-files", "--files-from",
                   "--to-command", "--use-compress-program", "--checkpoint-action",
                   "--info-script", "--rsh-command"):  # fmt: skip
        if parsed.has(option):
            return f"`tar {option}` changes, deletes or runs what the guard cannot check"
    archives_ = parsed.values("--file")
    if parsed.has("--extract"):
        if not archives_ or archives_[-1] == "-":
            return "tar would read the archive from standard input: name it with -f"
        base = (parsed.values("--directory") or ["."])[-1]
        strip = parsed.values("--strip-components")
        count = int(strip[-1]) if strip and strip[-1].isdigit() else 0
        try:
            members = archives.tar_members(os.path.join(facts.paths.cwd, archives_[-1]))
        except archives.Unreadable as exc:
            return f"tar: {exc}: an extraction the guard cannot list is refused"
        if parsed.has("--to-stdout"):
            return None
        return _extract_reason(facts, "tar", members, base, (count,))
    if parsed.has("--create", "--append", "--update", "--catenate"):
        base = (parsed.values("--directory") or ["."])[-1]
        directories = [
            os.path.join(base, op)
            for op in parsed.operands
            if os.path.isdir(os.path.join(facts.paths.cwd, base, op))
        ]
        return _walk_reason(facts, "tar", directories, follow=parsed.has("--dereference"))
    return None


def _jar(reading: Reading, facts: Facts) -> str | None:
    """`jar xf FILE` (or `--extract --file=FILE`): a zip archive, judged like unzip's."""
    args = reading.args
    mode = args[0].lstrip("-") if args and not args[0].startswith("--") else ""
    if "x" not in mode and "--extract" not in args:
        return None  # lists, creates or updates: the walk is judged with the arguments
    archive: str | None = None
    base = "."
    index = 0
    while index < len(args):
        arg = args[index]
        if arg.startswith("--file="):
            archive = arg.split("=", 1)[1]
        elif arg in ("-C", "--dir") and index + 1 < len(args):
            base = args[index + 1]
            index += 1
        elif arg.startswith("--dir="):
            base = arg.split("=", 1)[1]
        elif archive is None and not arg.startswith("-") and index > 0 and "f" in mode:
            archive = arg
        index += 1
    if archive is None:
        return "jar would read the archive from standard input: name it with f"
    try:
        members = archives.zip_members(os.path.join(facts.paths.cwd, archive))
    except archives.Unreadable as exc:
        return f"jar: {exc}: an extraction the guard cannot list is refused"
    return _extract_reason(facts, "jar", members, base)


# extractors whose archives the guard cannot list: their extraction mode is refused
_UNLISTED = {
    "7z": ("x", "e"), "7za": ("x", "e"), "7zr": ("x", "e"), "unrar": ("x", "e"),
    "rar": ("x", "e"), "ar": ("x",), "unar": None, "cabextract": None, "lha": ("x", "e"),
    "bsdtar": ("x",), "arj": ("x", "e"),
}  # fmt: skip


def _unlisted(reading: Reading, facts: Facts) -> str | None:
    """Extraction by a program whose archive format the guard cannot list."""
    modes = _UNLISTED[reading.key]
    args = reading.args
    if modes is not None:
        # the command is the first word that is no switch (`7z -y x a.7z`); ar and bsdtar
        # also take it as an option letter (`ar -x`, `bsdtar -xf`)
        first = next((arg for arg in args if not arg.startswith("-")), "")
        short: set[str] = set()
        if reading.key in ("ar", "bsdtar"):
            first = args[0] if args and not args[0].startswith("-") else ""
            short = {letter for arg in args if arg.startswith("-") and not arg.startswith("--")
                     for letter in arg[1:]}  # fmt: skip
        extracts = (
            any(first.startswith(mode) or mode in short for mode in modes) or "--extract" in args
        )
        if not extracts:
            return None
    return (
        f"{reading.key} extracts an archive the guard cannot list: extract with tar, "
        "unzip or python -m zipfile, whose members are judged"
    )


def _unzip(reading: Reading, facts: Facts) -> str | None:
    args = reading.args
    options: list[str] = []
    operands: list[str] = []
    directory = "."
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "-d" and index + 1 < len(args):
            directory = args[index + 1]
            index += 2
            continue
        if arg.startswith("-d") and len(arg) > 2:
            directory = arg[2:]
        elif arg == "-x":
            break  # the rest excludes members: not credited
        elif arg.startswith("-") and len(arg) > 1:
            options.extend(arg[1:])
        else:
            operands.append(arg)
        index += 1
    if set(options) & set("lvtzZpc"):
        return None  # lists, tests or prints to stdout
    if not operands:
        return "unzip without an archive"
    try:
        members = archives.zip_members(os.path.join(facts.paths.cwd, operands[0]))
    except archives.Unreadable as exc:
        return f"unzip: {exc}: an extraction the guard cannot list is refused"
    if "j" in options:
        members = [(os.path.basename(name), kind) for name, kind in members]
    return _extract_reason(facts, "unzip", members, directory)


def _patch_members(patch_file: str | None, facts: Facts, program: str) -> list[tuple[str, str]]:
    if patch_file is None:
        raise archives.Unreadable(f"{program} would read the patch from standard input")
    return archives.patch_files(os.path.join(facts.paths.cwd, patch_file))


def _patch(reading: Reading, facts: Facts) -> str | None:
    parsed = reading.parsed
    assert parsed is not None
    if parsed.has("--ed"):
        return "`patch --ed` feeds the patch to ed, which can run commands"
    inputs = (
        parsed.values("--input") or parsed.operands[1:2] or ([facts.stdin] if facts.stdin else [])
    )
    try:
        members = _patch_members(inputs[-1] if inputs else None, facts, "patch")
    except archives.Unreadable as exc:
        return f"patch: {exc}: a patch the guard cannot read is refused"
    if parsed.has("--dry-run"):
        return None
    base = (parsed.values("--directory") or ["."])[-1]
    strip = parsed.values("--strip")
    if strip and strip[-1].isdigit():
        strips: tuple[int, ...] = (int(strip[-1]),)
    else:
        strips = tuple(range(0, 8))
    members = members + [(os.path.basename(name), kind) for name, kind in members]
    return _extract_reason(facts, "patch", members, base, strips)


_APPLY_READ_ONLY = ("--stat", "--numstat", "--summary", "--check")


# `git am` options that go on with (or drop) the patches a checked `git am` already stored
_AM_SESSION = frozenset({"--continue", "--skip", "--abort", "--quit", "--resolved", "-r",
                         "--show-current-patch", "--retry", "--allow-empty"})  # fmt: skip


def _git_am(reading: Reading, facts: Facts) -> str | None:
    """`git am MBOX`: the patches in the mailbox are applied like `git apply`'s."""
    if any(arg.split("=", 1)[0] in _AM_SESSION for arg in reading.args):
        return None
    return _git_apply(reading, facts, label="git am")


def _git_apply(reading: Reading, facts: Facts, label: str = "git apply") -> str | None:
    args = reading.args
    if "--unsafe-paths" in args:
        return "`git apply --unsafe-paths` writes outside the work tree"
    if any(a in args for a in _APPLY_READ_ONLY) and "--apply" not in args:
        return None
    strip = 1
    base = "."
    files: list[str] = []
    for arg in args:
        if arg.startswith("-p") and arg[2:].isdigit():
            strip = int(arg[2:])
        elif arg.startswith("--directory="):
            base = arg.split("=", 1)[1]
        elif not arg.startswith("-"):
            files.append(arg)
    if not files and facts.stdin:
        files = [facts.stdin]
    if not files:
        return f"{label} would read the patch from standard input: name the patch file"
    for name in files:
        try:
            members = _patch_members(name, facts, label)
        except archives.Unreadable as exc:
            return f"{label}: {exc}: a patch the guard cannot read is refused"
        reason = _extract_reason(facts, label, members, base, (strip, 0))
        if reason is not None:
            return reason
    return None


def _cpio(reading: Reading, facts: Facts) -> str | None:
    for arg in reading.args:
        if arg in ("-i", "--extract", "-p", "--pass-through", "-o", "--create") or (
            arg.startswith("-") and not arg.startswith("--") and set(arg[1:]) & set("ipo")
        ):
            return (
                "cpio reads its archive or its file list from standard input, which the "
                "guard cannot see: use tar with -f"
            )
    return None


def _python_archive(reading: Reading, facts: Facts) -> str | None:
    """`python -m zipfile|tarfile -e ARCHIVE [DIR]` extracts like unzip and tar x."""
    args = reading.args
    if not args or args[0] not in ("-e", "--extract"):
        return (
            None
            if args and args[0] in ("-l", "--list", "-t", "--test")
            else (f"`python -m {reading.key}` is allowed to list (-l) or test (-t) archives only")
        )
    if len(args) < 2:
        return f"`python -m {reading.key} -e` needs an archive"
    base = args[2] if len(args) > 2 else "."
    path = os.path.join(facts.paths.cwd, args[1])
    try:
        if reading.key == "zipfile":
            members = archives.zip_members(path)
        else:
            members = archives.tar_members(path)
    except archives.Unreadable as exc:
        return f"python -m {reading.key}: {exc}: an extraction the guard cannot list is refused"
    return _extract_reason(facts, f"python -m {reading.key}", members, base)
