"""`charter init` leaves a repository whose first hour has no traps: its own test command
allowed, secrets ignored, a git hook, an example that is easy to replace."""

from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from charter.board.regenerate import regenerate_board
from charter.config import load_config
from charter.errors import CharterError
from charter.firsthour.project import detect_test_commands
from charter.scaffold import init_repo
from charter.sessions.preconditions import Request
from charter.sessions.start import start_session
from tests.firsthour.helpers import CHARTER, charter, git, git_repo

PROJECTS: dict[str, dict[str, str]] = {
    "none": {"README.md": "# x\n"},
    "python": {"pyproject.toml": '[project]\nname = "x"\nversion = "1"\n'},
    "pytest-ini": {"pytest.ini": "[pytest]\n"},
    "setup-cfg": {"setup.cfg": "[metadata]\nname = x\n"},
    "javascript": {"package.json": json.dumps({"scripts": {"test": "jest"}})},
    "rust": {"Cargo.toml": '[package]\nname = "x"\n'},
    "go": {"go.mod": "module example.org/x\n"},
    "python+go": {"pyproject.toml": "[build-system]\n", "go.mod": "module x\n"},
}
EXPECTED = {
    "none": [],
    "python": ["python -m pytest"],
    "pytest-ini": ["python -m pytest"],
    "setup-cfg": ["python -m pytest"],
    "javascript": ["npm test"],
    "rust": ["cargo test"],
    "go": ["go test ./..."],
    "python+go": ["python -m pytest", "go test ./..."],
}


def _project(root: Path, kind: str) -> Path:
    for rel, text in PROJECTS[kind].items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")
    return root


@pytest.mark.parametrize("kind", sorted(PROJECTS))
def test_the_projects_test_command_is_detected(tmp_path: Path, kind: str) -> None:
    assert [t.command for t in detect_test_commands(_project(tmp_path, kind))] == EXPECTED[kind]


@pytest.mark.parametrize(
    ("files", "found"),
    [
        (
            {
                "package.json": '{"scripts": {"test": "echo \\"Error: no test specified\\" && exit 1"}}'
            },
            [],
        ),
        ({"package.json": "{not json"}, []),
        ({"pyproject.toml": "[tool.charter]\n"}, []),  # charter's own config is not a project
        ({"pyproject.toml": "not = [toml"}, []),
    ],
)
def test_what_is_not_a_test_command(
    tmp_path: Path, files: dict[str, str], found: list[str]
) -> None:
    for rel, text in files.items():
        (tmp_path / rel).write_text(text, "utf-8")
    assert [t.command for t in detect_test_commands(tmp_path)] == found


def _agent_commands(root: Path) -> list[str]:
    """Every command AGENTS.md tells the agent to run, with its placeholders filled in."""
    text = (root / "AGENTS.md").read_text("utf-8")
    commands = []
    for span in re.findall(r"`([^`]+)`", text):
        if not re.match(r"(make|charter|python|npm|cargo|go) ", span):
            continue
        if span.startswith("make session-start"):
            assert "do not start one yourself" in text  # a person's command, said so
            continue
        span = span.replace("CMD", "git status").replace("ID", "EX-1").replace("PATH", "README.md")
        commands.append(span.replace('"REASON"', '"waiting for access"'))
    return commands


def _makefile_targets(root: Path) -> list[str]:
    text = (root / "Makefile").read_text("utf-8")
    return [t for t in re.findall(r"^([a-z][a-z-]*):", text, re.M) if t not in ("help",)]


@pytest.mark.parametrize("kind", sorted(PROJECTS))
def test_what_the_scaffold_tells_the_agent_is_allowed_at_L1(tmp_path: Path, kind: str) -> None:
    root = _project(git_repo(tmp_path / "repo"), kind)
    init_repo(root, git_hooks=False)
    commands = _agent_commands(root)
    assert "make test" in commands and "make check" in commands
    assert "charter run -- git status" in commands
    assert [c for c in EXPECTED[kind] if c not in commands] == []
    commands += [f"charter run -- {c}" for c in EXPECTED[kind]]
    for target in _makefile_targets(root):
        if target != "session-start":  # a person starts sessions (AGENTS.md says so)
            assert target in ("check", "test", "board", "handoff", "session-end"), target
    commands += ["make check", "make test"]
    denied = {}
    for command in commands:
        run = charter(root, "guard", "--level", "L1", "--command", command)
        if run.returncode != 0:
            denied[command] = run.stderr.strip().splitlines()[0]
    assert denied == {}
    # and the Makefile's test target runs what was detected, or says what to do
    if shutil.which("make"):
        test = subprocess.run(["make", "-n", "test"], cwd=root, capture_output=True, text=True)
        if EXPECTED[kind]:
            assert test.stdout.split("\n")[: len(EXPECTED[kind])] == EXPECTED[kind]
        else:
            real = subprocess.run(["make", "test"], cwd=root, capture_output=True, text=True)
            assert real.returncode != 0 and "no test command yet" in real.stdout
    policy = (root / "docs/agents/AUTONOMY.md").read_text("utf-8")
    for test in detect_test_commands(root):
        for rule in test.allow:
            assert f"  - {rule}\n" in policy.split("test_commands:")[1]


def test_no_example_writes_no_example_and_says_what_to_do_next(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo")
    result = init_repo(root, example=False, git_hooks=False)
    assert not (root / "docs/plans/example.md").exists()
    assert "Plan EX" not in (root / "docs/telemetry/GATES.md").read_text("utf-8")
    assert "EX-1" not in result.next_step and "make session-start TASK=ID" in result.next_step
    assert "docs/telemetry/GATES.md" in result.next_step
    for args in (["check"], ["board", "--check"], ["handoff", "--check"]):
        assert charter(root, *args).returncode == 0, args
    out = charter(tmp_path, "init", str(tmp_path / "other"), "--no-example").stdout
    assert "next: " in out and "EX-1" not in out
    with_example = charter(tmp_path, "init", str(tmp_path / "third")).stdout
    assert "make session-start TASK=EX-1" in with_example


def test_a_preset_that_skips_the_example_does_not_point_at_it(tmp_path: Path) -> None:
    result = init_repo(tmp_path / "repo", preset="speckit", git_hooks=False)
    assert "EX-1" not in result.next_step


def test_replacing_the_example_plan_names_the_way_out(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo")
    init_repo(root, git_hooks=False)
    (root / "docs/plans/example.md").unlink()
    (root / "docs/plans/web.md").write_text(
        "---\nid: WEB\ntitle: Web\n---\n- [ ] **EX-9** Build it\n  - Status: Backlog\n"
    )
    config = load_config(root)
    with pytest.raises(CharterError) as refused:
        regenerate_board(config)
    message = str(refused.value)
    assert "\n" not in message
    assert "example plan docs/plans/example.md was removed" in message
    assert "EX-1, EX-2" in message and "`charter board --force`" in message
    assert regenerate_board(config, force=True).changed
    assert regenerate_board(config, check=True).up_to_date


def test_a_plan_without_gates_is_told_what_to_write_and_where(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo")
    init_repo(root, example=False, git_hooks=False)
    plan = "---\nid: WEB\ntitle: Web\n---\n- [ ] **WEB-1** Build it\n  - Status: Backlog\n"
    (root / "docs/plans").mkdir(parents=True)
    (root / "docs/plans/web.md").write_text(plan)
    config = load_config(root)
    regenerate_board(config)
    refused = start_session(config, Request("WEB-1"), {})
    assert refused.session is None
    (failure,) = [str(f) for f in refused.findings.failures]
    assert "docs/telemetry/GATES.md" in failure and "## Plan WEB" in failure
    # the message is the fix: paste its section into the file and the session starts
    section = failure[failure.index("## Plan WEB") :]
    gates = root / "docs/telemetry/GATES.md"
    pasted = "\n".join(line.strip() for line in section.splitlines())
    gates.write_text(gates.read_text("utf-8") + "\n" + pasted + "\n", "utf-8")
    started = start_session(config, Request("WEB-1"), {})
    assert started.session is not None, [str(f) for f in started.findings.failures]


def test_secrets_the_policy_forbids_are_not_staged_by_git_add_all(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo")
    (root / ".gitignore").write_text("dist/\n")
    init_repo(root, git_hooks=False)
    for rel in (".env", "deploy/key.pem", "secrets/prod/token", "dist/x"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("s3cret\n")
    git(root, "add", "-A")
    staged = git(root, "ls-files").stdout.split()
    assert [f for f in staged if "env" in f or "pem" in f or "secrets" in f or "dist" in f] == []
    assert (root / ".gitignore").read_text("utf-8").startswith("dist/\n")
    second = init_repo(root, git_hooks=False)
    assert not any(".gitignore" in a for a in second.actions)  # nothing appended twice


def _hook_mode(path: Path) -> bool:
    return bool(path.stat().st_mode & stat.S_IXUSR)


def test_charters_own_hook_runs_check_where_pre_commit_is_absent(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo")
    result = init_repo(root, pre_commit=None)
    hook = root / ".git/hooks/pre-commit"
    assert _hook_mode(hook) and '"$charter" check' in hook.read_text()
    assert str(CHARTER.parent) not in hook.read_text()  # no path of the machine that ran init
    assert any("installed .git/hooks/pre-commit" in a for a in result.actions)
    assert git(root, "add", "-A").returncode == 0
    assert git(root, "commit", "-qm", "init", check=False).returncode == 0
    # CH024 now runs before every commit: a forced-in secret stops it
    (root / ".env").write_text("TOKEN=1\n")
    git(root, "add", "-f", ".env")
    refused = git(root, "commit", "-qm", "oops", check=False)
    assert refused.returncode != 0 and "CH024" in refused.stdout + refused.stderr


def test_pre_commit_installs_the_hook_when_it_is_there(tmp_path: Path) -> None:
    pre_commit = CHARTER.with_name("pre-commit")
    if not pre_commit.exists():
        pytest.skip("pre-commit is not installed (pip install '.[test]')")
    root = git_repo(tmp_path / "repo")
    result = init_repo(root, pre_commit=str(pre_commit))
    assert "pre-commit" in (root / ".git/hooks/pre-commit").read_text()
    assert any("`pre-commit install`" in a for a in result.actions)


def test_an_existing_hook_is_never_overwritten(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo")
    hooks = root / ".git/hooks"
    hooks.mkdir(parents=True, exist_ok=True)
    for name in ("pre-commit", "post-merge"):
        (hooks / name).write_text("#!/bin/sh\necho mine\n")
    git(root, "config", "merge.charter-generated.driver", "my-driver")
    result = init_repo(root, pre_commit=None)
    for name in ("pre-commit", "post-merge"):
        assert (hooks / name).read_text() == "#!/bin/sh\necho mine\n"
        assert any(name in kept for kept in result.kept)
    assert git(root, "config", "merge.charter-generated.driver").stdout.strip() == "my-driver"


def test_outside_git_init_says_how_to_get_the_hooks(tmp_path: Path) -> None:
    result = init_repo(tmp_path / "plain")
    assert any("not a git repository" in n and "charter init` again" in n for n in result.notes)
    git_repo(tmp_path / "plain")
    again = init_repo(tmp_path / "plain", pre_commit=None)
    assert again.created == [] and any("pre-commit" in a for a in again.actions)


def test_a_kept_pre_commit_config_without_charter_is_pointed_out(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo")
    (root / ".pre-commit-config.yaml").write_text("repos: []\n")
    result = init_repo(root, pre_commit=None)
    assert any("runs none of charter's checks" in note for note in result.notes)
    assert (root / ".pre-commit-config.yaml").read_text() == "repos: []\n"
