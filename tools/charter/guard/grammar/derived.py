"""Files a program writes under a name it derives from its arguments.

`gunzip Makefile.gz` writes `Makefile`, `xz -d conftest.py.xz` writes
`conftest.py`, and `gzip -S .py conftest` writes `conftest.py`: the command
never names the file it writes. The single-file compressors all work this way
(the output is the input with its suffix taken off, or put on), so each of them
is read the same way and the names it would write are judged as writes, like
the arguments of any command that may write.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

# program -> whether it decompresses without being told (-d)
# fmt: off
COMPRESSORS: dict[str, bool] = {
    "gzip": False, "gunzip": True, "pigz": False, "unpigz": True, "bzip2": False,
    "bunzip2": True, "pbzip2": False, "lbzip2": False, "xz": False, "unxz": True, "lzma": False,
    "unlzma": True, "zstd": False, "unzstd": True, "pzstd": False, "lz4": False, "unlz4": True,
    "lzip": False, "plzip": False, "lzop": False, "brotli": False, "compress": False,
    "uncompress": True, "zopfli": False,
}
# options after which nothing is written beside the input (stdout, tests, listings)
_NO_FILE = frozenset({"-c", "--stdout", "--to-stdout", "-t", "--test", "-l", "--list"})
_DECOMPRESS = frozenset({"-d", "--decompress", "--uncompress"})
# options that take the next word as their value, for the programs above
_VALUED = frozenset({"-S", "--suffix", "-o", "--output", "-b", "-B", "-T", "--threads", "-p",
                     "--processes", "-D", "--dict", "-L", "--level", "-M", "--memlimit",
                     "--format", "-F", "--files", "-q", "--quality", "-w", "--lgwin"})
# fmt: on


def _suffix_letters(arg: str) -> set[str]:
    return set(arg[1:]) if arg.startswith("-") and not arg.startswith("--") else set()


def derived_writes(argv: Sequence[str]) -> list[str]:
    """The files `argv` writes without naming them (empty for other programs)."""
    name = argv[0]
    if name not in COMPRESSORS:
        return []
    decompress = COMPRESSORS[name]
    suffix: str | None = None
    operands: list[str] = []
    index = 1
    options_end = False
    while index < len(argv):
        arg = argv[index]
        index += 1
        if options_end or arg == "-" or not arg.startswith("-"):
            operands.append(arg)
            continue
        if arg == "--":
            options_end = True
            continue
        option, _, value = arg.partition("=")
        letters = _suffix_letters(arg)
        if option in _NO_FILE or ({"c", "t", "l"} & letters and "S" not in letters):
            return []
        if option in _DECOMPRESS or "d" in letters:
            decompress = True
        if option in ("-S", "--suffix") or (letters and arg[-1] == "S"):
            if not value and index < len(argv):
                value = argv[index]
                index += 1
            suffix = value
        elif arg.startswith("-S"):
            suffix = arg[2:]
        elif option in _VALUED and not value:
            index += 1
    out: list[str] = []
    for operand in operands:
        if operand == "-":
            continue
        if not decompress:
            out.append(operand + (suffix or ""))
            continue
        if suffix and operand.endswith(suffix) and len(operand) > len(suffix):
            out.append(operand[: -len(suffix)])
        head, dot, _ext = operand.rpartition(".")
        if dot and head and not head.endswith("/"):
            out.append(head)
            out.append(head + ".tar")  # .tgz, .txz, .tbz2: the tool writes NAME.tar
    return out
