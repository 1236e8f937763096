"""Shell words: the value bash will pass, or the reason charter refuses to guess.

A word is accepted only when its value can be read off the source text with
no expansion at all: unquoted text without `$`, backquotes, globs, braces or a
leading tilde; single-quoted text; double-quoted text whose only escapes are
the five bash honours there. Anything else is refused, so the argv the guard
checks is the argv bash executes.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Refusal(Exception):
    """The text cannot be accepted; `reason` says why and what to do instead."""

    def __init__(self, reason: str, node: Any = None):
        super().__init__(reason)
        self.reason = reason
        self.node = node


class Word:
    """One resolved shell word and how it was spelled."""

    __slots__ = ("escaped", "name_unquoted", "plain", "quoted", "value")

    def __init__(
        self,
        value: str,
        *,
        plain: bool,
        quoted: bool,
        escaped: bool,
        name_unquoted: bool,
    ):
        self.value = value
        # a single unquoted word without escapes: exactly what is written
        self.plain = plain
        self.quoted = quoted
        self.escaped = escaped
        # for `--opt=value`: the option name up to `=` is plain unquoted text
        self.name_unquoted = name_unquoted


# Node types that can never be a literal word, with the advice to give.
NODE_REASONS: dict[str, str] = {
    "command_substitution": "command substitution ($(...) or backquotes) is not allowed: "
    "run the inner command on its own and pass its output literally",
    "process_substitution": "process substitution (<(...) or >(...)) is not allowed: "
    "run the inner command on its own",
    "simple_expansion": "parameter expansion ($NAME) is not allowed: write the value out",
    "expansion": "parameter expansion (${...}) is not allowed: write the value out",
    "arithmetic_expansion": "arithmetic expansion ($((...))) is not allowed: write the number out",
    "ansi_c_string": "ANSI-C quoting ($'...') is not allowed: use plain single quotes",
    "translated_string": 'locale quoting ($"...") is not allowed: use plain quotes',
    "brace_expression": "brace expansion ({a..b}) is not allowed: write the words out",
    "heredoc_redirect": "here-documents are not allowed: pass the text as a quoted argument",
    "herestring_redirect": "here-strings (<<<) are not allowed: pass the text as an argument",
    "ERROR": "the command does not parse",
}

_GLOB = frozenset("*?[")
_BRACES = frozenset("{}")


def resolve(node: Any) -> Word:
    """The value of a word node, or Refusal."""
    kind = node.type
    if kind in ("word", "number"):
        value, escaped = _unquoted(node.text.decode("utf-8"), first=True, node=node)
        return Word(
            value, plain=not escaped, quoted=False, escaped=escaped, name_unquoted=not escaped
        )
    if kind == "raw_string":
        return Word(
            _single_quoted(node), plain=False, quoted=True, escaped=False, name_unquoted=False
        )
    if kind == "string":
        return Word(
            _double_quoted(node), plain=False, quoted=True, escaped=False, name_unquoted=False
        )
    if kind == "concatenation":
        return _concatenation(node)
    raise Refusal(NODE_REASONS.get(kind, f"unsupported shell syntax ({kind})"), node)


def _concatenation(node: Any) -> Word:
    values: list[str] = []
    quoted = escaped = False
    name_unquoted = False
    for index, part in enumerate(node.children):
        kind = part.type
        if kind in ("word", "number"):
            # a tilde opening any unquoted part is refused, even where bash would
            # leave it alone: cheaper than modelling tilde-prefix rules exactly
            value, part_escaped = _unquoted(part.text.decode("utf-8"), first=True, node=part)
            escaped = escaped or part_escaped
            if index == 0:
                name_unquoted = not part_escaped and "=" in value
        elif kind == "raw_string":
            value, quoted = _single_quoted(part), True
        elif kind == "string":
            value, quoted = _double_quoted(part), True
        else:
            raise Refusal(NODE_REASONS.get(kind, f"unsupported shell syntax ({kind})"), part)
        values.append(value)
    return Word(
        "".join(values), plain=False, quoted=quoted, escaped=escaped, name_unquoted=name_unquoted
    )


def _unquoted(text: str, *, first: bool, node: Any) -> tuple[str, bool]:
    out: list[str] = []
    escaped = False
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\":
            if index + 1 >= length or text[index + 1] == "\n":
                raise Refusal(
                    "a backslash at the end of a word (line continuation) is not allowed: "
                    "write the command on one line",
                    node,
                )
            out.append(text[index + 1])
            escaped = True
            index += 2
            continue
        if char == "$":
            raise Refusal(
                "a $ outside single quotes starts an expansion: quote it with '...'", node
            )
        if char == "`":
            raise Refusal(NODE_REASONS["command_substitution"], node)
        if char in _GLOB:
            raise Refusal(
                f"unquoted glob character {char!r}: the shell would expand it to file names "
                "the guard cannot see; quote it or name the files",
                node,
            )
        if char in _BRACES:
            raise Refusal(
                f"unquoted brace {char!r} (brace expansion): quote it or write the words out",
                node,
            )
        if char == "~" and ((index == 0 and first) or (index > 0 and text[index - 1] in "=:")):
            raise Refusal("tilde expansion (~) is not allowed: write the path out", node)
        out.append(char)
        index += 1
    return "".join(out), escaped


def _single_quoted(node: Any) -> str:
    text = node.text.decode("utf-8")
    if len(text) < 2 or text[0] != "'" or text[-1] != "'":
        raise Refusal("unterminated single quote", node)
    return str(text[1:-1])


_DQ_ESCAPABLE = frozenset('$`"\\\n')


def _double_quoted(node: Any) -> str:
    children = node.children
    if len(children) < 2 or children[0].type != '"' or children[-1].type != '"':
        raise Refusal("unterminated double quote", node)
    for child in children[1:-1]:
        if child.type != "string_content":
            kind = child.type
            if kind == "$":
                raise Refusal("a $ inside double quotes starts an expansion: use '...'", child)
            raise Refusal(NODE_REASONS.get(kind, f"unsupported syntax in quotes ({kind})"), child)
    # The value comes from the source text between the quotes, not from the children:
    # tree-sitter folds blanks into the quote tokens (`" "` has no content node).
    text = node.text.decode("utf-8")
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise Refusal("unterminated double quote", node)
    return _double_quoted_content(text[1:-1], node)


def _double_quoted_content(text: str, node: Any) -> str:
    out: list[str] = []
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\" and index + 1 < length and text[index + 1] in _DQ_ESCAPABLE:
            if text[index + 1] != "\n":  # backslash-newline inside quotes vanishes
                out.append(text[index + 1])
            index += 2
            continue
        if char == "$":
            raise Refusal("a $ inside double quotes starts an expansion: use '...'", node)
        if char == "`":
            raise Refusal(NODE_REASONS["command_substitution"], node)
        out.append(char)
        index += 1
    return "".join(out)
