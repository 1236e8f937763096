"""Per-program judgments: what an allowed program's arguments make it do.

`reading_denial` is called for every simple command after the built-in rules.
It refuses arguments the program's grammar cannot read, scripts (sed, awk)
that write or run commands, make's variable assignments and other makefiles,
walks that reach forbidden files, links towards forbidden or protected paths,
and extractions whose input names paths no command may write.
"""

from __future__ import annotations

import os

from charter.guard.grammar import archives, walks
from charter.guard.grammar.programs import Reading
from charter.guard.grammar.scripts import awk_problem, sed_problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from charter.guard.paths import PathRules

_MAKE_TARGET = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/+")


class Facts:
    """What a judgment may look at besides the argv."""

    __slots__ = ("env", "paths", "stdin")

    def __init__(self, paths: PathRules, env: Mapping[str, str], stdin: str | None):
        self.paths = paths
        self.env = env
        self.stdin = stdin  # the file a `<` redirection feeds the command, if any


def reading_denial(reading: Reading, facts: Facts) -> str | None:
    parsed = reading.parsed
    if parsed is not None and parsed.error is not None:
        return (
            f"`{reading.key}`: {parsed.error}: the guard reads {reading.key}'s arguments by "
            "its manual and refuses what it cannot read"
        )
    handler = _HANDLERS.get(reading.key)
    return None if handler is None else handler(reading, facts)


def _sed(reading: Reading, facts: Facts) -> str | None:
    parsed = reading.parsed
    assert parsed is not None
    if parsed.has("--file"):
        return "`sed -f` reads its script from a file the guard does not read: pass it with -e"
    scripts = parsed.values("--expression")
    if not scripts:
        if not parsed.operands:
            return "sed without a script"
        scripts = [parsed.operands[0]]
    problem = sed_problem("\n".join(scripts))
    return None if problem is None else f"{problem}: only scripts that edit the stream are allowed"


def _awk(reading: Reading, facts: Facts) -> str | None:
    parsed = reading.parsed
    assert parsed is not None
    for option in ("--file", "--exec", "--include", "--load"):
        if parsed.has(option):
            return f"`awk {option}` reads program text from a file the guard does not read"
    for option in ("--dump-variables", "--pretty-print", "--profile", "--debug"):
        if parsed.values(option):
            return f"`awk {option}=FILE` writes a file"
    programs = parsed.values("--source")
    if not programs:
        if not parsed.operands:
            return "awk without a program"
        programs = [parsed.operands[0]]
    for program in programs:
        problem = awk_problem(program)
        if problem is not None:
            return problem
    return None


def _files0(reading: Reading, facts: Facts) -> str | None:
    parsed = reading.parsed
    assert parsed is not None
    if parsed.has("--files0-from"):
        return f"`{reading.key} --files0-from` reads file names the guard cannot see"
    return None


def _sort(reading: Reading, facts: Facts) -> str | None:
    parsed = reading.parsed
    assert parsed is not None
    if parsed.has("--output"):
        return "`sort --output` (-o) writes a file"
    if parsed.has("--compress-program"):
        return "`sort --compress-program` runs another program"
    for directory in parsed.values("--temporary-directory"):
        reason = facts.paths.write_reason(directory, destructive=False)
        if reason is not None:
            return f"sort's temporary directory: {reason}"
    return _files0(reading, facts)


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
    from charter.guard.grammar.programs import grammar

    try:
        with open(path, encoding="utf-8") as handle:
            lines = [line.strip() for line in handle if line.strip()]
    except (OSError, UnicodeDecodeError):
        return f"rg reads options from RIPGREP_CONFIG_PATH ({path}), which the guard cannot read"
    found = grammar("rg")
    assert found is not None
    from charter.guard.grammar.options import parse

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


_FIND_GLOBAL = frozenset({"-H", "-L", "-P"})
_FIND_FLAGS = frozenset(
    {
        "-print",
        "-print0",
        "-ls",
        "-prune",
        "-quit",
        "-true",
        "-false",
        "-empty",
        "-executable",
        "-readable",
        "-writable",
        "-nouser",
        "-nogroup",
        "-depth",
        "-d",
        "-mount",
        "-xdev",
        "-noleaf",
        "-follow",
        "-daystart",
        "-ignore_readdir_race",
        "-noignore_readdir_race",
        "-warn",
        "-nowarn",
        "-help",
        "--help",
        "-version",
        "--version",
        "(",
        ")",
        "!",
        ",",
        "-not",
        "-and",
        "-a",
        "-or",
        "-o",
    }
)
_FIND_ONE = frozenset(
    {
        "-name",
        "-iname",
        "-path",
        "-ipath",
        "-wholename",
        "-iwholename",
        "-regex",
        "-iregex",
        "-type",
        "-xtype",
        "-size",
        "-mtime",
        "-mmin",
        "-atime",
        "-amin",
        "-ctime",
        "-cmin",
        "-newer",
        "-anewer",
        "-cnewer",
        "-perm",
        "-user",
        "-group",
        "-uid",
        "-gid",
        "-links",
        "-inum",
        "-samefile",
        "-maxdepth",
        "-mindepth",
        "-lname",
        "-ilname",
        "-used",
        "-fstype",
        "-context",
        "-regextype",
        "-printf",
    }
)
_FIND_DENY = frozenset({
    "-exec", "-execdir", "-ok", "-okdir", "-delete", "-fprint", "-fprint0", "-fprintf",
    "-fls", "-files0-from",
})  # fmt: skip


def _plain_file(cwd: str, spec: str) -> bool:
    if spec.startswith(":") or any(char in spec for char in "*?[\\"):
        return False
    path = os.path.join(cwd, spec)
    return os.path.lexists(path) and not os.path.isdir(path)


_FIND_FILES = frozenset({"-newer", "-anewer", "-cnewer", "-samefile"})


_GREP_PATTERNS = ("--include", "--exclude", "--exclude-dir")


def path_args(key: str, args: list[str]) -> list[str]:
    """The arguments that may name files: find's and grep's name patterns are left out."""
    if key == "find":
        return find_path_args(args)
    if key not in ("grep", "egrep", "fgrep"):
        return args
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _GREP_PATTERNS:
            skip = True
        elif not arg.startswith(tuple(option + "=" for option in _GREP_PATTERNS)):
            out.append(arg)
    return out


def find_path_args(args: list[str]) -> list[str]:
    """The arguments of a find command that name files (patterns and numbers do not)."""
    out: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in _FIND_ONE or (arg.startswith("-newer") and len(arg) == 8):
            if (arg in _FIND_FILES or arg.startswith("-newer")) and index + 1 < len(args):
                out.append(args[index + 1])
            index += 2
            continue
        out.append(arg)
        index += 1
    return out


def _find(reading: Reading, facts: Facts) -> str | None:
    # find lists names; its expression language is read primary by primary
    args = reading.args
    index = 0
    while index < len(args) and (args[index] in _FIND_GLOBAL or args[index].startswith("-O")):
        index += 1
    if index < len(args) and args[index] == "-D":
        index += 2
    while index < len(args) and not (
        args[index].startswith("-") or args[index] in ("(", ")", "!", ",")
    ):
        index += 1
    while index < len(args):
        arg = args[index]
        if arg in _FIND_DENY:
            return (
                f"`find {arg}` runs programs, deletes or writes files, or reads names it cannot see"
            )
        if arg in _FIND_FLAGS:
            index += 1
        elif arg in _FIND_ONE or (arg.startswith("-newer") and len(arg) == 8):
            if index + 1 >= len(args):
                return f"`find {arg}` needs a value"
            index += 2
        else:
            return f"`find {arg}` is not a find primary the guard knows"
    return None


def _make(reading: Reading, facts: Facts) -> str | None:
    parsed = reading.parsed
    assert parsed is not None
    for option in ("--file", "--directory", "--eval", "--environment-overrides",
                   "--include-dir", "--touch", "--what-if", "--old-file"):  # fmt: skip
        if parsed.has(option):
            return (
                f"`make {option}` makes make read other makefiles, override what recipes run "
                "or touch files"
            )
    for target in parsed.operands:
        if "=" in target:
            return (
                f"make variable assignments on the command line ({target}) can run "
                "$(shell ...) or replace what recipes run, in every form (=, :=, ::=, ?=, "
                "+=, !=): set variables in the makefile"
            )
        if not target or not all(char in _MAKE_TARGET for char in target):
            return f"the make target {target!r} is not a plain name"
    if os.path.realpath(facts.paths.cwd) != facts.paths.root:
        return (
            "make reads the makefile of the directory it starts in: run it from the "
            "repository root, where the policy's make targets are defined"
        )
    if facts.env.get("MAKEFILES", "").strip():
        return "the environment sets MAKEFILES: make would read makefiles the guard cannot see"
    return None


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


def _git_apply(reading: Reading, facts: Facts) -> str | None:
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
        return "git apply would read the patch from standard input: name the patch file"
    for name in files:
        try:
            members = _patch_members(name, facts, "git apply")
        except archives.Unreadable as exc:
            return f"git apply: {exc}: a patch the guard cannot read is refused"
        reason = _extract_reason(facts, "git apply", members, base, (strip, 0))
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


_HANDLERS: dict[str, Callable[[Reading, Facts], str | None]] = {
    "zipfile": _python_archive,
    "tarfile": _python_archive,
    "sed": _sed,
    "awk": _awk,
    "gawk": _awk,
    "sort": _sort,
    "wc": _files0,
    "du": _files0,
    "grep": _grep,
    "egrep": _grep,
    "fgrep": _grep,
    "rg": _rg,
    "diff": _diff,
    "git grep": _git_grep,
    "git diff": _git_diff,
    "git add": _git_add,
    "make": _make,
    "gmake": _make,
    "ln": _ln,
    "cp": _cp,
    "mv": _mv,
    "tar": _tar,
    "unzip": _unzip,
    "patch": _patch,
    "git apply": _git_apply,
    "cpio": _cpio,
    "find": _find,
}
