"""charter.guard.shell: shell text -> the argv bash would run, or a refusal."""

from __future__ import annotations

import pytest

from charter.guard.chars import input_problem
from charter.guard.shell import parse_script

ARGVS: list[tuple[str, list[tuple[str, ...]]]] = [
    ("git status", [("git", "status")]),
    ("git status;ls", [("git", "status"), ("ls",)]),
    ("a && b || c | d", [("a",), ("b",), ("c",), ("d",)]),
    ("(a; (b)) && { c; }", [("a",), ("b",), ("c",)]),
    ("! a", [("a",)]),
    ("a\n\nb # c\n# d", [("a",), ("b",)]),
    ("echo 'it'\\''s'", [("echo", "it's")]),
    ('echo "a \\"b\\" \\$c \\` \\\\ \\n"', [("echo", 'a "b" $c ` \\ \\n')]),
    ('echo "line\\\ncontinued"', [("echo", "linecontinued")]),
    ('echo " "', [("echo", " ")]),
    ("echo ''  \"\"", [("echo", "", "")]),
    ("echo a\\ b c\\;d", [("echo", "a b", "c;d")]),
    ("git log --format='%h %s' -1", [("git", "log", "--format=%h %s", "-1")]),
    ("echo a#b #c", [("echo", "a#b")]),
    ("echo HEAD~1 x=y a:b", [("echo", "HEAD~1", "x=y", "a:b")]),
    ("cat < x 2>/dev/null", [("cat",)]),
    ("bash -c 'a; b'", [("a",), ("b",)]),
    ('sh -lc "a | b"', [("a",), ("b",)]),
    ("ls | bash -c 'cat'", [("ls",), ("cat",)]),
    ("ls && " * 200 + "ls", [("ls",)] * 201),
]


@pytest.mark.parametrize(("text", "argvs"), ARGVS)
def test_simple_commands_and_their_argv(text: str, argvs: list[tuple[str, ...]]) -> None:
    script = parse_script(text)
    assert [p.reason for p in script.problems] == []
    assert [c.argv for c in script.commands] == argvs


def test_unwrapped_commands_say_where_they_came_from() -> None:
    script = parse_script("ls; bash -c 'git status'")
    assert [c.via for c in script.commands] == [None, "bash -c"]


def test_redirections_are_recorded_with_their_kind() -> None:
    (command,) = parse_script("cat < a 2>&1 >/dev/null 3>&-").commands
    assert [(str(r), r.kind) for r in command.redirects] == [
        ("<a", "read"),
        ("2>&1", "dup"),
        (">/dev/null", "null"),
        ("3>&-", "dup"),
    ]


def test_redirections_on_a_group_apply_to_each_command() -> None:
    script = parse_script("(cat; head) < input")
    assert [[r.target for r in c.redirects] for c in script.commands] == [["input"], ["input"]]


PROBLEMS: list[tuple[str, str]] = [
    ("ls $(x)", "command substitution"),
    ("ls `x`", "command substitution"),
    ("ls <(x)", "process substitution"),
    ("ls $x", "parameter expansion"),
    ("ls ${x}", "parameter expansion"),
    ("ls $((1))", "arithmetic expansion"),
    ("ls $'a'", "ANSI-C"),
    ('ls $"a"', "expansion"),
    ('$"ls"', "locale"),
    ("ls {1..3}", "brace expansion"),
    ("X=1 ls", "assignment prefixes"),
    ("X=1", "variable assignments"),
    ("f() { ls; }", "function definitions"),
    ("export X=1", "export"),
    ("unset X", "unset"),
    ("[[ -n x ]]", "[["),
    ("((1))", "arithmetic commands"),
    ("if a; then b; fi", "control flow (if)"),
    ("case a in b) c;; esac", "control flow (case)"),
    ("ls &", "background"),
    ("ls > f", "redirections that write"),
    ("ls >> f", "redirections that write"),
    ("ls 2>f", "redirections that write"),
    ("cat <<EOF\nx\nEOF", "here-documents"),
    ("cat <<< x", "here-strings"),
    ("cat >x y", "after all arguments"),
    ("ls 0</dev/null", "space before"),
    ("ls a\\\nb", "line continuation"),
    ("ls 'a'\\:b", "cannot be split into words"),
    ("ls 'a'*.py", "glob"),
    ("ls a\\ *.py", "glob"),
    ("echo {a,b}", "brace expansion"),
    ("echo x{1..3}", "brace"),
    ("ls a{b,c}", "brace"),
    ("ls ~", "tilde"),
    ("ls x=~/y", "tilde"),
    ("'ls'", "quoted or escaped"),
    ("l\\s", "quoted or escaped"),
    ("ls --a'l'l", "spliced"),
    ("ls ;; ls", "';;'"),
    ("ls )", "does not parse"),
    ("sh -c 'a &> /dev/null'", "means something else to sh"),
    ("sh -c 'a |& b'", "means something else to sh"),
    ("bash -c 'ls $x'", "inside bash -c: parameter expansion"),
]


@pytest.mark.parametrize(("text", "reason"), PROBLEMS)
def test_constructs_the_guard_refuses(text: str, reason: str) -> None:
    script = parse_script(text)
    assert script.problems, text
    assert any(reason in p.reason for p in script.problems), [p.reason for p in script.problems]


def test_problems_carry_line_numbers() -> None:
    (problem,) = parse_script("ls\nls\nls $(x)").problems
    assert problem.line == 3
    assert problem.text == "$(x)"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("ls\x00", "NUL"),
        ("ls\r\n", "carriage return"),
        ("ls\xa0-l", "non-breaking space"),
        ("ls\u2003-l", "invisible"),
        ("ls\u200d", "invisible"),
        ("ls\x7f", "control character"),
        ("ls\x85", "control character"),
        ("x" * (16 * 1024 + 1), "16 KiB"),
        ("", "empty"),
        (" \t\n", "empty"),
        ("ls 'caf\u00e9'\t-l\n", None),
        ("echo '日本語'", None),
    ],
)
def test_input_characters(text: str, problem: str | None) -> None:
    found = input_problem(text)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found
