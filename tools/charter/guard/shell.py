"""A shell command string, parsed by tree-sitter-bash, as simple commands.

`parse_script` returns every simple command with the exact argv bash would
execute, or a problem for each construct the guard will not reason about:
substitutions, expansions, assignments, functions, control flow, background
jobs, here-documents, writing redirections, and anything that does not parse.
The walk accepts a short list of node types and refuses every other one, so a
construct tree-sitter learns later is refused until someone decides about it.

The exact form `bash -c 'SCRIPT'` (also `sh -c`, `bash -lc`) is unwrapped once:
its script is parsed the same way and its commands are checked one by one.
"""

from __future__ import annotations

from charter.guard.chars import input_problem
from charter.guard.shell_model import (
    Problem,
    Redirect,
    Script,
    SimpleCommand,
    line_of,
    parse_error,
    text_of,
    uncovered_text,
)
from charter.guard.words import NODE_REASONS, Refusal, Word, resolve

__all__ = ["Problem", "Redirect", "Script", "SimpleCommand", "parse_script"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_DEPTH = 64

WRAPPING_SHELLS = frozenset({"bash", "sh"})
WRAPPING_FLAGS = frozenset({"-c", "-lc"})

_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_WORDS = frozenset({"word", "number", "string", "raw_string", "concatenation"})
_CONTROL = {
    "if_statement": "if",
    "while_statement": "while/until",
    "for_statement": "for/select",
    "c_style_for_statement": "for",
    "case_statement": "case",
}
_STATEMENT_REASONS = {
    "function_definition": "function definitions are not allowed (a function can shadow an "
    "allowed command): run the commands directly",
    "variable_assignment": "variable assignments are not allowed: pass values as arguments",
    "variable_assignments": "variable assignments are not allowed: pass values as arguments",
    "declaration_command": "export/declare/local/readonly change the shell's state and are "
    "not allowed",
    "unset_command": "unset changes the shell's state and is not allowed",
    "test_command": "[[ ... ]] tests are not allowed: use the `test` command",
}


def parse_script(source: str, *, shell: str = "bash", depth: int = 0) -> Script:
    """Simple commands and problems of one shell script."""
    from charter.guard.tsload import parser  # lazy: off the guard's start-up path

    script = Script()
    problem = input_problem(source)
    if problem is not None:
        script.problems.append(Problem(problem, source[:80], 1))
        return script
    data = source.encode("utf-8")
    tree = parser().parse(data)
    root = tree.root_node
    if root.has_error:
        script.problems.append(parse_error(root))
        return script
    gap = uncovered_text(root, data)
    if gap is not None:
        script.problems.append(gap)
        return script
    _Walker(script, shell, depth).statements(root, (), 0)
    if not script.commands and not script.problems:
        script.problems.append(Problem("the command is empty", source[:80], 1))
    return script


class _Walker:
    def __init__(self, script: Script, shell: str, depth: int):
        self.script = script
        self.shell = shell
        self.depth = depth
        self.isolation = 0  # > 0 inside a subshell or a pipeline

    def refuse(self, reason: str, node: Any) -> None:
        self.script.problems.append(Problem(reason, text_of(node)[:80], line_of(node)))

    def statements(self, node: Any, redirects: tuple[Redirect, ...], nesting: int) -> None:
        """The statements of a program, subshell or `{ ...; }` group."""
        if nesting > MAX_DEPTH:
            self.refuse("the command is nested too deeply", node)
            return
        for child in node.children:
            kind = child.type
            if kind in (";", "comment") or (kind in ("(", ")", "{", "}") and not child.is_named):
                continue
            if kind == "&":
                self.refuse(
                    "background jobs (&) are not allowed: the command must finish before "
                    "the next one is checked",
                    child,
                )
            elif not child.is_named:
                self.refuse(f"unexpected {kind!r} between commands", child)
            else:
                self.statement(child, redirects, nesting + 1)

    def statement(self, node: Any, redirects: tuple[Redirect, ...], nesting: int) -> None:
        if nesting > MAX_DEPTH:
            self.refuse("the command is nested too deeply", node)
            return
        kind = node.type
        if kind == "command":
            self.command(node, redirects)
        elif kind == "redirected_statement":
            self.redirected(node, redirects, nesting)
        elif kind in ("list", "pipeline"):
            self.operators(node, redirects, nesting)
        elif kind == "subshell":
            self.isolation += 1
            self.statements(node, redirects, nesting)
            self.isolation -= 1
        elif kind == "compound_statement":
            if node.children and node.children[0].type == "{":
                self.statements(node, redirects, nesting)
            else:
                self.refuse("arithmetic commands ((...)) are not allowed", node)
        elif kind == "negated_command":
            for child in node.children:
                if child.is_named and child.type != "comment":
                    self.statement(child, redirects, nesting + 1)
        elif kind == "comment":
            return
        elif kind in _CONTROL:
            self.refuse(
                f"control flow ({_CONTROL[kind]}) is not allowed: run the commands one by one",
                node,
            )
        elif kind in _STATEMENT_REASONS:
            self.refuse(_STATEMENT_REASONS[kind], node)
        else:
            self.refuse(NODE_REASONS.get(kind, f"unsupported shell syntax ({kind})"), node)

    def operators(self, node: Any, redirects: tuple[Redirect, ...], nesting: int) -> None:
        allowed = ("&&", "||") if node.type == "list" else ("|", "|&")
        isolating = node.type == "pipeline"  # each part of a pipeline runs in a subshell
        self.isolation += isolating
        try:
            self._operators(node, redirects, nesting, allowed)
        finally:
            self.isolation -= isolating

    def _operators(
        self,
        node: Any,
        redirects: tuple[Redirect, ...],
        nesting: int,
        allowed: tuple[str, str],
    ) -> None:
        # `a && b && c` nests to the left: walk the chain in a loop, not by recursion
        chain = [node]
        while chain[-1].children and chain[-1].children[0].type == node.type:
            chain.append(chain[-1].children[0])
        children = list(chain[-1].children)
        for outer in reversed(chain[:-1]):
            children.extend(outer.children[1:])
        for child in children:
            if child.type == "comment":
                continue
            if not child.is_named:
                if child.type not in allowed:
                    self.refuse(f"unexpected {child.type!r} between commands", child)
                elif child.type == "|&" and self.shell == "sh":
                    self.refuse("|& means something else to sh: use 2>&1 |", child)
                continue
            self.statement(child, redirects, nesting + 1)

    def redirected(self, node: Any, redirects: tuple[Redirect, ...], nesting: int) -> None:
        body = None
        collected = list(redirects)
        previous = None
        for child in node.children:
            if child.type in _REDIRECTS:
                self.check_adjacent(previous, child)
                redirect = self.redirect(child)
                if redirect is not None:
                    collected.append(redirect)
            elif child.type == "comment":
                continue
            elif body is None and child.is_named:
                body = child
            else:
                self.refuse(f"unexpected {text_of(child)[:20]!r} in a redirection", child)
            previous = child
        if body is None:
            self.refuse("a redirection without a command is not allowed", node)
            return
        self.statement(body, tuple(collected), nesting + 1)

    def check_adjacent(self, previous: Any, redirect: Any) -> None:
        # `ls 0</dev/null`: bash reads `0<` as one operator, tree-sitter reads `0` as an argument
        if previous is not None and previous.end_byte == redirect.start_byte:
            self.refuse("write a space before each redirection operator", redirect)

    def redirect(self, node: Any) -> Redirect | None:
        if node.type != "file_redirect":
            self.refuse(NODE_REASONS[node.type], node)
            return None
        fd = None
        op = None
        targets = []
        for child in node.children:
            if child.type == "file_descriptor":
                fd = text_of(child)
            elif not child.is_named:
                op = child.type
            else:
                targets.append(child)
        if op is None:
            self.refuse("unsupported redirection", node)
            return None
        if fd is not None and not fd.isdigit():
            self.refuse(f"unsupported file descriptor {fd!r} in a redirection", node)
            return None
        if op in (">&-", "<&-"):
            return Redirect(op, fd, None, "dup")
        if len(targets) != 1:
            self.refuse(
                "put redirections after all arguments (a word after a redirection target "
                "is an argument to bash but part of the redirection to the parser)",
                node,
            )
            return None
        try:
            target = resolve(targets[0])
        except Refusal as refusal:
            self.refuse(refusal.reason, refusal.node or node)
            return None
        if target.glob:
            self.refuse("a glob in a redirection is not allowed: name the file", node)
            return None
        if op in (">&", "<&") and target.plain and (target.value.isdigit() or target.value == "-"):
            return Redirect(op, fd, target.value, "dup")
        if op == "<":
            return Redirect(op, fd, target.value, "read")
        if op in (">", ">>", ">|", "&>", "&>>", ">&"):
            if self.shell == "sh" and op in ("&>", "&>>", ">&"):
                self.refuse(f"{op} means something else to sh: use > /dev/null 2>&1", node)
                return None
            if target.value == "/dev/null":
                return Redirect(op, fd, target.value, "null")
            self.refuse(
                f"redirections that write ({op} {target.value}) are not allowed: "
                "print to the terminal, or redirect to /dev/null",
                node,
            )
            return None
        self.refuse(f"the redirection {op!r} is not allowed", node)
        return None

    def command(self, node: Any, redirects: tuple[Redirect, ...]) -> None:
        words: list[Word] = []
        collected = list(redirects)
        refused = False
        previous = None
        for child in node.children:
            kind = child.type
            if kind in _REDIRECTS:
                self.check_adjacent(previous, child)
                redirect = self.redirect(child)
                if redirect is None:
                    refused = True
                else:
                    collected.append(redirect)
            elif kind == "variable_assignment":
                self.refuse(
                    f"variable assignment prefixes ({text_of(child)[:30]}) are not allowed: "
                    "they change what the command does without appearing in its arguments",
                    child,
                )
                refused = True
            elif kind == "command_name":
                word = self.name(child)
                if word is None:
                    refused = True
                else:
                    words.append(word)
            elif kind in _WORDS:
                if previous is not None and previous.end_byte == child.start_byte:
                    # bash joins text that touches; tree-sitter sometimes splits it
                    # (a quoted string followed by a backslash escape)
                    self.refuse(
                        f"{text_of(previous)[-20:]}{text_of(child)[:20]!r} cannot be split into "
                        "words reliably: quote the whole argument as one piece",
                        child,
                    )
                    refused = True
                    previous = child
                    continue
                word = self.argument(child)
                if word is None:
                    refused = True
                else:
                    words.append(word)
            elif kind == "comment":
                continue
            else:
                reason = NODE_REASONS.get(kind)
                if kind == "$":
                    reason = (
                        'a $ outside single quotes starts an expansion ($NAME, $"..."): '
                        "quote it with '...'"
                    )
                if reason is None:
                    reason = (
                        f"unexpected {kind!r} in a command"
                        if not child.is_named
                        else f"unsupported shell syntax ({kind})"
                    )
                self.refuse(reason, child)
                refused = True
            previous = child
        if refused:
            return
        if not words:
            self.refuse("a command without a name is not allowed", node)
            return
        argv = tuple(word.value for word in words)
        for word in words:
            for _ in range(word.heredocs):
                # `"$(cat <<'EOF' ...)"` is read as text, but bash still runs that `cat`
                self.script.commands.append(
                    SimpleCommand(("cat",), (), (), "cat <<'...'", line_of(node), None)
                )
        if self.unwrap(node, argv, words, tuple(collected)):
            return
        command = SimpleCommand(
            argv, tuple(words), tuple(collected), text_of(node), line_of(node), None
        )
        command.isolated = self.isolation > 0 or self.depth > 0
        self.script.commands.append(command)

    def name(self, node: Any) -> Word | None:
        parts = [child for child in node.children if child.type != "comment"]
        if len(parts) != 1:
            self.refuse("unsupported command name", node)
            return None
        try:
            word = resolve(parts[0])
        except Refusal as refusal:
            self.refuse(refusal.reason, refusal.node or node)
            return None
        if not word.plain:
            self.refuse(
                f"the command name {text_of(node)[:30]!r} is quoted or escaped: write it "
                "plainly, as the allow rules do",
                node,
            )
            return None
        return word

    def argument(self, node: Any) -> Word | None:
        try:
            word = resolve(node)
        except Refusal as refusal:
            self.refuse(refusal.reason, refusal.node or node)
            return None
        if word.value.startswith("-") and not word.plain:
            whole_quote = node.type in ("string", "raw_string")
            if word.escaped or not (whole_quote or word.name_unquoted):
                self.refuse(
                    f"the option {text_of(node)[:30]!r} is spliced from quoted or escaped "
                    "parts: write the option name plainly",
                    node,
                )
                return None
        return word

    def unwrap(
        self,
        node: Any,
        argv: tuple[str, ...],
        words: list[Word],
        redirects: tuple[Redirect, ...],
    ) -> bool:
        """Check the script of `bash -c 'SCRIPT'` instead of the shell itself."""
        if argv[0] not in WRAPPING_SHELLS or len(argv) != 3 or argv[1] not in WRAPPING_FLAGS:
            return False
        if not words[1].plain or self.depth > 0:
            return False  # left for the decision, which refuses nested shells
        inner = parse_script(argv[2], shell=argv[0], depth=self.depth + 1)
        via = f"{argv[0]} {argv[1]}"
        for problem in inner.problems:
            self.script.problems.append(
                Problem(f"inside {via}: {problem.reason}", problem.text, line_of(node))
            )
        for command in inner.commands:
            unwrapped = SimpleCommand(
                command.argv,
                command.words,
                command.redirects + redirects,
                command.text,
                line_of(node),
                via,
            )
            unwrapped.isolated = True
            self.script.commands.append(unwrapped)
        return True
