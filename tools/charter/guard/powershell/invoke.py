"""`pwsh`/`powershell` command lines: the options charter understands, and what they run.

`pwsh -Command TEXT` runs TEXT as PowerShell (judged call by call); `pwsh -File
SCRIPT.ps1 ARGS` runs one script with literal arguments. Encoded commands,
reading commands from standard input, an interactive shell and every option
charter does not know are refused.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

# options that change nothing about what runs (name, short forms PowerShell documents)
_FLAGS = {"noprofile": ("nop",), "noninteractive": ("noni",), "nologo": ("nol",)}
_EXECUTION_POLICY = ("executionpolicy", ("ex", "ep"))


class Invocation:
    """What a `pwsh` argv runs: a script text, or a script file with its arguments."""

    __slots__ = ("args", "command", "file")

    def __init__(self, command: str | None, file: str | None, args: tuple[str, ...]):
        self.command = command
        self.file = file
        self.args = args


def _spelled(word: str, name: str, short: tuple[str, ...]) -> bool:
    return word in short or (len(word) >= 3 and name.startswith(word))


def read_invocation(argv: Sequence[str]) -> Invocation | str:
    """The invocation `argv` (starting with pwsh or powershell) makes, or why it is refused."""
    shell = argv[0].lower().removesuffix(".exe")
    index = 1
    while index < len(argv):
        raw = argv[index]
        if not raw.startswith(("-", "/")) or raw in ("-", "/"):
            break
        word = raw.lstrip("-/").lower()
        if (word and "encodedcommand".startswith(word)) or word in ("ec", "enc", "e"):
            return "-EncodedCommand hides the command: pass it as plain -Command text"
        if _spelled(word, "command", ("c",)):
            rest = list(argv[index + 1 :])
            if not rest or rest == ["-"]:
                return "`-Command -` reads the commands from standard input, which is not checked"
            return Invocation(" ".join(rest), None, ())
        if _spelled(word, "file", ("f",)):
            return _file(argv[index + 1 :])
        if any(_spelled(word, name, short) for name, short in _FLAGS.items()):
            index += 1
            continue
        if _spelled(word, *_EXECUTION_POLICY) and index + 1 < len(argv):
            index += 2
            continue
        return f"{shell} option {raw!r} is not one charter understands: refused"
    rest = list(argv[index:])
    if not rest:
        return f"an interactive {shell} is not allowed: pass -Command or -File"
    if shell == "powershell":  # Windows PowerShell reads the rest as a command
        return Invocation(" ".join(rest), None, ())
    return _file(rest)


def _file(rest: Sequence[str]) -> Invocation | str:
    if not rest or rest[0] == "-":
        return "-File - reads the script from standard input, which is not checked"
    if not rest[0].lower().endswith(".ps1"):
        return f"-File {rest[0]}: only .ps1 scripts can be allowed"
    return Invocation(None, rest[0], tuple(rest[1:]))
