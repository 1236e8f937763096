"""Commands that transform or remove whole trees: compressors with `-r`, archivers that
move files into the archive, `git rm` and `git mv`.

`gzip -r config` replaces `config/.env` with `config/.env.gz`, which no forbidden
pattern names and `zcat` then reads; `zip -rm out.zip .` moves every file,
`.charter/` and the policy among them, into an archive; `git rm -r docs` deletes
the policy file. None of them names the file it reaches. Each is read the same
way: the trees it reads are walked for forbidden files (as `tar c` is), and the
paths it removes or replaces are judged as deletions, so the repository root
and directories holding protected files are refused.
"""

from __future__ import annotations

from charter.guard.grammar import walks
from charter.guard.grammar.derived import COMPRESSORS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from charter.guard.paths import PathRules

_SEVEN_ZIP = frozenset({"7z", "7za", "7zr"})


def _letters(args: Sequence[str]) -> set[str]:
    return {letter for arg in args if arg.startswith("-") and not arg.startswith("--")
            for letter in arg[1:]}  # fmt: skip


def _longs(args: Sequence[str]) -> set[str]:
    return {arg.split("=", 1)[0] for arg in args if arg.startswith("--")}


def _operands(args: Sequence[str]) -> list[str]:
    return [arg for arg in args if arg == "-" or not arg.startswith("-")]


def reached(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """(the trees `argv` reads every file below, the paths it removes or replaces)."""
    name, args = argv[0], list(argv[1:])
    letters, longs, operands = _letters(args), _longs(args), _operands(args)
    if name in COMPRESSORS:
        recursive = "r" in letters or "--recursive" in longs
        return (operands if recursive else []), operands
    if name == "zip":
        recursive = bool(letters & {"r", "R"}) or "--recurse-paths" in longs
        moves = "m" in letters or "--move" in longs
        files = operands[1:]
        return (files if recursive else []), (files if moves else [])
    if name in _SEVEN_ZIP and operands[:1] in (["a"], ["u"]):
        files = operands[2:]
        moves = any(arg.startswith("-sdel") for arg in args)
        return files, (files if moves else [])
    if name == "jar" and args and "c" in args[0].lstrip("-"):
        return operands[1:], []
    if name == "git":
        words = [arg for arg in args if not arg.startswith("-")]
        if words[:1] == ["rm"] and "--cached" not in longs:
            return [], words[1:]
        if words[:1] == ["mv"]:
            return [], words[1:]
    return [], []


def bulk_reason(argv: Sequence[str], paths: PathRules) -> str | None:
    """Why `argv` may not read or remove the trees it is given, or None."""
    trees, removed = reached(argv)
    for path in removed:
        reason = paths.write_reason(path, destructive=True)
        if reason is not None:
            return f"{argv[0]} removes or replaces what it is given: {reason}"
    for tree in trees:
        try:
            found = walks.forbidden_below(paths, tree)
        except walks.TooLarge:
            return (
                f"{argv[0]} would read every file below {tree}, more than "
                f"{walks.WALK_LIMIT} entries: name smaller directories"
            )
        if found:
            shown = paths.relative(found[0]) or found[0]
            return (
                f"{argv[0]} would read every file below {tree}, and {shown} is forbidden "
                "by the policy: name the files or directories instead"
            )
    return None
