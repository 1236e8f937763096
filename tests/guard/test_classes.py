"""The command battery by class (cases_commands.py): each case denied for its reason.

The repository is one `charter init` made, with forbidden files git does not
ignore (keys/server.pem, vault/prod.pem), links towards secrets and protected
directories, and archives and patches that name protected, forbidden, absolute
and `..` paths, so that a class-4 case is decided by what is on disk.
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from charter.guard.compiled import CompiledPolicy
from charter.guard.decide import Decision, classify
from tests.guard.cases_commands import CLASS3, CLASS4, PERMISSIVE, REGRESSION
from tests.guard.helpers import compiled, make_context
from tests.guard.initrepo import FILES, SECRET, build_init_repo

HOOK_PATCH = (
    "diff --git a/.git/hooks/pre-commit b/.git/hooks/pre-commit\nnew file mode 100755\n"
    "--- /dev/null\n+++ b/.git/hooks/pre-commit\n@@ -0,0 +1 @@\n+id\n"
)


def _patch(path: str) -> str:
    return f"--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-x\n+y\n"


def _tar(path: Path, members: list[tuple[str, str]]) -> None:
    with tarfile.open(path, "w") as archive:
        for name, kind in members:
            info = tarfile.TarInfo(name)
            if kind == "link":
                info.type = tarfile.SYMTYPE
                info.linkname = ".env"
                archive.addfile(info)
            else:
                data = b"x\n"
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))


def _zip(path: Path, members: list[tuple[str, str]]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, kind in members:
            info = zipfile.ZipInfo(name)
            if kind == "link":
                info.external_attr = 0o120777 << 16
                archive.writestr(info, ".env")
            else:
                archive.writestr(info, "x\n")


def build_hostile_repo(root: Path) -> Path:
    build_init_repo(root)
    # a repository whose .gitignore predates `charter init`'s (which ignores every forbidden
    # pattern): the walkers and `git add` really would reach the forbidden files below
    (root / ".gitignore").write_text(FILES[".gitignore"], encoding="utf-8")
    for rel in ("keys/server.pem", "vault/prod.pem"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(SECRET + "\n", encoding="utf-8")
    (root / "config").mkdir()
    (root / "config" / "app.toml").write_text("x = 1\n", encoding="utf-8")
    (root / "config" / ".env").write_text(SECRET + "\n", encoding="utf-8")
    (root / "notes").mkdir()
    (root / "notes" / "todo.md").write_text("x\n", encoding="utf-8")
    os.symlink("../.env", root / "notes" / "secret_link")
    os.symlink(".env", root / "env_link")
    os.symlink(".git/hooks", root / "hooks_link")
    _tar(root / "evil_hooks.tar", [(".git/hooks/pre-commit", "file")])
    _tar(root / "evil_link.tar", [("innocent", "link")])
    _tar(root / "evil_abs.tar", [("/tmp/charter-abs", "file")])
    _tar(root / "evil_dotdot.tar", [("../escape.txt", "file")])
    _tar(root / "evil_policy.tar", [("docs/agents/AUTONOMY.md", "file")])
    _tar(root / "evil_env.tar", [(".env", "file")])
    _tar(root / "ok.tar", [("src/new.py", "file")])
    (root / "notatar.tar").write_text("not an archive\n", encoding="utf-8")
    _zip(root / "evil.zip", [("../escape.txt", "file")])
    _zip(root / "evil_claude.zip", [(".claude/settings.json", "file")])
    _zip(root / "ok.zip", [("src/z.py", "file")])
    _zip(root / "link.zip", [("innocent", "link")])
    (root / "evil_hooks.patch").write_text(HOOK_PATCH, encoding="utf-8")
    (root / "evil_policy.patch").write_text(_patch("docs/agents/AUTONOMY.md"), encoding="utf-8")
    (root / "evil_settings.patch").write_text(_patch(".claude/settings.json"), encoding="utf-8")
    (root / "ok.patch").write_text(_patch("src/app.py"), encoding="utf-8")
    (root / "symlink.patch").write_text(
        "diff --git a/l b/l\nnew file mode 120000\n--- /dev/null\n+++ b/l\n@@ -0,0 +1 @@\n+.env\n",
        encoding="utf-8",
    )
    (root / "list.txt").write_text("src/app.py\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = build_hostile_repo(tmp_path_factory.mktemp("classes") / "repo")
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def permissive() -> CompiledPolicy:
    return compiled(PERMISSIVE)


@pytest.fixture
def decide_in(hostile_root: Path, permissive: CompiledPolicy) -> Callable[[str], Decision]:
    context = make_context(permissive, hostile_root, level="L1", env={})
    return lambda command: classify(command, context)


def _check(decide_in: Callable[[str], Decision], command: str, why: str) -> None:
    decision = decide_in(command)
    assert not decision.allowed, f"wrongly allowed: {command!r}"
    assert why in decision.reason, f"{command!r} denied for another reason: {decision.reason}"


@pytest.mark.parametrize(("command", "why"), CLASS3)
def test_option_languages(decide_in: Callable[[str], Decision], command: str, why: str) -> None:
    _check(decide_in, command, why)


@pytest.mark.parametrize(("command", "why"), CLASS4)
def test_forbidden_paths_reached_indirectly(
    decide_in: Callable[[str], Decision], command: str, why: str
) -> None:
    _check(decide_in, command, why)


@pytest.mark.parametrize(("command", "why"), REGRESSION)
def test_shell_parsing_denials_hold(
    decide_in: Callable[[str], Decision], command: str, why: str
) -> None:
    _check(decide_in, command, why)


def test_the_batteries_are_large_and_distinct() -> None:
    for battery in (CLASS3, CLASS4, REGRESSION):
        assert len({command for command, _ in battery}) == len(battery)
    assert len(CLASS3) + len(CLASS4) + len(REGRESSION) >= 300


ALLOWED_HERE = [
    "cd src && cp app.py ../docs/app.py",
    "cd src && ls | head -3",
    "ls -d src/*/",
    "cat */*.py",
    "git add config",
    "tar -cf - src",
    "make check -j",
    "timeout -k 1 5 make check",
    "charter run --manifest -- git status",
    "cd src && cd .. && ls",
    "git apply --check evil_hooks.patch",
    "rg -- --pre src",
    "git log -- -n",
    "git log --grep='--output=x'",
    "sort -- -o",
    "python -m zipfile -e ok.zip .",
    "python -m tarfile -l evil_hooks.tar",
    "make -j4 check test",
    "git push origin main",
    "git push --no-force origin main",
    "git commit -m '-n is fine'",
    "rg -e '-z' src",
    "rg -e --hidden src",
    "sed -n 's/a/b/p' src/app.py",
    "sed -n '/w/p' src/app.py",
    "awk '$3 > 100' src/app.py",
    "awk '/a|b/ { print $1 }' src/app.py",
    "sort -k2 -t, src/app.py",
    "tar -tf evil_hooks.tar",
    "tar -xf ok.tar",
    "unzip -l evil.zip",
    "unzip ok.zip",
    "patch -p1 --dry-run -i evil_hooks.patch",
    "patch -p1 -i ok.patch",
    "git apply --stat evil_hooks.patch",
    "git apply ok.patch",
    "ln -s app.py src/main.py",
    "cp -r src src2",
    "rg x src notes/todo.md",
    "grep -r x src docs",
    "rg API_TOKEN src docs config",
    "grep -r x notes",
    "cp -R notes src/n",
    "git add src",
    "git add -u",
    "find . -name '*.pem'",
    "ls -R",
    "du -sh .",
    "git branch --list -v",
    "git restore --staged src/app.py",
]


@pytest.mark.parametrize("command", ALLOWED_HERE)
def test_what_the_arguments_leave_harmless_is_allowed(
    decide_in: Callable[[str], Decision], command: str
) -> None:
    decision = decide_in(command)
    assert decision.allowed, decision.reason


def test_a_ripgrep_configuration_counts_as_hidden_and_ignored(
    hostile_root: Path, permissive: CompiledPolicy
) -> None:
    plain = make_context(permissive, hostile_root, env={})
    config = hostile_root.parent / "ripgreprc"
    config.write_text("--smart-case\n", encoding="utf-8")
    configured = make_context(permissive, hostile_root, env={"RIPGREP_CONFIG_PATH": str(config)})
    assert classify("rg API_TOKEN config", plain).allowed
    assert "config/.env" in classify("rg API_TOKEN config", configured).reason
    assert classify("rg --no-config API_TOKEN config", configured).allowed
    assert not classify("grep -r API_TOKEN config", plain).allowed
    config.write_text("--pre=sh\n", encoding="utf-8")
    assert "--pre" in classify("rg x src", configured).reason
    missing = make_context(permissive, hostile_root, env={"RIPGREP_CONFIG_PATH": "/nonexistent"})
    assert "cannot read" in classify("rg x src", missing).reason


def test_cdpath_makes_a_bare_cd_name_ambiguous(
    hostile_root: Path, permissive: CompiledPolicy
) -> None:
    context = make_context(permissive, hostile_root, env={"CDPATH": "/tmp"})
    assert "CDPATH" in classify("cd src && ls", context).reason
    assert classify("cd ./src && ls", context).allowed
