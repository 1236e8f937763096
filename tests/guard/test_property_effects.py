"""Property: what the guard allows, run for real, stays inside what the level permits.

The companion of test_property.py, which runs logging stubs: here the real
programs run (cat, grep, rg, sed, awk, sort, tar, unzip, patch, git, ln, cp,
mv, make ...) under `bash -c`, in a scratch repository that holds a forbidden
`.env`, `secrets/` and an unignored `keys/server.pem` with a unique secret,
protected files with known hashes, links towards them, hostile archives and
patches, and a marker directory outside the repository. Hypothesis composes
commands from allowed programs and hostile arguments (forbidden and protected
paths, `..`, absolute paths, writing options, sed and awk programs that write
or run commands, make assignments, globs, `cd` prefixes, `timeout`). For every
command the guard allows at L1 (PERMISSIVE policy), after it ran:

- nothing outside the repository changed (the scratch tree around it is compared);
- no protected file changed (hashes; `.git/hooks` and `.charter/` trees);
- the secret appears neither on stdout/stderr nor in any file but its own.

No strace: trees and output are compared before and after.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from charter.guard.decide import classify
from charter.guard.execute import exec_args
from tests.guard.cases_commands import PERMISSIVE
from tests.guard.helpers import GUARD_PROFILE, compiled, make_context
from tests.guard.initrepo import SECRET
from tests.guard.test_classes import build_hostile_repo

PROTECTED = (
    ".git/config", "docs/agents/AUTONOMY.md", "charter.toml", ".claude/settings.json",
    ".pre-commit-config.yaml", "Makefile",
)  # fmt: skip
PROTECTED_TREES = (".git/hooks", ".charter", ".claude", ".codex")
SECRET_HOMES = (".env", "secrets/api.txt", "keys/server.pem", "vault/prod.pem", "config/.env")

HEADS = [
    "cat", "head -n 3", "tail -n 2", "wc -l", "nl", "grep -r", "grep -n", "rg", "rg -n",
    "find", "ls -R", "du -a", "diff -r", "sed -n", "sed -i", "sed", "awk", "sort", "tar -xf",
    "tar -cf out.tar", "tar -tf", "unzip", "unzip -l", "patch -p1 -i", "git apply",
    "git add", "git commit -q -m msg", "git grep --no-index", "git diff", "git log -p -1",
    "git show", "ln -s", "cp", "cp -r", "mv", "make check", "make test", "echo", "pwd",
]  # fmt: skip
SAFE_ARGS = [
    "src", "src/app.py", "src/other.py", "docs", "README.md", "ok.tar", "ok.zip",
    "ok.patch", "p", "1p", "'{print $1}'", "main", "new.txt", "src/copy.py", "-k1",
]  # fmt: skip
HOSTILE_ARGS = [
    ".", "..", ".env", "secrets", "secrets/api.txt", "keys", "keys/server.pem", "env_link",
    "notes", "config", "../outside/m", "../outside", "../../x", "{abs}/outside/m",
    ".git/hooks/pre-commit", ".git/config", "docs/agents/AUTONOMY.md", "charter.toml",
    ".claude/settings.json", "hooks_link/x", "evil_hooks.tar", "evil_link.tar",
    "evil_env.tar", "evil_dotdot.tar", "evil.zip", "evil_claude.zip", "evil_hooks.patch",
    "evil_policy.patch", "symlink.patch", "-r", "-R", "-L", "-a", "-.", "--hidden", "-u",
    "-o", "out.txt", "--output=../outside/o", "*", ".*", "src/*", "*/*", "k*/*",
    "'w ../outside/w'", "'e cat .env'", "'r .env'", "'s/a/b/w ../outside/s'", "'1e id'",
    "'{system(\"cat .env\")}'", "'{print > \"../outside/a\"}'", "'{print | \"cat .env\"}'",
    "API_TOKEN", "charter-test", "X=1", "'X :=1'", "bench", "-C", "-f", "-T", "-s", "-l",
    "-x", "--no-index", "-A", "-f .", "HEAD:.env", "'*.pem'", "-exec", "cat", "';'",
]  # fmt: skip
PREFIXES = ["", "", "", "cd src && ", "cd notes && ", "cd .. && ", "timeout 5 ", "cd docs; "]
JOINS = [" && ", "; ", " | ", " || "]


@st.composite
def commands(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(HEADS))
    args = draw(
        st.lists(
            st.one_of(st.sampled_from(SAFE_ARGS), st.sampled_from(HOSTILE_ARGS)),
            max_size=3,
        )
    )
    return " ".join([head, *args])


@st.composite
def scripts(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(PREFIXES)) + draw(commands())
    if draw(st.integers(0, 3)) == 0:
        text += draw(st.sampled_from(JOINS)) + draw(commands())
    return text


def _digest(path: Path) -> str:
    if path.is_symlink():
        return "link:" + os.readlink(path)
    if path.is_dir():
        return "dir"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"


def _tree(root: Path, skip: Path | None = None) -> dict[str, str]:
    out = {}
    for directory, dirs, files in os.walk(root):
        here = Path(directory)
        if skip is not None and here == skip:
            dirs[:] = []
            continue
        for name in dirs + files:
            path = here / name
            if skip is not None and path == skip:
                continue
            out[str(path.relative_to(root))] = _digest(path)
    return out


def _protected(repo: Path) -> dict[str, str]:
    state = {rel: _digest(repo / rel) for rel in PROTECTED}
    for tree in PROTECTED_TREES:
        if (repo / tree).exists():
            for rel, digest in _tree(repo / tree).items():
                state[f"{tree}/{rel}"] = digest
    return state


def _secret_spread(repo: Path) -> list[str]:
    found = []
    homes = {str(repo / rel) for rel in SECRET_HOMES}
    needle = SECRET.encode()
    for directory, dirs, files in os.walk(repo):
        if directory == str(repo / ".git"):
            dirs[:] = [d for d in dirs if d not in ("objects",)]
        for name in files:
            path = os.path.join(directory, name)
            if path in homes or os.path.islink(path):
                continue
            try:
                with open(path, "rb") as handle:
                    if needle in handle.read():
                        found.append(path)
            except OSError:
                continue
    return found


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("effects")
    repo = build_hostile_repo(base / "a" / "b" / "repo")
    (repo / "Makefile").write_text("check:\n\t@echo checked\ntest:\n\t@echo tested\n", "utf-8")
    subprocess.run(["git", "add", "Makefile"], cwd=repo, check=True, capture_output=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "make"],
        cwd=repo, check=True, capture_output=True,
    )  # fmt: skip
    (repo / ".git" / "hooks").mkdir(exist_ok=True)
    outside = base / "a" / "b" / "outside"
    outside.mkdir()
    (outside / "m").write_text("marker\n", encoding="utf-8")
    return base


def test_allowed_commands_stay_inside_the_level(template: Path, tmp_path: Path) -> None:
    policy = compiled(PERMISSIVE)
    stats: Counter[str] = Counter()
    work = tmp_path / "run"
    shutil.copytree(template, work, symlinks=True)
    dirty = [False]  # a denied command ran nothing: the copy is reused

    @settings(GUARD_PROFILE, max_examples=min(200, GUARD_PROFILE.max_examples))
    @given(script=scripts())
    @example(script="grep -r charter-test src docs")
    @example(script="cd src && sed -n 1p app.py")
    @example(script="tar -xf ok.tar && cat src/new.py")
    @example(script="git add src && git commit -q -m msg")
    def check(script: str) -> None:
        if dirty[0]:
            shutil.rmtree(work)
            shutil.copytree(template, work, symlinks=True)
            dirty[0] = False
        repo = work / "a" / "b" / "repo"
        command = script.replace("{abs}", str(work / "a" / "b"))
        context = make_context(policy, repo, level="L1", env={})
        decision = classify(command, context)
        stats["total"] += 1
        if not decision.allowed:
            return
        stats["allowed"] += 1
        dirty[0] = True
        outside_before = _tree(work, skip=repo)
        protected_before = _protected(repo)
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(work / "home"),
            "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
        }
        result = subprocess.run(
            exec_args(decision), cwd=repo, env=env, stdin=subprocess.DEVNULL,
            capture_output=True, timeout=30, check=False,
        )  # fmt: skip
        output = result.stdout + result.stderr
        assert SECRET.encode() not in output, f"{command!r} printed the secret"
        assert _tree(work, skip=repo) == outside_before, f"{command!r} wrote outside the repo"
        assert _protected(repo) == protected_before, f"{command!r} changed a protected file"
        assert _secret_spread(repo) == [], f"{command!r} copied the secret"
        stats["ran"] += 1

    check()
    print(f"guard effects property: {dict(stats)}")
    assert stats["allowed"] >= stats["total"] // 10, stats
