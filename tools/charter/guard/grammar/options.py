"""A getopt_long-style parser driven by a one-line option table per program.

An option table is a string of entries separated by spaces. An entry names
one option's spellings joined by `|` (`-o|--output`), followed by `=` when
the option takes a value (`-o|--output=`) or `?` when the value is optional
and must be attached (`--color?`). The option's canonical name is its first
long spelling, else its short one: `-o` and `--outp=x` both parse as
`--output`. Long options may be abbreviated to any unambiguous prefix, as
getopt_long and git accept; short options bundle (`-xvf`) and take their value
attached (`-ofile`) or as the next word.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

FLAG, REQUIRED, OPTIONAL = 0, 1, 2


class Grammar:
    """The options of one program (or one subcommand), compiled from a table."""

    __slots__ = ("digits", "longs", "negatable", "permute", "shorts")

    def __init__(
        self,
        table: str,
        *,
        permute: bool = True,
        negatable: bool = False,
        digits: bool = False,
    ):
        self.shorts: dict[str, tuple[str, int]] = {}
        self.longs: dict[str, tuple[str, int]] = {}
        self.permute = permute  # GNU: options may follow operands
        self.negatable = negatable  # git: every `--x` also has `--no-x`
        self.digits = digits  # head/tail/diff: `-5` means a count
        for entry in table.split():
            kind = FLAG
            if entry.endswith("="):
                kind, entry = REQUIRED, entry[:-1]
            elif entry.endswith("?"):
                kind, entry = OPTIONAL, entry[:-1]
            spellings = entry.split("|")
            longs = [s[2:] for s in spellings if s.startswith("--")]
            canonical = "--" + longs[0] if longs else spellings[0]
            for spelling in spellings:
                if spelling.startswith("--"):
                    self.longs[spelling[2:]] = (canonical, kind)
                else:
                    self.shorts[spelling[1:]] = (canonical, kind)

    def long(self, name: str) -> tuple[str, int] | str:
        """(canonical, kind) of a long option name as given, or why it is not one."""
        if name in self.longs:
            return self.longs[name]
        if self.negatable and name.startswith("no-") and name[3:] in self.longs:
            canonical, kind = self.longs[name[3:]]
            return "--no-" + canonical[2:], FLAG if kind == FLAG else kind
        found = {entry for key, entry in self.longs.items() if key.startswith(name)}
        if self.negatable and name.startswith("no-"):
            found |= {
                ("--no-" + entry[0][2:], entry[1])
                for key, entry in self.longs.items()
                if key.startswith(name[3:])
            }
        if len(found) == 1:
            return found.pop()
        if found:
            names = ", ".join(sorted(f[0] for f in found))
            return f"--{name} is ambiguous ({names})"
        return f"--{name} is not an option the guard knows for this program"


class Parsed:
    """Arguments read under a grammar: options in order, operands, or an error."""

    __slots__ = ("error", "operands", "options", "positions")

    def __init__(self) -> None:
        self.options: list[tuple[str, str | None]] = []
        self.operands: list[str] = []
        self.positions: list[int] = []  # index in args of each operand
        self.error: str | None = None

    def has(self, *names: str) -> bool:
        return any(option == name for option, _ in self.options for name in names)

    def values(self, *names: str) -> list[str]:
        return [value for option, value in self.options if option in names and value is not None]


def parse(grammar: Grammar, args: Sequence[str]) -> Parsed:
    """`args` (without the program name) read under `grammar`."""
    out = Parsed()
    index = 0
    count = len(args)
    while index < count:
        arg = args[index]
        if arg == "--":
            out.operands.extend(args[index + 1 :])
            out.positions.extend(range(index + 1, count))
            break
        if arg.startswith("--"):
            name, equals, value = arg[2:].partition("=")
            found = grammar.long(name)
            if isinstance(found, str):
                out.error = found
                return out
            canonical, kind = found
            if kind == FLAG:
                if equals:
                    out.error = f"{canonical} takes no value"
                    return out
                out.options.append((canonical, None))
            elif kind == OPTIONAL:
                out.options.append((canonical, value if equals else None))
            elif equals:
                out.options.append((canonical, value))
            elif index + 1 < count:
                index += 1
                out.options.append((canonical, args[index]))
            else:
                out.error = f"{canonical} needs a value"
                return out
        elif arg.startswith("-") and arg != "-":
            if grammar.digits and arg[1:].isdigit():
                out.options.append(("-NUM", arg[1:]))
                index += 1
                continue
            position = 1
            while position < len(arg):
                letter = arg[position]
                entry = grammar.shorts.get(letter)
                if entry is None:
                    out.error = f"-{letter} is not an option the guard knows for this program"
                    return out
                canonical, kind = entry
                rest = arg[position + 1 :]
                if kind == FLAG:
                    out.options.append((canonical, None))
                    position += 1
                    continue
                if rest:
                    out.options.append((canonical, rest))
                elif kind == OPTIONAL:
                    out.options.append((canonical, None))
                elif index + 1 < count:
                    index += 1
                    out.options.append((canonical, args[index]))
                else:
                    out.error = f"{canonical} needs a value"
                    return out
                break
        else:
            out.operands.append(arg)
            out.positions.append(index)
            if not grammar.permute:
                out.operands.extend(args[index + 1 :])
                out.positions.extend(range(index + 1, count))
                break
        index += 1
    return out
