"""Programs given on the command line or on stdin: the interpreters' "code" mode.

An allow rule for an interpreter (`python`, `node`, `perl`, `ruby`, `php`, ...)
lets the agent run the scripts it names. `python -c CODE`, `node -e CODE`,
`perl -ne CODE`, `vim -c CMD` and `echo CODE | python` run code written into the
command itself: at a level that edits no files (L0) that is the only way to run
code of the agent's choosing, and at any level it hides what runs from the
reader of the log. Such a program is therefore a mode, like `sed -i`: the allow
rule must name its option (`python -c`, `node -e`, `perl -e`), or `-` for a
program read from stdin (`python -`).

Each family is read the way its program reads its options: a cluster of
single-letter options (`perl -lne`, `python -Ic`) holds the code option at any
place before a letter that takes the rest of the word as its value
(`perl -MExporter` loads a module and runs no `-E` code).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


class Family:
    __slots__ = (
        "attached_only",
        "code",
        "interactive",
        "letters",
        "long_values",
        "no_stdin",
        "short_values",
        "stdin",
    )

    def __init__(
        self,
        code: frozenset[str],
        short_values: str = "",
        long_values: frozenset[str] = frozenset(),
        *,
        stdin: bool = True,
        no_stdin: frozenset[str] = frozenset(),
        interactive: frozenset[str] = frozenset(),
        attached_only: str = "",
    ):
        self.code = code  # the options whose value is a program
        self.letters = {option[1] for option in code if len(option) == 2 and option[1] != "-"}
        self.short_values = short_values  # letters that take a value (the rest, or the next word)
        self.long_values = long_values  # long options that take the next word as their value
        self.stdin = stdin  # without a script operand, the program reads its code from stdin
        self.no_stdin = no_stdin  # options that make it print and exit instead (--version)
        self.interactive = interactive  # options that read code from stdin after the script
        self.attached_only = attached_only  # value letters that never take the next word


_VERSION = frozenset({"-v", "-V", "--version", "-h", "--help"})
# long options known to take no value: the word after them is the script
_KNOWN_FLAGS = frozenset({"--version", "--help", "--help-env", "--help-xoptions", "--help-all",
                          "--no-warnings", "--enable-source-maps", "--test", "--watch",
                          "--check", "--inspect", "--inspect-brk", "--trace-warnings",
                          "--experimental-vm-modules", "--no-deprecation", "--verbose",
                          "--batch", "--no-init-file", "--quick"})  # fmt: skip
_PYTHON = Family(
    frozenset({"-c"}),
    "cmWXQ",
    frozenset({"--check-hash-based-pycs"}),
    interactive=frozenset({"-i"}),
    no_stdin=frozenset({"-V", "-VV", "--version", "-h", "--help", "-?"}),
)
_NODE = Family(
    frozenset({"-e", "--eval", "-p", "--print"}), "rC",
    frozenset({"--require", "--import", "--loader", "--experimental-loader", "--conditions",
               "--input-type", "--title", "--env-file"}),
    no_stdin=_VERSION, interactive=frozenset({"-i", "--interactive"}),
)  # fmt: skip
_PERL = Family(frozenset({"-e", "-E"}), "eEMmIxCidDV", no_stdin=_VERSION, attached_only="MmIxCidDV")
_RUBY = Family(frozenset({"-e"}), "erICExFiTWK", no_stdin=_VERSION, attached_only="xiTWKF")
_PHP = Family(frozenset({"-r", "-B", "-R", "-E", "-a"}), "rBREcdzfFtS", no_stdin=_VERSION)
_LUA = Family(frozenset({"-e"}), "el", no_stdin=_VERSION)
_EVAL = Family(frozenset({"-e", "--eval", "-E", "--print"}), "eE", stdin=False)
_EDITOR = Family(frozenset({"-c", "--cmd", "+"}), "cSTuUiwWs", frozenset({"--cmd"}), stdin=False)
_EMACS = Family(frozenset({"--eval", "--execute"}), "lfL", stdin=False)
_SQLITE = Family(frozenset({"-cmd"}), "", stdin=False)
# database clients whose command text runs programs (`\\! cmd` in psql and mysql)
_PSQL = Family(frozenset({"-c", "--command"}), "cdfhpUoLPTv", frozenset({"--dbname", "--host",
               "--port", "--username", "--file", "--output", "--log-file", "--set",
               "--variable", "--pset"}), stdin=False)  # fmt: skip
_MYSQL = Family(frozenset({"-e", "--execute"}), "euhpPDS", stdin=False)
_DC = Family(frozenset({"-e", "--expression"}), "ef", no_stdin=_VERSION)

# fmt: off
FAMILIES: dict[str, Family] = {
    **{name: _NODE for name in ("node", "nodejs", "tsx", "ts-node")},
    **{name: _PERL for name in ("perl",)},
    **{name: _RUBY for name in ("ruby", "jruby")},
    **{name: _PHP for name in ("php",)},
    **{name: _LUA for name in ("lua", "luajit")},
    **{name: _EVAL for name in ("Rscript", "R", "julia", "elixir", "iex", "ghc", "scala",
                                "groovy", "bun", "osascript", "clojure", "clj", "racket")},
    **{name: _EDITOR for name in ("vim", "vi", "nvim", "view", "vimdiff", "ex", "gvim", "rvim")},
    "emacs": _EMACS,
    "sqlite3": _SQLITE,
    "psql": _PSQL,
    **{name: _MYSQL for name in ("mysql", "mariadb")},
    "dc": _DC,
    **{name: _LUA for name in ("tclsh", "wish")},  # a script file, or code on stdin
    **{name: Family(frozenset({"--eval", "-e", "-c"}), "ecl", stdin=False)
       for name in ("guile", "sbcl", "octave")},
    "erl": Family(frozenset({"-eval", "-s", "-run"}), "", stdin=False),
}
# fmt: on
# programs whose subcommand runs code given on the command line or stdin
_CODE_SUBCOMMANDS = {"deno": frozenset({"eval", "repl"}), "bun": frozenset({"repl"})}
# `python -m MODULE` modules whose arguments or stdin are Python statements (pdb reads its
# commands, `!stmt` among them, from -c and stdin; asyncio and code are REPLs)
_CODE_MODULES = frozenset({"timeit", "code", "IPython", "pdb", "asyncio"})


def family_of(name: str) -> Family | None:
    if name == "py":  # the Windows launcher
        return _PYTHON
    for prefix in ("python", "pypy", "ipython"):
        version = name.removeprefix(prefix)
        if name.startswith(prefix) and all(char in "0123456789." for char in version):
            return _PYTHON
    return FAMILIES.get(name)


def inline_code(argv: Sequence[str]) -> tuple[str, frozenset[str]] | None:
    """(the mode, the rule words that name it) when `argv` runs code written on the
    command line or read from stdin, else None."""
    subcommands = _CODE_SUBCOMMANDS.get(argv[0])
    if subcommands is not None:
        words = [arg for arg in argv[1:] if not arg.startswith("-")]
        if words and words[0] in subcommands:
            return words[0], frozenset({words[0]})
    family = family_of(argv[0])
    if family is None:
        return None
    index = 1
    script_at: int | None = None
    # after a long option the table does not know, the next word may be its value
    # (`node --report-dir /tmp -e CODE`): it counts as the script, and the scan goes on
    ambiguous = False
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            index += 1
            break
        if arg == "-" or not arg.startswith(("-", "+")):
            if ambiguous and arg != "-":
                script_at = index if script_at is None else script_at
                ambiguous = False
                index += 1
                continue
            break
        ambiguous = False
        if family is _EDITOR and arg.startswith("+"):
            return "+CMD", frozenset({"+"})
        if family is _PYTHON and arg == "-m":
            module = argv[index + 1] if index + 1 < len(argv) else ""
            if module in _CODE_MODULES:
                return f"-m {module}", frozenset({module})
            return None  # the module runs as its own program
        if arg in family.interactive:
            return "-", frozenset({"-"})
        if arg.startswith("--"):
            name = arg.split("=", 1)[0]
            if name in family.code:
                return name, family.code
            if name in family.long_values and "=" not in arg:
                index += 1
            elif "=" not in arg and name not in _KNOWN_FLAGS:
                ambiguous = True
        elif arg in family.code:
            return arg, family.code
        elif len(arg) > 2 and arg[:2] in family.code and arg[1] in family.short_values:
            return arg[:2], family.code  # `-cCODE`, `-eCODE`: the value attached
        elif not (family is _SQLITE or family.code & {arg}):
            takes_next = False
            for position, letter in enumerate(arg[1:]):
                if letter.isdigit():
                    continue  # `perl -l0ne`, `-0777`: a number belongs to the letter before
                if letter in family.letters:
                    return f"-{letter}", family.code
                if f"-{letter}" in family.interactive:
                    return "-", frozenset({"-"})
                if letter in family.short_values:
                    # the last letter: its value is the next word
                    takes_next = position == len(arg) - 2 and letter not in family.attached_only
                    break
            if takes_next:
                index += 1
        index += 1
    rest = argv[script_at if script_at is not None else index :]
    if family is _SQLITE:
        # sqlite3 DB SQL...: a dot command runs programs (.shell, .system)
        if any(word.startswith(".") for word in rest[1:]):
            return ".COMMAND", frozenset({"-cmd"})
        return None
    if not family.stdin:
        return None
    if rest and rest[0] != "-":
        return None  # a script file
    if any(arg in family.no_stdin for arg in argv[1:index]):
        return None
    return "-", frozenset({"-"})


def rule_names(tokens: Sequence[str], names: frozenset[str]) -> bool:
    """Whether the allow rule `tokens` names the mode: one of its words after the program
    is one of `names` (or, for `+`, a word starting with it)."""
    return any(token in names or ("+" in names and token.startswith("+")) for token in tokens[1:])
