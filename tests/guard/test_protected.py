"""Class 2 of the adversarial battery: files that steer an allowed program are protected.

Build files, test-runner configurations, git's directory and look-alikes, charter's
configuration and the agents' hook settings may not be written at any level, by
a file tool or a shell command, nor be the target of a link; git options that
move its directory are denied; charter's configured outputs stay inside the
repository and off protected files. Every case goes through the real hook entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.cli import main as charter_main
from charter.config import load_config
from charter.errors import CharterError
from tests.guard.filetool_helpers import assert_answer, fill, make_battery_repo, run_hook
from tests.guard.helpers import POLICY

PROT = "is protected"
ALLOW = "allow"

STEERING_FILES = [
    "Makefile", "makefile", "GNUmakefile", "sub/GNUmakefile", "docs/Makefile", "rules.mk",
    "build/common.mk", "MAKEFILE", "pyproject.toml", "sub/pyproject.toml", "PyProject.toml",
    "setup.py", "setup.cfg", "tox.ini", "noxfile.py", "Cargo.toml", "build.rs",
    ".cargo/config.toml", "go.mod", "go.work", "package.json", "web/package.json", ".npmrc",
    ".yarnrc.yml", "justfile", "CMakeLists.txt", "conftest.py", "tests/conftest.py",
    "tests/unit/deep/conftest.py", "pytest.ini", ".pytest.ini", "jest.config.js",
    "vitest.config.ts", "vite.config.mjs", ".mocharc.yml", ".babelrc", "mypy.ini",
    ".coveragerc", "sitecustomize.py", "src/usercustomize.py", "evil.pth",
    ".venv/bin/pytest", ".venv/lib/python3.11/site-packages/x.pth", "node_modules/.bin/jest",
    ".ignore", ".rgignore", "src/.rgignore", "templates/board.md.j2",
    # git and its look-alikes
    ".git/config", ".git/hooks/pre-commit", ".git/info/attributes", "sub/.git",
    "sub/.git/config", "HEAD", "sub/HEAD", "objects/info/alternates",
    "vendor/objects/info/alternates", "packed-refs", ".gitattributes", "src/.gitattributes",
    ".gitmodules", ".githooks/pre-commit", ".gitconfig", ".lfsconfig",
    # charter and the agents' settings
    "charter.toml", "docs/agents/AUTONOMY.md", ".charter/STOP", ".claude/settings.json",
    ".claude/commands/x.md", ".codex/config.toml", ".gemini/settings.json",
    ".cursor/rules/x.mdc", ".mcp.json", ".pre-commit-config.yaml", ".pre-commit-hooks.yaml",
    ".husky/pre-commit", "lefthook.yml", ".vscode/tasks.json",
    # what runs when a person opens or enters the project, and runner preloads
    ".devcontainer/devcontainer.json", ".devcontainer.json", "mise.toml", ".mise.toml",
    ".config/mise/config.toml", "bunfig.toml", ".pnpmfile.cjs", ".envrc",
    # other ecosystems' build files, linters that run their configuration, pdb's start-up
    "build.gradle", "sub/build.gradle.kts", "settings.gradle", "gradle.properties", "gradlew",
    "gradle/wrapper/gradle-wrapper.properties", "pom.xml", "module/pom.xml", ".mvn/jvm.config",
    "build.sbt", "Gemfile", "mix.exs", "composer.json", "deno.json", "Pipfile",
    "rust-toolchain.toml", "rust-toolchain", "eslint.config.js", ".eslintrc.cjs",
    "prettier.config.mjs", ".prettierrc", ".pdbrc",
    # installed tools that allowed commands run
    "node_modules/jest/bin/jest.js", "web/node_modules/vitest/vitest.mjs",
    ".tox/py311/bin/pytest", ".nox/tests/bin/python", "__pypackages__/3.11/lib/x.py",
    ".yarn/releases/yarn-4.1.0.cjs", ".pnp.cjs", "vendor/bin/phpunit", ".bundle/config",
]  # fmt: skip
ORDINARY_FILES = [
    "src/new.py", "src/Makefile.txt", "config/app.yaml", "hooks/useThing.ts",
    "src/templates/page.html", "AGENTS.md", "CLAUDE.md", "docs/guide.md", "tests/test_x.py",
    ".github/workflows/ci.yml", "src/package_json.py", "src/head.py", "src/gradle/notes.md",
    "docs/eslint.md", "Gemfile.lock", "src/node_modules_notes.md", ".yarn/cache/x.zip",
]  # fmt: skip


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    policy = POLICY.replace('"cp", "rm", "touch"]', '"cp", "rm", "touch", "ln", "mv"]')
    repo, home, outside = make_battery_repo(tmp_path, policy)
    monkeypatch.setenv("HOME", str(home))
    return {"R": str(repo), "H": str(home), "O": str(outside)}


def _hook(
    places: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tool: str,
    tool_input: dict[str, Any],
    level: str = "L1",
    agent: str = "claude-code",
) -> tuple[int, str, str]:
    request = {
        "session_id": "battery",
        "cwd": places["R"],
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": fill(tool_input, places),
    }
    return run_hook(monkeypatch, capsys, agent, request, "--level", level)


@pytest.mark.parametrize("path", STEERING_FILES)
def test_steering_files_are_not_written(
    places: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    path: str,
) -> None:
    answer = _hook(places, monkeypatch, capsys, "Write", {"file_path": "{R}/" + path}, "L3")
    assert_answer(*answer, "deny", PROT)


@pytest.mark.parametrize("path", ORDINARY_FILES)
def test_ordinary_files_are_written(
    places: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    path: str,
) -> None:
    answer = _hook(places, monkeypatch, capsys, "Write", {"file_path": "{R}/" + path})
    assert_answer(*answer, ALLOW, "")


SHELL: list[tuple[str, str, str, str]] = [  # command, level, expected, reason
    ("ln -s Makefile src/mk", "L1", "deny", PROT),
    ("ln -s src/app.py GNUmakefile", "L1", "deny", PROT),
    ("ln -s .git/hooks src/hooks", "L1", "deny", PROT),
    ("ln -s ../.git/hooks src/hooks", "L1", "deny", "outside the repository"),
    ("ln -s .claude/settings.json src/s.json", "L1", "deny", PROT),
    ("ln Makefile src/m2", "L1", "deny", PROT),
    ("ln .git/config src/c", "L1", "deny", PROT),
    ("ln -s /etc/passwd src/p", "L1", "deny", "outside the repository"),
    ("ln -s src/app.py src/alias.py", "L1", ALLOW, ""),
    ("cp src/app.py GNUmakefile", "L1", "deny", PROT),
    ("cp src/app.py tests/conftest.py", "L1", "deny", PROT),
    ("cp -r src sub/.git", "L1", "deny", PROT),
    ("mv src/app.py conftest.py", "L1", "deny", PROT),
    ("mv src templates", "L1", "deny", PROT),
    ("touch HEAD", "L1", "deny", PROT),
    ("touch sitecustomize.py", "L1", "deny", PROT),
    ("touch .rgignore", "L1", "deny", PROT),
    ("rm Makefile", "L1", "deny", PROT),
    ("cp src/hardlink.txt src/other.txt", "L1", "deny", "hard links"),
    ("cp src/app.py src/copy.py", "L1", ALLOW, ""),
    # git options that move its directory, configuration or programs
    ("git --bare show --ext-diff", "L0", "deny", "git --bare"),
    ("git --bare log", "L0", "deny", "git --bare"),
    ("git --git-dir=. log", "L0", "deny", "--git-dir"),
    ("git --work-tree=/ status", "L0", "deny", "--work-tree"),
    ("git -C sub status", "L0", "deny", "git -C"),
    ("git -c diff.external=x diff", "L0", "deny", "git -c"),
    ("git -c core.pager=x log", "L0", "deny", "git -c"),
    ("git --exec-path=. status", "L0", "deny", "--exec-path"),
    ("git --config-env=core.pager=X log", "L0", "deny", "--config-env"),
    ("git --list-cmds=others", "L0", "deny", "--list-cmds"),
    ("GIT_DIR=. git log", "L0", "deny", "assignment"),
    ("git config core.hooksPath .githooks", "L1", "deny", "git config"),
    ("git init --template=t", "L3", "deny", "--template"),
    ("git init --separate-git-dir=/tmp/g", "L3", "deny", "--separate-git-dir"),
    ("git clone --template=t u", "L3", "deny", "--template"),
    ("git clone -c core.fsmonitor=x u", "L3", "deny", "-c"),
    ("git add Makefile", "L1", "deny", PROT),
    ("git add HEAD", "L1", "deny", PROT),
    ("git commit -m fix HEAD", "L1", ALLOW, ""),  # HEAD: a revision, not the file
    ("git commit -m fix -- HEAD", "L1", "deny", PROT),
    ("git log", "L0", ALLOW, ""),
    ("git --no-pager log -1", "L0", ALLOW, ""),
    ("cat Makefile", "L0", ALLOW, ""),
    ("cat /etc/passwd", "L0", "deny", "outside the repository"),
    ("cat src/link-out", "L0", "deny", "outside the repository"),
    ("cat src/link-dir/../outside/secret.txt", "L0", "deny", "outside the repository"),
    ("touch src/link-dir/../x.py", "L1", "deny", "outside the repository"),
    ("touch src/link-hooks/../config", "L1", "deny", PROT),
    ("head -1 < {O}/secret.txt", "L0", "deny", "outside the repository"),
    ("rg /api/v1 src", "L0", ALLOW, ""),  # a pattern that names no existing file
    ("head -1 /etc/hostname", "L0", "deny", "outside the repository"),
    ("git diff --no-index /etc/hostname src/app.py", "L0", "deny", "outside the repository"),
]


@pytest.mark.parametrize(("command", "level", "expected", "reason"), SHELL)
def test_shell_commands_on_steering_files_and_git(
    places: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    level: str,
    expected: str,
    reason: str,
) -> None:
    answer = _hook(places, monkeypatch, capsys, "Bash", {"command": command}, level)
    assert_answer(*answer, expected, reason)


def test_a_policy_unprotects_steering_files_but_not_core_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = POLICY.replace(
        "forbidden_paths:",
        'unprotected_paths: ["pyproject.toml", "package.json"]\nforbidden_paths:',
    )
    repo, home, outside = make_battery_repo(tmp_path, policy)
    places = {"R": str(repo), "H": str(home), "O": str(outside)}
    for path, expected in [
        ("pyproject.toml", ALLOW),
        ("web/package.json", ALLOW),
        ("Makefile", "deny"),
        (".git/config", "deny"),
    ]:
        answer = _hook(places, monkeypatch, capsys, "Edit", {"file_path": "{R}/" + path})
        assert_answer(*answer, expected, PROT)
    (repo / "pyproject.toml").write_text("[project]\n", encoding="utf-8")  # git adds a file
    answer = _hook(places, monkeypatch, capsys, "Bash", {"command": "git add pyproject.toml"})
    assert_answer(*answer, ALLOW, "")


def _board_config(tmp_path: Path, board: str) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "pyproject.toml").write_text(f'[tool.charter]\nboard = "{board}"\n', encoding="utf-8")
    return repo


@pytest.mark.parametrize(
    ("board", "reason"),
    [
        ("../TaskBoard.md", "inside the repository"),
        ("/tmp/TaskBoard.md", "inside the repository"),
        (".claude/settings.json", "protected"),
        ("docs/agents/AUTONOMY.md", "protected"),
        ("Makefile", "protected"),
        (".git/hooks/pre-commit", "protected"),
        ("docs/../.codex/hooks.json", "inside the repository"),
    ],
)
def test_charter_outputs_stay_in_the_repository(tmp_path: Path, board: str, reason: str) -> None:
    repo = _board_config(tmp_path, board)
    with pytest.raises(CharterError, match=reason) as raised:
        load_config(repo)
    assert "pyproject.toml" in str(raised.value) and "board" in str(raised.value)


def test_charter_outputs_through_a_symlink_are_refused(tmp_path: Path) -> None:
    repo = _board_config(tmp_path, "out/TaskBoard.md")
    (tmp_path / "elsewhere").mkdir()
    (repo / "out").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(CharterError, match="outside the repository"):
        load_config(repo)


def test_a_nested_config_cannot_point_charter_board_at_protected_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    sub = repo / "sub"
    (repo / ".claude").mkdir(parents=True)
    (repo / ".git").mkdir()
    settings = repo / ".claude/settings.json"
    settings.write_text("{}\n", encoding="utf-8")
    sub.mkdir()
    (sub / "pyproject.toml").write_text(
        '[tool.charter]\nboard = "../.claude/settings.json"\n', encoding="utf-8"
    )
    code = charter_main(["board", "--repo", str(sub), "--force"])
    err = capsys.readouterr().err
    assert code == 2
    assert "board" in err and "inside the repository" in err
    assert "Traceback" not in err
    assert settings.read_text(encoding="utf-8") == "{}\n"


NAMES = ["src", "Makefile", "makefile.txt", "x.mk", ".MK", "jest.config.js", "jest.config",
         ".mocharc", ".mocharc.yml", "HEAD", "head", ".git", ".GIT", "objects", "info", "templates",
         "conftest.py", ".claude", "settings.json", "a.pth", "pth", "docs", "agents",
         "AUTONOMY.md", ".venv", "bin", "node_modules", ".bin", "packed-refs", "vendor"]  # fmt: skip


@given(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5))
@settings(max_examples=500, deadline=None)
def test_the_fast_matcher_agrees_with_the_patterns_one_by_one(parts: list[str]) -> None:
    from charter.guard.paths import _first_match, _Matcher, glob_regex
    from charter.guard.protected import CORE, STEERING

    patterns = (*CORE, *STEERING, "docs/agents/AUTONOMY.md", "*secret*", "logs/raw/**")
    relative = "/".join(parts)
    each = [(p, *glob_regex(p)) for p in patterns]
    for path, rel in (("/repo/" + relative, relative), ("/outside/" + relative, None)):
        fast = _Matcher(patterns).first(path, rel)
        slow = _first_match(each, path, rel)
        assert (fast is None) == (slow is None), (relative, fast, slow)
