"""Per-program judgments: what an allowed program's arguments make it do.

`reading_denial` is called for every simple command after the built-in rules.
It refuses arguments the program's grammar cannot read, scripts (sed, awk)
that write or run commands, make's variable assignments and other makefiles,
walks that reach forbidden files, links towards forbidden or protected paths,
and extractions whose input names paths no command may write.
"""

from __future__ import annotations

import os

from charter.guard.grammar import extract, reach
from charter.guard.grammar.facts import Facts
from charter.guard.grammar.programs import Reading
from charter.guard.grammar.scripts import awk_problem, sed_problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


_MAKE_TARGET = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/+")


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


_HANDLERS: dict[str, Callable[[Reading, Facts], str | None]] = {
    "zipfile": extract._python_archive,
    "tarfile": extract._python_archive,
    "sed": _sed,
    "awk": _awk,
    "gawk": _awk,
    "sort": _sort,
    "wc": _files0,
    "du": _files0,
    "grep": reach._grep,
    "egrep": reach._grep,
    "fgrep": reach._grep,
    "rg": reach._rg,
    "diff": reach._diff,
    "git grep": reach._git_grep,
    "git diff": reach._git_diff,
    "git add": reach._git_add,
    "make": _make,
    "gmake": _make,
    "ln": reach._ln,
    "cp": reach._cp,
    "mv": reach._mv,
    "tar": extract._tar,
    "unzip": extract._unzip,
    "patch": extract._patch,
    "git apply": extract._git_apply,
    "git am": extract._git_am,
    "jar": extract._jar,
    **dict.fromkeys(extract._UNLISTED, extract._unlisted),
    "cpio": extract._cpio,
    "find": _find,
}
