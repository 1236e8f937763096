"""charter.guard.paths: forbidden, protected and outside-the-repository paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from charter.guard.paths import ALWAYS_PROTECTED, PathRules, examples, glob_regex

FORBIDDEN = ["*.accdb", "logs/raw/**", ".env", ".env.*", "*.pem", "id_rsa*", "secrets/prod.txt"]
PROTECTED = [*ALWAYS_PROTECTED, "docs/agents/AUTONOMY.md"]


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("*.pem", "a.pem", True),
        ("*.pem", "a.pem.txt", False),
        ("logs/raw/**", "logs/raw", True),
        ("logs/raw/**", "logs/raw/a/b.log", True),
        ("logs/raw/**", "logs/rawx", False),
        ("**/cache", "cache", True),
        ("**/cache", "a/b/cache", True),
        ("a/**/b", "a/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("a/*/b", "a/x/y/b", False),
        ("file?.txt", "file1.txt", True),
        ("file?.txt", "file/.txt", False),
        ("[ab].txt", "a.txt", True),
        ("[!ab].txt", "a.txt", False),
        ("[!ab].txt", "c.txt", True),
        ("/top.txt", "top.txt", True),
        ("./top.txt", "top.txt", True),
        ("a+b.txt", "a+b.txt", True),
    ],
)
def test_glob_regex(pattern: str, path: str, matches: bool) -> None:
    _anchored, regex = glob_regex(pattern)
    assert bool(regex.match(path)) is matches


@pytest.fixture
def rules(tmp_path: Path) -> PathRules:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "logs" / "raw").mkdir(parents=True)
    (root / ".env").write_text("SECRET=1\n", encoding="utf-8")
    os.symlink(root / ".env", root / "src" / "notes.txt")
    os.symlink(tmp_path, root / "src" / "up")
    return PathRules(str(root), str(root / "src"), FORBIDDEN, PROTECTED)


@pytest.mark.parametrize(
    ("value", "forbidden"),
    [
        ("app.py", False),
        ("../.env", True),
        ("../.env.local", True),
        ("../logs/raw/x.log", True),
        ("../logs/raw", True),
        ("../logs", False),  # a directory above a forbidden one is not itself forbidden
        ("notes.txt", True),  # a symlink to .env
        ("--file=../.env", True),
        ("-f../.env", True),
        ("/home/someone/.ssh/id_rsa", True),
        ("/etc/ssl/private/site.pem", True),
        ("../secrets/prod.txt", True),
        ("secrets/prod.txt", False),  # anchored at the root, and this is src/secrets
        ("/dev/null", False),
        ("/dev/tcp/example.org/80", True),
        ("/proc/self/environ", True),
        ("/sys/kernel", True),
        ("../.ENV", True),  # case-insensitive file systems
        ("HEAD:../.env", True),  # git REV:PATH
        ("HEAD~2:.env", True),  # `.env` has no slash: forbidden at any depth
        ("HEAD:../secrets/prod.txt", True),
        (":0:../id_rsa", True),
        (":(top)../.env", True),  # pathspec magic
        ("*.pem", True),  # a glob for git or rg to expand
        ("../*.env", True),
        ("**/id_*", True),
        ("*", True),
        ("*.py", False),
        ("--glob=*.md", False),
        ("-g*.pem", True),
        ("https://example.org/a.pem", True),
        ("https://example.org/x", False),
    ],
)
def test_forbidden_paths(rules: PathRules, value: str, forbidden: bool) -> None:
    assert (rules.forbidden_reason(value) is not None) is forbidden


@pytest.mark.parametrize(
    ("value", "destructive", "refused"),
    [
        ("app.py", False, False),
        ("../docs/x.md", False, False),
        ("..", False, False),
        ("..", True, True),  # the root holds .git
        ("../..", False, True),
        ("/tmp/x", False, True),
        ("up/x", False, True),  # a symlink out of the repository
        ("../.git/config", False, True),
        ("../.git", False, True),
        ("../.charter/active-session.json", False, True),
        ("../docs/agents/AUTONOMY.md", False, True),
        ("../docs/agents", True, True),
        ("../docs/agents", False, False),
        ("../.claude/settings.json", False, True),
        ("--output=/tmp/x", False, True),
        ("/dev/null", False, False),
        ("message with spaces", False, False),
    ],
)
def test_write_paths(rules: PathRules, value: str, destructive: bool, refused: bool) -> None:
    assert (rules.write_reason(value, destructive=destructive) is not None) is refused


@pytest.mark.parametrize(
    ("pattern", "names"),
    [
        (".env", [".env"]),
        ("*.pem", ["x.pem"]),
        ("id_rsa*", ["id_rsax"]),
        ("logs/raw/**", ["logs/raw/x", "x", "logs/raw"]),
        ("[ab].key", ["a.key"]),
        ("[!ab].key", ["x.key"]),
    ],
)
def test_examples_of_a_pattern(pattern: str, names: list[str]) -> None:
    assert examples(pattern) == names
    _anchored, regex = glob_regex(pattern)
    assert regex.match(names[0])
