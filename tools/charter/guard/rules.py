"""Matching allow and deny rules against an argv.

Allow rules are argv prefixes: `git status` allows `git status --short` and
nothing else. Deny rules match more loosely, because a deny rule that misses a
spelling is a hole: the command name must be equal, the other plain words must
appear in order, and each option must appear anywhere, also as `--opt=value`,
as an unambiguous abbreviation (`--no-verif`), or inside a cluster of short
options (`-nz` holds `-z`). The built-in rules (`charter.guard.builtin`) use
the same option matching.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-")
TOKEN_CHARS = NAME_CHARS | frozenset("@%=:,/")


def is_name(text: str) -> bool:
    return bool(text) and text[0] not in ".+-" and all(char in NAME_CHARS for char in text)


def pattern_problem(text: str) -> str | None:
    """Why `text` is not a valid allow/deny pattern, or None."""
    tokens = text.split()
    if not tokens:
        return "a pattern must name a command"
    if not is_name(tokens[0]):
        return (
            f"{tokens[0]!r} is not a command name (letters, digits, . _ + -; "
            "no paths, quotes or shell syntax)"
        )
    for token in tokens[1:]:
        if not all(char in TOKEN_CHARS for char in token):
            return (
                f"{token!r} holds shell syntax: patterns are plain words "
                "(letters, digits and @ % = : , . / _ + -)"
            )
    return None


def git_subcommand(argv: Sequence[str]) -> str | None:
    for arg in argv[1:]:
        if not arg.startswith("-"):
            return arg
    return None


def subcommand_candidates(argv: Sequence[str]) -> set[str]:
    """Every word that may be the subcommand, for a program the guard has no grammar of.

    Global options may come first (`docker --context ci run`, `poetry -q run`), and
    without the program's grammar the guard cannot tell whether a bare word after an
    option is that option's value or the subcommand: both are candidates, up to the
    first bare word that follows no option awaiting a value.
    """
    if argv[0] == "git":
        found = git_subcommand(argv)
        return set() if found is None else {found}
    candidates: set[str] = set()
    awaiting_value = False
    for arg in argv[1:]:
        if arg == "--":
            break
        if arg.startswith("-") and len(arg) > 1:
            awaiting_value = "=" not in arg
            continue
        candidates.add(arg)
        if not awaiting_value:
            break
        awaiting_value = False
    return candidates


def option_present(args: Sequence[str], option: str) -> bool:
    """Whether `option` appears in `args` in any spelling the program might accept."""
    if option in ("-", "--"):
        return option in args
    if option.startswith("--"):
        name = option[2:]
        for arg in args:
            if not arg.startswith("--") or len(arg) < 3:
                continue
            given = arg[2:].split("=", 1)[0]
            # getopt_long and git accept any unambiguous prefix of a long option
            if given == name or (len(given) >= 2 and name.startswith(given)):
                return True
        return False
    if option.startswith("-") and len(option) == 2:
        letter = option[1]
        return any(
            arg == option or (arg.startswith("-") and not arg.startswith("--") and letter in arg)
            for arg in args
        )
    return any(arg == option or arg.startswith(option + "=") for arg in args)


def deny_matches(tokens: Sequence[str], argv: Sequence[str]) -> bool:
    if not argv or argv[0] != tokens[0]:
        return False
    args = argv[1:]
    position = 0
    for token in tokens[1:]:
        if token.startswith("-"):
            if not option_present(args, token):
                return False
            continue
        while position < len(args) and args[position] != token:
            position += 1
        if position == len(args):
            return False
        position += 1
    return True


def allow_matches(tokens: Sequence[str], argv: Sequence[str]) -> bool:
    """An argv prefix; or the rule's leading words as a prefix and each of its trailing
    options anywhere before `--` (`cargo fmt --check` allows `cargo fmt --all --check`)."""
    if len(argv) >= len(tokens) and all(a == b for a, b in zip(tokens, argv, strict=False)):
        return True
    head = 0
    while head < len(tokens) and not tokens[head].startswith("-"):
        head += 1
    rest = tokens[head:]
    if not rest or any(token in ("-", "--") or not token.startswith("-") for token in rest):
        return False
    if list(argv[:head]) != list(tokens[:head]):
        return False
    args = list(argv[head:])
    if "--" in args:
        args = args[: args.index("--")]
    return all(token in args for token in rest)
