"""The programs sed and awk run: what in them writes files or runs commands.

sed: the commands `e`, `r`, `R`, `w`, `W` and the `s` flags `e` and `w` read
or write files or run a shell; every other command only edits the stream.
The script is parsed command by command (addresses, `s` and `y` with any
delimiter, text arguments of `a`/`i`/`c`, labels), so a `w` inside a regular
expression is text and a `w` after `s///` is the write flag.

awk: `system()`, `getline` (it reads files and runs commands), pipes (`|`),
output redirection in `print`/`printf` (`>`, `>>`), `@include`/`@load`, and
calls through a variable (gawk's `@name()`) are refused. Strings and regular
expression literals are skipped first, so `/a|b/` and `"x > y"` are text.
"""

from __future__ import annotations

_SED_SIMPLE = frozenset("=dDgGhHlnNpPxzF")
_SED_NUMBERED = frozenset("qQLl")  # an optional exit code or line length follows
_SED_LABEL = frozenset("btT:")
_SED_TEXT = frozenset("aic")
_SED_DANGER = {
    "e": "runs a shell command",
    "r": "reads a file named in the script",
    "R": "reads a file named in the script",
    "w": "writes a file named in the script",
    "W": "writes a file named in the script",
    "v": None,
}


def sed_problem(script: str) -> str | None:
    """Why the sed `script` may not run (it writes, reads or executes), or None."""
    text = script
    index = 0
    length = len(text)

    def skip_blanks(position: int) -> int:
        while position < length and text[position] in " \t\n;":
            position += 1
        return position

    while True:
        index = skip_blanks(index)
        if index >= length:
            return None
        if text[index] == "#":
            end = text.find("\n", index)
            index = length if end < 0 else end + 1
            continue
        index, problem = _sed_address(text, index)
        if problem:
            return problem
        while index < length and text[index] in " \t!":
            index += 1
        if index >= length:
            return "the sed script ends after an address"
        command = text[index]
        index += 1
        if command in "{}":
            continue
        if command in _SED_SIMPLE:
            continue
        if command in _SED_NUMBERED:
            while index < length and text[index] in " \t0123456789":
                index += 1
            continue
        if command in _SED_LABEL:
            while index < length and text[index] not in ";\n":
                index += 1
            continue
        if command in _SED_TEXT:
            index = _sed_text(text, index)
            continue
        if command in ("s", "y"):
            index, flags, problem = _sed_substitute(text, index, command)
            if problem:
                return problem
            if command == "s":
                if "e" in flags:
                    return "the sed flag s///e runs the pattern space as a shell command"
                if "w" in flags:
                    return "the sed flag s///w writes a file"
                if flags.strip("gpiImM0123456789 \t"):
                    return f"unknown sed s/// flags {flags!r}"
            continue
        if command in _SED_DANGER:
            reason = _SED_DANGER[command]
            if reason is None:  # `v` only checks the version
                while index < length and text[index] not in ";\n}":
                    index += 1
                continue
            return f"the sed command {command!r} {reason}"
        return f"the sed command {command!r} is not one the guard knows"


def _sed_address(text: str, index: int) -> tuple[int, str | None]:
    for _ in range(2):
        length = len(text)
        if index < length and (text[index].isdigit() or text[index] == "$"):
            index += 1
            while index < length and (text[index].isdigit() or text[index] == "~"):
                index += 1
        elif index < length and text[index] in "/\\":
            delimiter = "/"
            if text[index] == "\\":
                if index + 1 >= length:
                    return index, "the sed script ends inside an address"
                delimiter = text[index + 1]
                index += 1
            end = _sed_delimited(text, index + 1, delimiter)
            if end < 0:
                return index, "unterminated regular expression in a sed address"
            index = end + 1
            while index < length and text[index] in "IM":
                index += 1
        else:
            return index, None
        if index < length and text[index] == ",":
            index += 1
            if index < length and text[index] in "+~":
                index += 1
            continue
        return index, None
    return index, None


def _sed_delimited(text: str, index: int, delimiter: str) -> int:
    """Index of the closing `delimiter` from `index`, honouring backslashes; -1 if none."""
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "\n" and delimiter != "\n":
            return -1
        if char == delimiter:
            return index
        index += 1
    return -1


def _sed_text(text: str, index: int) -> int:
    # `a text`, `a\` + lines: the text runs to an unescaped end of line
    length = len(text)
    while index < length:
        if text[index] == "\\" and index + 1 < length:
            index += 2
            continue
        if text[index] == "\n":
            return index + 1
        index += 1
    return index


def _sed_substitute(text: str, index: int, command: str) -> tuple[int, str, str | None]:
    length = len(text)
    if index >= length or text[index] in "\n\\":
        return index, "", f"the sed command {command!r} has no delimiter"
    delimiter = text[index]
    position = index + 1
    for _ in range(2):
        end = _sed_delimited(text, position, delimiter)
        if end < 0:
            return position, "", f"unterminated sed {command!r} command"
        position = end + 1
    start = position
    while position < length and text[position] not in ";\n}":
        if command == "s" and text[position] == "w":
            return length, text[start:length], None  # the rest of the line is a file name
        position += 1
    return position, text[start:position], None


_AWK_WORDS = ("system", "getline", "@include", "@load", "@namespace", "fflush")
_REGEX_AFTER = frozenset("(,{;!~&|\n=+-*/%?:<>[^")


def awk_problem(program: str) -> str | None:
    """Why the awk `program` may not run (it runs commands or writes files), or None."""
    code = _awk_code(program)
    if code is None:
        return "the awk program has an unterminated string or regular expression"
    for word in _AWK_WORDS[:2]:
        if _has_word(code, word):
            return f"the awk function {word} reads files or runs commands"
    if "@" in code:
        return "gawk's @include, @load and indirect calls (@name()) are not allowed"
    stripped = code.replace("||", "  ")
    if "|" in stripped:
        return 'awk pipes (print | "cmd", "cmd" | getline) run commands'
    for statement in ("print", "printf"):
        if _print_redirects(code, statement):
            return f"awk output redirection ({statement} > file) writes files"
    return None


def _has_word(code: str, word: str) -> bool:
    start = 0
    while True:
        found = code.find(word, start)
        if found < 0:
            return False
        before = code[found - 1] if found else " "
        after = code[found + len(word)] if found + len(word) < len(code) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            return True
        start = found + 1


def _awk_code(program: str) -> str | None:
    """The program with string and regex literals blanked, or None if one is unterminated."""
    out: list[str] = []
    index = 0
    length = len(program)
    last = "\n"  # the last significant character, to tell a regex from a division
    while index < length:
        char = program[index]
        if char == "#":
            end = program.find("\n", index)
            index = length if end < 0 else end
            continue
        if char == '"' or (char == "/" and last in _REGEX_AFTER):
            end = index + 1
            while end < length and program[end] != char:
                if program[end] == "\\":
                    end += 1
                elif program[end] == "\n":
                    return None
                end += 1
            if end >= length:
                return None
            out.append('""')
            index = end + 1
            last = '"'
            continue
        out.append(char)
        if not char.isspace() or char == "\n":
            last = char
        index += 1
    return "".join(out)


def _print_redirects(code: str, statement: str) -> bool:
    start = 0
    while True:
        found = code.find(statement, start)
        if found < 0:
            return False
        start = found + len(statement)
        before = code[found - 1] if found else " "
        after = code[start] if start < len(code) else " "
        if before.isalnum() or before == "_" or after.isalnum() or after == "_":
            continue
        depth = 0
        for char in code[start:]:
            if char in "([":
                depth += 1
            elif char in ")]":
                depth -= 1
                if depth < 0:
                    break
            elif char in ";}\n" and depth == 0:
                break
            elif char == ">" and depth == 0:
                return True
