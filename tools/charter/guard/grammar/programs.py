"""Reading one argv under its program's grammar: effects, modes, and what allow rules see.

`read_argv` returns a `Reading`: the parse (options, operands) when the guard
knows the program, a denial when the arguments do any of the things no level
may do (run another program, write outside what the level judges, read a
forbidden file by a route the path checks cannot see), and the words the
policy's allow and deny rules are matched against.
"""

from __future__ import annotations

from charter.guard.grammar.options import Grammar, Parsed, parse
from charter.guard.grammar.tables import GRAMMARS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

_COMPILED: dict[str, tuple[Grammar, frozenset[str]]] = {}

# git global options that take a value as the next word (all refused by the built-ins,
# but the reader must know them to find the subcommand)
_GIT_GLOBAL_VALUES = frozenset({"-c", "-C", "--git-dir", "--work-tree", "--namespace",
                                "--exec-path", "--config-env", "--super-prefix",
                                "--attr-source", "--list-cmds"})  # fmt: skip

# Effect groups: a deny rule naming one option also denies the others of its group.
# A push that can overwrite or delete remote history, in any spelling.
_PUSH_REWRITE = frozenset({"--force", "--force-with-lease", "--force-if-includes", "--mirror",
                           "--delete", "--prune", "+REFSPEC", ":REFSPEC"})  # fmt: skip
_RG_HIDDEN = frozenset({"--hidden", "--unrestricted"})
_RG_IGNORE = frozenset({"--no-ignore", "--no-ignore-vcs", "--no-ignore-dot",
                        "--no-ignore-exclude", "--no-ignore-files", "--no-ignore-global",
                        "--no-ignore-parent", "--no-require-git", "--unrestricted"})  # fmt: skip
EFFECT_GROUPS: dict[str, tuple[frozenset[str], ...]] = {
    "git push": (_PUSH_REWRITE,),
    "rg": (_RG_HIDDEN, _RG_IGNORE),
}


def grammar(key: str) -> tuple[Grammar, frozenset[str]] | None:
    """The compiled grammar of `key` ("sort", "git log"), built on first use."""
    found = _COMPILED.get(key)
    if found is None:
        entry = GRAMMARS.get(key)
        if entry is None:
            return None
        table, flags, modes = entry
        found = (Grammar(table, **flags), modes)
        _COMPILED[key] = found
    return found


class Reading:
    """One argv as its program reads it."""

    __slots__ = ("args", "key", "modes", "parsed", "words")

    def __init__(self, key: str, words: list[str], args: Sequence[str], parsed: Parsed | None):
        self.key = key  # "git log", "sort", or the bare program name when unknown
        self.words = words  # the program (and subcommand) as allow rules name them
        self.args = list(args)  # the arguments after `words`
        self.parsed = parsed  # None: the guard has no grammar for this program
        self.modes: frozenset[str] = frozenset()

    def options(self) -> list[str]:
        return [] if self.parsed is None else [option for option, _ in self.parsed.options]

    def effects(self) -> set[str]:
        """Canonical options, plus pseudo-options for operand spellings (`+main` in a push)."""
        found = set(self.options())
        if self.key == "git push" and self.parsed is not None:
            for operand in self.parsed.operands:
                if operand.startswith("+"):
                    found.add("+REFSPEC")
                elif operand.startswith(":"):
                    found.add(":REFSPEC")
        return found


def git_split(argv: Sequence[str]) -> tuple[list[str], int]:
    """(global options, index of the subcommand in argv; len(argv) when there is none)."""
    index = 1
    globals_: list[str] = []
    while index < len(argv) and argv[index].startswith("-"):
        arg = argv[index]
        globals_.append(arg)
        if arg in _GIT_GLOBAL_VALUES:
            index += 1
            if index < len(argv):
                globals_.append(argv[index])
        index += 1
    return globals_, index


def python_module(argv: Sequence[str]) -> int | None:
    """Index of MODULE in `python -m MODULE ...` (options before -m allowed), or None."""
    name = argv[0]
    version = name.removeprefix("python")
    if not name.startswith("python") or not all(c in "0123456789." for c in version):
        return None
    index = 1
    while index < len(argv):
        arg = argv[index]
        if arg == "-m":
            return index + 1 if index + 1 < len(argv) else None
        if arg.startswith("-m") and len(arg) > 2:
            return None  # `-mpytest`: the caller refuses the spelling
        if not arg.startswith("-") or arg in ("-c", "-", "--"):
            return None
        index += 1
    return None


def read_argv(argv: Sequence[str]) -> Reading:
    """`argv` read under its program's grammar (parsed is None for an unknown program)."""
    name = argv[0]
    if name == "git":
        _globals, index = git_split(argv)
        if index >= len(argv):
            return Reading("git", ["git"], argv[1:], None)
        sub = argv[index]
        key = f"git {sub}"
        args = argv[index + 1 :]
        if sub == "stash" and args and args[0] == "list":
            key, args = "git log", args[1:]
        found = grammar(key)
        reading = Reading(key, ["git", sub], args, None if found is None else parse(found[0], args))
        if found is not None:
            reading.modes = found[1] & set(reading.options())
        return reading
    found = grammar(name)
    if found is None:
        return Reading(name, [name], argv[1:], None)
    args = list(argv[1:])
    if name in ("make", "gmake"):
        args = _make_job_counts(args)
    if name == "tar":
        args = _tar_old_style(args)
    reading = Reading(name, [name], args, parse(found[0], args))
    reading.modes = found[1] & set(reading.options())
    return reading


def _make_job_counts(args: list[str]) -> list[str]:
    # `make -j 4`: GNU make takes a number after a bare -j/-l as its value
    out: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("-j", "--jobs", "-l", "--load-average", "--max-load") and index + 1 < len(args):
            following = args[index + 1]
            if following.replace(".", "", 1).isdigit():
                out.append(f"{arg}={following}" if arg.startswith("--") else arg + following)
                index += 2
                continue
        out.append(arg)
        index += 1
    return out


def _tar_old_style(args: list[str]) -> list[str]:
    # `tar xvf a.tar`: the first word is a bundle of letters, each value-taking letter
    # takes the next word in order
    if not args or args[0].startswith("-"):
        return args
    letters = args[0]
    if not letters.isalnum():
        return args
    entry = grammar("tar")
    assert entry is not None
    shorts = entry[0].shorts
    out: list[str] = []
    rest = list(args[1:])
    for letter in letters:
        spec = shorts.get(letter)
        if spec is None:
            return ["-" + letters, *args[1:]]  # let the parser name the unknown letter
        out.append("-" + letter)
        if spec[1] == 1:
            if not rest:
                return args
            out.append(rest.pop(0))
    return out + rest
