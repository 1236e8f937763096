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

    __slots__ = ("escaped", "glob", "heredocs", "name_unquoted", "plain", "quoted", "value")

    def __init__(
        self,
        value: str,
        *,
        plain: bool,
        quoted: bool,
        escaped: bool,
        name_unquoted: bool,
        glob: bool = False,
    ):
        self.value = value
        # an unquoted pattern bash expands against the file system (decided per match)
        self.glob = glob
        # `$(cat <<'EOF' ...)` read as literal text: each still runs `cat`
        self.heredocs = 0
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


def resolve(node: Any) -> Word:
    """The value of a word node, or Refusal."""
    kind = node.type
    if kind in ("word", "number"):
        value, escaped, skeleton, glob = _unquoted(node.text.decode("utf-8"), first=True, node=node)
        _check_braces(skeleton, node)
        if glob and escaped:
            raise Refusal(_GLOB_REASON.format(char="*?["), node)
        return Word(
            value,
            plain=not escaped,
            quoted=False,
            escaped=escaped,
            name_unquoted=not escaped,
            glob=glob,
        )
    if kind == "raw_string":
        return Word(
            _single_quoted(node), plain=False, quoted=True, escaped=False, name_unquoted=False
        )
    if kind == "string":
        value, heredocs = _double_quoted(node)
        word = Word(value, plain=False, quoted=True, escaped=False, name_unquoted=False)
        word.heredocs = heredocs
        return word
    if kind == "concatenation":
        return _concatenation(node)
    raise Refusal(NODE_REASONS.get(kind, f"unsupported shell syntax ({kind})"), node)


def _concatenation(node: Any) -> Word:
    values: list[str] = []
    skeleton: list[str] = []
    heredocs = 0
    quoted = escaped = glob = False
    name_unquoted = False
    for index, part in enumerate(node.children):
        kind = part.type
        if kind in ("word", "number"):
            # a tilde opening any unquoted part is refused, even where bash would
            # leave it alone: cheaper than modelling tilde-prefix rules exactly
            value, part_escaped, shape, part_glob = _unquoted(
                part.text.decode("utf-8"), first=True, node=part
            )
            escaped = escaped or part_escaped
            glob = glob or part_glob
            skeleton.append(shape)
            if index == 0:
                name_unquoted = not part_escaped and "=" in value
        elif kind == "raw_string":
            value, quoted = _single_quoted(part), True
            skeleton.append("Q")
        elif kind == "string":
            value, count = _double_quoted(part)
            quoted = True
            heredocs += count
            skeleton.append("Q")
        else:
            raise Refusal(NODE_REASONS.get(kind, f"unsupported shell syntax ({kind})"), part)
        values.append(value)
    _check_braces("".join(skeleton), node)
    if glob and (quoted or escaped):
        raise Refusal(_GLOB_REASON.format(char="*?["), node)
    word = Word(
        "".join(values),
        plain=not (quoted or escaped),
        quoted=quoted,
        escaped=escaped,
        name_unquoted=name_unquoted,
        glob=glob,
    )
    word.heredocs = heredocs
    return word


_GLOB_REASON = (
    "unquoted glob characters ({char}) mixed with quotes or escapes: the guard expands only "
    "plain patterns; quote the whole word or write the pattern plainly"
)


def _check_braces(skeleton: str, node: Any) -> None:
    """Refuse brace expansion: a `{...}` pair holding an unquoted `,` or `..`.

    Bash leaves every other brace alone, so git's `HEAD@{1}`, `@{u}` and
    `HEAD^{tree}` are literal words.
    """
    stack: list[int] = []
    for index, char in enumerate(skeleton):
        if char == "{":
            stack.append(index)
        elif char == "}" and stack:
            start = stack.pop()
            body = skeleton[start + 1 : index]
            if "," in body or ".." in body:
                raise Refusal(
                    "brace expansion ({a,b} or {a..b}) is not allowed: write the words out",
                    node,
                )


def _unquoted(text: str, *, first: bool, node: Any) -> tuple[str, bool, str, bool]:
    """(value, escaped, skeleton, glob): the skeleton masks escaped characters as Q."""
    out: list[str] = []
    shape: list[str] = []
    escaped = glob = False
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
            shape.append("Q")
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
            glob = True
        if char == "~" and ((index == 0 and first) or (index > 0 and text[index - 1] in "=:")):
            raise Refusal("tilde expansion (~) is not allowed: write the path out", node)
        out.append(char)
        shape.append(char)
        index += 1
    return "".join(out), escaped, "".join(shape), glob


def _single_quoted(node: Any) -> str:
    text = node.text.decode("utf-8")
    if len(text) < 2 or text[0] != "'" or text[-1] != "'":
        raise Refusal("unterminated single quote", node)
    return str(text[1:-1])


_DQ_ESCAPABLE = frozenset('$`"\\\n')


def _double_quoted(node: Any) -> tuple[str, int]:
    """The value of a double-quoted string, and how many literal here-documents it holds."""
    children = node.children
    if len(children) < 2 or children[0].type != '"' or children[-1].type != '"':
        raise Refusal("unterminated double quote", node)
    literals: list[tuple[int, int, str]] = []
    for child in children[1:-1]:
        if child.type != "string_content":
            kind = child.type
            if kind == "command_substitution":
                literal = heredoc_literal(child)
                if literal is not None:
                    literals.append((child.start_byte, child.end_byte, literal))
                    continue
            if kind == "$":
                raise Refusal("a $ inside double quotes starts an expansion: use '...'", child)
            raise Refusal(NODE_REASONS.get(kind, f"unsupported syntax in quotes ({kind})"), child)
    # The value comes from the source text between the quotes, not from the children:
    # tree-sitter folds blanks into the quote tokens (`" "` has no content node).
    data = node.text
    if len(data) < 2 or data[:1] != b'"' or data[-1:] != b'"':
        raise Refusal("unterminated double quote", node)
    base = node.start_byte
    out: list[str] = []
    position = base + 1
    for start, end, literal in literals:
        out.append(_double_quoted_content(data[position - base : start - base].decode(), node))
        out.append(literal)
        position = end
    out.append(_double_quoted_content(data[position - base : -1].decode(), node))
    return "".join(out), len(literals)


def heredoc_literal(node: Any) -> str | None:
    """The text of `$(cat <<'EOF' ... EOF)`, a literal; None for any other substitution.

    With a quoted delimiter bash expands nothing in the body, and `cat` with no
    arguments prints it unchanged; the substitution drops the trailing newlines.
    This is the form Claude Code writes commit messages in.
    """
    inner = [child for child in node.children if child.is_named]
    if len(inner) != 1 or inner[0].type != "redirected_statement":
        return None
    statement = inner[0]
    parts = [child for child in statement.children if child.is_named]
    if len(parts) != 2 or parts[0].type != "command" or parts[1].type != "heredoc_redirect":
        return None
    command, redirect = parts
    if [child.type for child in command.children] != ["command_name"]:
        return None
    if command.children[0].text != b"cat":
        return None
    pieces = {child.type: child for child in redirect.children}
    if [child.type for child in redirect.children] != [
        "<<", "heredoc_start", "heredoc_body", "heredoc_end",
    ]:  # fmt: skip
        return None
    start = pieces["heredoc_start"].text.decode("utf-8")
    end = pieces["heredoc_end"].text.decode("utf-8")
    if len(start) < 3 or start[0] not in "'\"" or start[-1] != start[0]:
        return None
    if start[1:-1] != end or not end or "'" in end or '"' in end:
        return None
    body = pieces["heredoc_body"]
    if body.named_child_count:
        return None
    source = node.text
    offset = node.start_byte
    after_start = source[pieces["heredoc_start"].end_byte - offset : body.start_byte - offset]
    if after_start.strip(b" \t") != b"\n":
        return None
    tail = source[pieces["heredoc_end"].end_byte - offset :]
    if tail.strip(b" \t\n") != b")" or not tail.lstrip(b" \t").startswith(b"\n"):
        return None
    before_end = source[body.start_byte - offset : pieces["heredoc_end"].start_byte - offset]
    if before_end and not before_end.endswith(b"\n"):
        return None
    text = str(before_end.decode("utf-8"))
    if any(line.startswith(end) for line in text.split("\n")):
        return None  # bash may end the here-document early (`EOF)`): refuse, do not guess
    return text.rstrip("\n")


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
