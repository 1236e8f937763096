"""charter.guard.rules and .builtin: pattern matching and the built-in rules."""

from __future__ import annotations

import pytest

from charter.guard.builtin import builtin_denial, is_read_only
from charter.guard.rules import allow_matches, deny_matches, option_present, pattern_problem


@pytest.mark.parametrize(
    ("args", "option", "present"),
    [
        (["--pre", "x"], "--pre", True),
        (["--pre=x"], "--pre", True),
        (["--pr=x"], "--pre", True),  # unambiguous abbreviation
        (["--p=x"], "--pre", False),  # one letter is not taken as an abbreviation
        (["--pre-glob=x"], "--pre", False),
        (["--prefix"], "--pre", False),
        (["-z"], "-z", True),
        (["-nz"], "-z", True),  # short-option cluster
        (["--zip"], "-z", False),
        (["-n"], "-z", False),
        (["-exec", "x"], "-exec", True),
        (["-exec=x"], "-exec", True),
        (["-execdir"], "-exec", False),
        (["foreach"], "foreach", True),
        (["checkout", "--", "x"], "--", True),
        (["checkout", "--x"], "--", False),
        (["for"], "foreach", False),
    ],
)
def test_option_present(args: list[str], option: str, present: bool) -> None:
    assert option_present(args, option) is present


@pytest.mark.parametrize(
    ("rule", "argv", "matches"),
    [
        ("git push --force", ["git", "push", "--force"], True),
        ("git push --force", ["git", "push", "origin", "main", "--force"], True),
        ("git push --force", ["git", "--no-pager", "push", "--force"], True),
        ("git push --force", ["git", "push", "--force-with-lease"], False),
        ("git push --force", ["git", "push", "origin"], False),
        ("git push --force", ["git", "fetch", "--force"], False),
        ("git reset --hard", ["git", "reset", "HEAD~1", "--hard"], True),
        ("rg -z", ["rg", "-inz", "x"], True),
        ("rm", ["rm", "x"], True),
        ("rm", ["rmdir", "x"], False),
        ("git checkout --", ["git", "checkout", "--", "src"], True),
        ("git checkout --", ["git", "checkout", "main"], False),
    ],
)
def test_deny_rules_match_every_spelling(rule: str, argv: list[str], matches: bool) -> None:
    assert deny_matches(rule.split(), argv) is matches


@pytest.mark.parametrize(
    ("rule", "argv", "matches"),
    [
        ("git status", ["git", "status"], True),
        ("git status", ["git", "status", "--short"], True),
        ("git status", ["git", "--no-pager", "status"], False),
        ("git status", ["git", "statusx"], False),
        ("git status", ["git"], False),
        ("make test", ["make", "test", "-j4"], True),
        ("pytest", ["pytest"], True),
    ],
)
def test_allow_rules_are_argv_prefixes(rule: str, argv: list[str], matches: bool) -> None:
    assert allow_matches(rule.split(), argv) is matches


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["env", "ls"], "runs another command"),
        (["xargs", "rm"], "runs another command"),
        (["bash", "x.sh"], "exact form"),
        (["alias", "x=y"], "changes how later commands run"),
        (["if"], "shell keyword"),
        (["git", "-c", "a=b", "status"], "git -c"),
        (["git", "-C", "/tmp", "status"], "git -C"),
        (["git", "--git-dir=x", "log"], "--git-dir"),
        (["git", "config", "user.name", "x"], "git config"),
        (["git", "config", "--unset", "x"], "git config"),
        (["git", "commit", "--no-verify"], "--no-verify"),
        (["git", "commit", "-anm", "x"], "-n"),
        (["git", "rebase", "-x", "make"], "-x"),
        (["git", "credential", "fill"], "credential"),
        (["rg", "--pre", "x"], "--pre"),
        (["pytest", "--basetemp=x"], "--basetemp"),
        (["find", ".", "-delete"], "-delete"),
        (["make", "test", "CC=evil"], "make variable"),
        (["sort", "-o", "x"], "-o"),
        (["uv", "run", "x"], "runs a command"),
        (["charter", "session", "start", "T-1"], "a person runs it"),
        (["charter", "export", "codex"], "a person runs it"),
        (["pre-commit", "run", "SKIP=x"], "SKIP="),
        (["python", "-m", "pytest", "--basetemp=.git"], "--basetemp"),
        (["python3.11", "-m", "pip", "install", "--no-verify"], "--no-verify"),
        (["python", "-m", "bash"], "exact form"),
    ],
)
def test_builtin_denials(argv: list[str], reason: str) -> None:
    denial = builtin_denial(argv, nested=False)
    assert denial is not None and reason in denial


@pytest.mark.parametrize(
    "argv",
    [
        ["git", "status"],
        ["git", "config", "--get", "user.name"],
        ["git", "config", "--list"],
        ["git", "grep", "-c", "x"],  # -c after the subcommand is grep's count
        ["git", "commit", "-m", "message"],
        ["rg", "-n", "x"],
        ["make", "test"],
        ["make", "-j4", "test"],
        ["charter", "check"],
        ["charter", "session", "status"],
        ["find", ".", "-name", "x"],
        ["python", "-m", "pytest", "-q"],
        ["python", "-m"],
    ],
)
def test_ordinary_commands_pass_the_builtin_rules(argv: list[str]) -> None:
    assert builtin_denial(argv, nested=False) is None


def test_a_shell_inside_bash_c_is_refused_with_its_own_reason() -> None:
    denial = builtin_denial(["bash", "-c", "ls"], nested=True)
    assert denial is not None and "inside `bash -c`" in denial


@pytest.mark.parametrize(
    ("argv", "read_only"),
    [
        (["cat", "x"], True),
        (["git", "log"], True),
        (["git", "--no-pager", "diff"], True),
        (["git", "commit"], False),
        (["pytest"], False),
        (["cp", "a", "b"], False),
    ],
)
def test_read_only_commands(argv: list[str], read_only: bool) -> None:
    assert is_read_only(argv) is read_only


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("git status", None),
        ("make test", None),
        ("pytest -q --maxfail=1", None),
        ("python3.11 -m pytest", None),
        ("", "must name a command"),
        ("./run", "not a command name"),
        ("/usr/bin/git status", "not a command name"),
        ("-x", "not a command name"),
        ("git 'status'", "shell syntax"),
        ("git status;ls", "shell syntax"),
        ("rg $x", "shell syntax"),
        ("ls *", "shell syntax"),
    ],
)
def test_pattern_problems(pattern: str, problem: str | None) -> None:
    found = pattern_problem(pattern)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found
