"""Allow and deny rules matched against a reading instead of raw words.

A deny rule's options are read under the program's grammar, so `-f` names
`--force`, and an option of an effect group (`git push --force`) matches every
option and operand spelling of that effect (`--force-with-lease`, `+main`,
`--mirror`, `:main`). Its other words must appear in order among the
operands. Option values are never options: `git commit -m '-n is fine'` holds
no `-n`. Programs the guard has no grammar for keep the loose matching of
`charter.guard.rules`.
"""

from __future__ import annotations

from charter.guard import rules
from charter.guard.grammar.options import parse
from charter.guard.grammar.programs import EFFECT_GROUPS, Reading, grammar

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


def canonical(key: str, option: str) -> str | None:
    """The canonical name of `option` for program `key`, or None if it is not one."""
    found = grammar(key)
    if found is None:
        return None
    parsed = parse(found[0], [option, "VALUE"])
    if parsed.error is not None or len(parsed.options) != 1:
        parsed = parse(found[0], [option])
    if parsed.error is not None or not parsed.options:
        return None
    return parsed.options[0][0]


def _groups(key: str, option: str) -> set[str]:
    found = {option}
    for group in EFFECT_GROUPS.get(key, ()):
        if option in group:
            found |= group
    return found


# Short options that are two long ones at once: `git branch -D` is `--delete --force`.
_COMBINED: dict[tuple[str, str], tuple[str, ...]] = {
    ("git branch", "-D"): ("--delete", "--force"),
    ("git branch", "-M"): ("--move", "--force"),
    ("git branch", "-C"): ("--copy", "--force"),
}


def has_option(reading: Reading, option: str) -> bool:
    """Whether the reading holds `option`, in any spelling or effect-group member."""
    if reading.parsed is None or reading.parsed.error is not None:
        return rules.option_present(reading.args, option)
    name = canonical(reading.key, option)
    if name is None:
        return False
    effects = reading.effects()
    combined = _COMBINED.get((reading.key, name))
    if combined is not None and all(part in effects for part in combined):
        return True
    return bool(_groups(reading.key, name) & effects)


def deny_matches(tokens: Sequence[str], argv: Sequence[str], reading: Reading) -> bool:
    if reading.parsed is None or reading.parsed.error is not None or argv[0] != tokens[0]:
        return rules.deny_matches(tokens, argv)
    words = list(tokens[1 : len(reading.words)])
    if words != reading.words[1:]:
        return False
    operands = reading.parsed.operands
    position = 0
    for token in tokens[len(reading.words) :]:
        if token in ("-", "--"):
            if token not in reading.args:
                return False
        elif token.startswith("-"):
            if not has_option(reading, token):
                return False
        else:
            while position < len(operands) and operands[position] != token:
                position += 1
            if position == len(operands):
                return False
            position += 1
    return True


def rule_names_modes(tokens: Sequence[str], reading: Reading) -> list[str]:
    """The mode options of the reading that the allow rule `tokens` does not name."""
    if not reading.modes:
        return []
    named = {canonical(reading.key, token) for token in tokens if token.startswith("-")}
    return sorted(mode for mode in reading.modes if mode not in named)
