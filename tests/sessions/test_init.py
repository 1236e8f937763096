"""`charter init`: a governed repository that works at once, never overwriting a file."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from charter.commands.init import init as init_command
from charter.config import load_config
from charter.errors import CharterError
from charter.guard.policy import load_policy
from charter.repo import load_repo
from charter.scaffold import init_repo
from tests.sessions.helpers import NOW, write


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARTER_NOW", NOW)


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).as_posix().startswith(".charter/")
    }


def test_a_second_run_changes_nothing(tmp_path: Path) -> None:
    first = init_repo(tmp_path / "repo")
    assert "docs/plans/example.md" in first.created and not first.kept
    before = tree(tmp_path / "repo")
    second = init_repo(tmp_path / "repo")
    assert second.created == []
    assert sorted(second.kept) == sorted(set(first.created))
    assert tree(tmp_path / "repo") == before


def test_existing_files_are_kept_byte_for_byte(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    mine = {
        "Makefile": "all:\n\techo mine\n",
        "AGENTS.md": "# Our agents\n",
        ".claude/settings.json": '{"model": "x"}\n',
    }
    for rel, text in mine.items():
        write(root, rel, text)
    write(root, ".gitignore", "node_modules/\n*.pem")
    result = init_repo(root)
    for rel, text in mine.items():
        assert (root / rel).read_text("utf-8") == text
        assert rel in result.kept and rel not in result.created
    assert ".codex/hooks.json" in result.created
    # .gitignore is appended to, never rewritten: the person's lines stay first, as they were
    ignore = (root / ".gitignore").read_text("utf-8")
    assert ignore.startswith("node_modules/\n*.pem\n\n# files docs/agents/AUTONOMY.md forbids")
    assert ignore.count("*.pem") == 1 and ".env\n" in ignore and "secrets/**\n" in ignore


def test_the_scaffold_is_consistent_with_the_other_commands(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    init_repo(root, python=sys.executable)
    config = load_config(root)
    assert config.root == root.resolve()
    policy = load_policy(config.path(config.policy), config.policy)
    assert policy.default_level == "L1"
    repo = load_repo(config)
    assert [t.id for t in repo.tasks()] == ["EX-1", "EX-2"]
    from tests.conftest import check_findings

    assert [d for d in check_findings(repo.config) if d.severity == "error"] == []
    from charter.cli import main

    for args in (
        ["board", "--check"],
        ["handoff", "--check"],
        ["export", "claude-code", "--check", "--python", sys.executable],
        ["export", "codex", "--check", "--python", sys.executable],
        ["export", "autonomy", "--check"],
    ):
        assert main([*args, "--repo", str(root)]) == 0, args
    settings = json.loads((root / ".claude/settings.json").read_text("utf-8"))
    stop = settings["hooks"]["Stop"][0]["hooks"][0]["command"]
    assert "-m charter session check --hook claude-code" in stop
    assert "charter.guard --hook claude-code" in json.dumps(settings["hooks"]["PreToolUse"])


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_the_makefile_targets_call_charter(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    init_repo(root)
    dry = subprocess.run(
        ["make", "-n", "session-start", "TASK=EX-1", "LEVEL=L2", "APPROVED_BY=ana"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    # the values reach charter through the environment, so no ID style ends the line early
    # (tests/handoff/test_pasted_commands.py runs them)
    assert 'charter session start "$TASK" --level L2 --approved-by "$APPROVED_BY"' in dry.stdout
    for target, command in (
        ("check", "charter handoff --check"),
        ("board", "charter board"),
        ("handoff", "charter handoff"),
        ("session-end", "charter session end"),
    ):
        out = subprocess.run(
            ["make", "-n", target], cwd=root, capture_output=True, text=True, check=True
        ).stdout
        assert command in out, target
    usage = subprocess.run(["make", "session-start"], cwd=root, capture_output=True, text=True)
    assert usage.returncode != 0 and "usage: make session-start TASK=ID" in usage.stdout


def test_a_preset_configures_the_repo_and_skips_an_example_it_would_not_read(
    tmp_path: Path,
) -> None:
    root = tmp_path / "repo"
    result = init_repo(root, preset="speckit")
    assert 'preset = "speckit"' in (root / "charter.toml").read_text("utf-8")
    assert "docs/plans/example.md" not in result.created
    assert any("example plan was skipped" in note for note in result.notes)
    with pytest.raises(CharterError, match="unknown preset 'nope'"):
        init_repo(tmp_path / "other", preset="nope")


def test_a_pyproject_configuration_is_used_and_no_charter_toml_written(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root, "pyproject.toml", '[tool.charter]\nplans = ["plans/*.md"]\n')
    result = init_repo(root)
    assert not (root / "charter.toml").exists()
    assert "plans/example.md" in result.created


def test_init_inside_another_repository_governs_the_new_directory(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = init_repo(tmp_path / "sub" / "project")
    assert result.root == (tmp_path / "sub" / "project").resolve()
    assert (tmp_path / "sub/project/docs/plans/example.md").is_file()
    assert not (tmp_path / "docs").exists()


def test_the_command_reports_what_it_did(tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(init_command, [str(tmp_path / "repo")], standalone_mode=False)
    assert first.return_value == 0 and "created docs/agents/AUTONOMY.md" in first.output
    again = runner.invoke(init_command, [str(tmp_path / "repo")], standalone_mode=False)
    assert "created" not in again.output and "kept    Makefile (exists)" in again.output
    write(tmp_path, "file", "x")
    with pytest.raises(CharterError, match="not a directory"):
        init_repo(tmp_path / "file")


@pytest.mark.slow
def test_the_pre_commit_hooks_pass_on_a_fresh_scaffold(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("pre-commit")
    if not exe.exists():
        pytest.skip("pre-commit is not installed (pip install '.[test]')")
    root = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    init_repo(root)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    env = {
        **os.environ,
        "PATH": f"{exe.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
    }
    run = subprocess.run(
        [str(exe), "run", "--all-files"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for name in ("charter check", "charter board --check", "charter handoff --check"):
        assert re.search(rf"{re.escape(name)}\.+Passed", run.stdout), run.stdout
