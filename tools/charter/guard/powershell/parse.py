"""A PowerShell command line, parsed by tree-sitter-powershell, as plain calls.

`parse_powershell` returns each call (a command name, its literal arguments and
its redirections) or a problem for each construct the guard will not reason
about. Like the bash walk, it accepts a short list of node types and refuses
every other one: variables, splatting, subexpressions, script blocks, call
operators, expressions, control flow, backtick escapes and comments. What is
left is a call whose arguments are exactly the words written.
"""

from __future__ import annotations

from charter.guard.chars import input_problem
from charter.guard.shell import Problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# characters a bare word may hold: anything else is PowerShell syntax somewhere
_WORD_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./\\:=+%*?[]^!~"
)
_QUOTED_FORBIDDEN = frozenset('$`"\u2018\u2019\u201a\u201b\u201c\u201d\u201e')

_NODE_REASONS = {
    "variable": "variables are not allowed: pass literal values",
    "sub_expression": "subexpressions $(...) are not allowed: run the inner command on its own",
    "array_expression": "array subexpressions @(...) are not allowed",
    "script_block_expression": "script blocks {...} are not allowed: they run code the guard "
    "cannot see",
    "script_block": "script blocks {...} are not allowed",
    "hash_literal_expression": "hash tables @{...} are not allowed",
    "parenthesized_expression": "parenthesised expressions (...) are not allowed: run the inner "
    "command on its own",
    "command_invokation_operator": "the call operators & and . are not allowed: run scripts by "
    "their .ps1 path and commands by name",
    "assignment_expression": "assignments are not allowed: pass values as arguments",
    "stop_parsing": "the stop-parsing token --% is not allowed",
    "comment": "comments are not allowed in a guarded command",
    "type_literal": "type literals [...] are not allowed",
    "member_access": "member access is not allowed",
    "invokation_expression": "method calls are not allowed",
    "function_statement": "function definitions are not allowed (a function can shadow an "
    "allowed command)",
    "filter_statement": "filter definitions are not allowed",
    "class_statement": "class definitions are not allowed",
    "enum_statement": "enum definitions are not allowed",
    "trap_statement": "trap statements are not allowed",
    "try_statement": "try/catch is not allowed: run the commands directly",
    "data_statement": "data sections are not allowed",
    "flow_control_statement": "flow control (return, exit, throw, break) is not allowed",
    "param_block": "param blocks are not allowed",
}
_CONTROL = (
    "if_statement", "switch_statement", "foreach_statement", "for_statement",
    "while_statement", "do_statement", "labeled_statement",
)  # fmt: skip


class Call:
    """One PowerShell call: the name as written, literal arguments, redirections."""

    __slots__ = ("args", "line", "name", "redirects", "text")

    def __init__(
        self,
        name: str,
        args: tuple[str, ...],
        redirects: tuple[tuple[str, str | None], ...],
        text: str,
        line: int,
    ):
        self.name = name
        self.args = args
        # (operator, target): target None for a merge (2>&1) or a write to $null
        self.redirects = redirects
        self.text = text
        self.line = line


class PowerShellScript:
    __slots__ = ("calls", "problems")

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.problems: list[Problem] = []


class _Refused(Exception):
    def __init__(self, reason: str, node: Any):
        super().__init__(reason)
        self.reason = reason
        self.node = node


def parse_powershell(source: str) -> PowerShellScript:
    """The plain calls of one PowerShell command line, or the problems that refuse it."""
    from charter.guard.powershell.tsload import parser  # lazy: only PowerShell loads it

    script = PowerShellScript()
    problem = _text_problem(source)
    if problem is not None:
        script.problems.append(Problem(problem, source[:80], 1))
        return script
    data = source.encode("utf-8")
    root = parser().parse(data).root_node
    if root.has_error:
        script.problems.append(Problem(_parse_error(source), source[:80], 1))
        return script
    uncovered = _uncovered(root, data)
    if uncovered is not None:
        script.problems.append(Problem("text the parser skipped", uncovered, 1))
        return script
    try:
        for child in root.named_children:
            _statements(child, script)
    except _Refused as refusal:
        node = refusal.node
        text = node.text.decode("utf-8", "replace")[:80]
        script.problems.append(Problem(refusal.reason, text, node.start_point[0] + 1))
        script.calls.clear()
    if not script.calls and not script.problems:
        script.problems.append(Problem("the command is empty", source[:80], 1))
    return script


def _text_problem(source: str) -> str | None:
    problem = input_problem(source)
    if problem is not None:
        return problem
    if "`" in source:
        return "backtick escapes are not allowed: write the words plainly"
    if any(ord(char) > 0x7E for char in source):
        # PowerShell reads typographic quotes and dashes as quotes and dashes
        return "non-ASCII characters are not allowed in a PowerShell command"
    return None


def _parse_error(source: str) -> str:
    reason = "the PowerShell command does not parse"
    if "$" in source:
        return reason + " (variables and $(...) are not allowed anyway)"
    if "./" in source:
        return reason + " (write .\\path or the path alone: ./ reads as the dot-source operator)"
    return reason


def _uncovered(root: Any, data: bytes) -> str | None:
    covered = bytearray(len(data))
    stack = [root]
    while stack:
        node = stack.pop()
        # a "..." string's own text has no leaf when it holds variables: the walk refuses it
        if node.child_count == 0 or node.type == "expandable_string_literal":
            covered[node.start_byte : node.end_byte] = b"\x01" * (node.end_byte - node.start_byte)
        stack.extend(node.children)
    for index, byte in enumerate(data):
        if not covered[index] and chr(byte) not in " \t\n":
            return data[index : index + 40].decode("utf-8", "replace")
    return None


def _refuse_node(node: Any) -> _Refused:
    if node.type in _NODE_REASONS:
        reason = _NODE_REASONS[node.type]
        if node.type == "variable" and node.text.startswith(b"@"):
            reason = "splatting (@name) is not allowed: pass the arguments literally"
        return _Refused(reason, node)
    if node.type in _CONTROL:
        return _Refused("control flow is not allowed: run the commands one by one", node)
    return _Refused(
        f"{node.type.replace('_', ' ')} is not allowed: a PowerShell command must be plain "
        "calls with literal arguments",
        node,
    )


def _statements(node: Any, script: PowerShellScript) -> None:
    if node.type != "statement_list":
        raise _refuse_node(node)
    for child in node.children:
        if child.type == "empty_statement" and child.text == b";":
            continue
        if child.type != "pipeline":
            raise _refuse_node(child)
        _pipeline(child, script)


def _pipeline(node: Any, script: PowerShellScript) -> None:
    for child in node.children:
        if child.type == "pipeline_chain":
            for part in child.children:
                if part.type == "command":
                    script.calls.append(_call(part))
                elif part.type != "|":
                    raise _refuse_node(_first_refusable(part))
        elif child.type != "pipeline_chain_tail" or child.text not in (b"&&", b"||"):
            raise _refuse_node(_first_refusable(child))


def _first_refusable(node: Any) -> Any:
    """The innermost node that says what an expression is (`$x`, not its wrappers)."""
    stack = [node]
    while stack:
        current = stack.pop(0)
        if current.type in _NODE_REASONS or current.type in _CONTROL:
            return current
        stack.extend(current.children)
    return node


def _call(node: Any) -> Call:
    name: str | None = None
    args: list[str] = []
    redirects: list[tuple[str, str | None]] = []
    for child in node.children:
        if child.type == "command_name":
            name = _word(child)
        elif child.type == "command_elements":
            _elements(child, args, redirects)
        else:
            raise _refuse_node(_first_refusable(child))
    if name is None:
        raise _Refused("a call must name its command plainly", node)
    text = node.text.decode("utf-8", "replace")
    return Call(name, tuple(args), tuple(redirects), text, node.start_point[0] + 1)


def _elements(node: Any, args: list[str], redirects: list[tuple[str, str | None]]) -> None:
    previous_was_word = False
    for child in node.children:
        kind = child.type
        if kind == "command_argument_sep":
            if any(part.type == "comment" for part in child.children):
                raise _Refused(_NODE_REASONS["comment"], child)
            if child.text.strip() != b"":
                raise _Refused("write `-Name value`, not `-Name:value`", child)
            if child.text == b"" and previous_was_word:
                raise _Refused("words run together: separate arguments with spaces", child)
            previous_was_word = False
            continue
        if previous_was_word:
            raise _Refused("words run together: separate arguments with spaces", child)
        if kind == "redirection":
            redirects.append(_redirection(child))
            previous_was_word = False
            continue
        if kind in ("command_parameter", "generic_token"):
            args.append(_word(child))
        elif kind == "array_literal_expression":
            args.append(_literal(child))
        else:
            raise _refuse_node(_first_refusable(child))
        previous_was_word = True


def _word(node: Any) -> str:
    text: str = node.text.decode("utf-8")
    if not text or any(char not in _WORD_CHARS for char in text):
        bad = next((c for c in text if c not in _WORD_CHARS), "")
        raise _Refused(f"{text!r} holds PowerShell syntax ({bad!r}): quote it with '...'", node)
    if text.startswith("~"):
        raise _Refused("~ (the home folder) is outside the repository", node)
    return text


def _literal(node: Any) -> str:
    """The value of a one-element literal: a quoted string without expansion, or a number."""
    inner = node
    for expected in ("unary_expression",):
        if inner.named_child_count != 1 or inner.named_children[0].type != expected:
            raise _refuse_node(_first_refusable(inner))
        inner = inner.named_children[0]
    if inner.named_child_count != 1:
        raise _refuse_node(_first_refusable(inner))
    value = inner.named_children[0]
    if value.type == "integer_literal":
        text: str = value.text.decode("utf-8")
        if not text.isdigit():
            raise _Refused(f"{text!r} is not a plain number", value)
        return text
    if value.type != "string_literal" or value.named_child_count != 1:
        raise _refuse_node(_first_refusable(value))
    string = value.named_children[0]
    text = string.text.decode("utf-8")
    if string.type == "verbatim_string_characters" and len(text) >= 2 and text[0] == "'":
        body = text[1:-1]
        if "'" in body.replace("''", ""):
            raise _Refused("a quote inside a '...' string", string)
        return body.replace("''", "'")
    if string.type == "expandable_string_literal" and string.named_child_count == 0:
        body = text[1:-1]
        if any(char in _QUOTED_FORBIDDEN for char in body):
            raise _Refused("$, ` and quotes inside \"...\" are not allowed: use '...'", string)
        return body
    raise _refuse_node(_first_refusable(string))


def _redirection(node: Any) -> tuple[str, str | None]:
    operator = node.children[0]
    op = operator.text.decode("utf-8")
    if operator.type == "merging_redirection_operator":
        return op, None
    if operator.type != "file_redirection_operator" or node.child_count != 2:
        raise _refuse_node(_first_refusable(node))
    target = node.children[1]
    words = [c for c in target.children if c.type != "command_argument_sep"]
    if len(words) != 1:
        raise _Refused("a redirection must name one file", target)
    word = words[0]
    if word.type == "array_literal_expression" and word.text.lower() == b"$null":
        return op, None
    if word.type == "generic_token":
        return op, _word(word)
    return op, _literal(word)
