"""`charter run`: guard, execute exactly what was checked, record it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from charter.cli import main
from charter.guard.api import check_command
from charter.guard.execute import clean_env, exec_args
from charter.state.commandlog import read_commands

SESSION_ID = "2026-11-21_session-0001"
LOG = f"docs/agents/sessions/{SESSION_ID}.md"


@pytest.fixture
def session(repo: Path) -> Path:
    (repo / ".charter").mkdir(exist_ok=True)
    (repo / ".charter/active-session.json").write_text(
        json.dumps(
            {
                "id": SESSION_ID,
                "log": LOG,
                "task": "CH-X-1",
                "level": "L1",
                "approved_by": "",
                "agent": "claude-code",
                "started": "2026-11-21T10:00:00+00:00",
            }
        ),
        encoding="utf-8",
    )
    log = repo / LOG
    log.parent.mkdir(parents=True)
    log.write_text(
        "# Session\n\n## Commands\n\n<!-- charter:begin commands -->\n"
        "<!-- charter:end commands -->\n\n## Notes\n",
        encoding="utf-8",
    )
    return repo


def test_an_argv_runs_without_a_shell(
    session: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(session)
    assert main(["run", "--", "cat", "src/app.py"]) == 0
    assert capfd.readouterr().out == "print('hi')\n"
    (record,) = read_commands(session, SESSION_ID)
    assert record["command"] == "cat src/app.py"
    assert record["argv"] == ["cat", "src/app.py"]
    assert record["mode"] == "argv"
    assert record["exit_code"] == 0
    assert record["decision"] == "allow"
    assert record["rule"] == "L0 allow: cat"
    assert record["level"] == "L1"
    assert isinstance(record["duration_s"], float)
    assert record["started"].endswith("+00:00")


def test_a_string_runs_with_bash_c(
    session: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(session)
    assert main(["run", "--command", "cat src/app.py | wc -l"]) == 0
    assert capfd.readouterr().out.strip() == "1"
    (record,) = read_commands(session, SESSION_ID)
    assert record["string"] == "cat src/app.py | wc -l"
    assert record["mode"] == "string"


def test_the_exit_code_is_the_commands(
    session: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(session)
    assert main(["run", "--", "cat", "missing.txt"]) == 1
    assert main(["run", "--command", "ls missing-a missing-b"]) == 2
    assert [r["exit_code"] for r in read_commands(session, SESSION_ID)] == [1, 2]
    capfd.readouterr()


def test_a_denied_command_does_not_run_and_is_recorded(
    session: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(session)
    assert main(["run", "--command", "touch src/made && touch made-too > x"]) == 2
    assert not (session / "src/made").exists()
    assert "redirections that write" in capfd.readouterr().err
    (record,) = read_commands(session, SESSION_ID)
    assert (record["decision"], record["exit_code"]) == ("deny", None)


def test_the_session_log_table_is_updated(
    session: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(session)
    main(["run", "--", "ls", "src"])
    main(["run", "--command", "cat src/app.py | head -1"])
    text = (session / LOG).read_text(encoding="utf-8")
    assert "| 1 | " in text and "| `ls src` | 0 |" in text
    assert "| 2 | " in text and "| `cat src/app.py \\| head -1` | 0 |" in text
    assert text.endswith("<!-- charter:end commands -->\n\n## Notes\n")
    capfd.readouterr()


def test_without_a_session_nothing_is_recorded(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo)
    assert main(["run", "--", "ls"]) == 0
    assert "no active session" in capfd.readouterr().err
    assert not (repo / ".charter/sessions").exists()


def test_usage_errors(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    assert main(["run"]) == 2
    assert main(["run", "--command", "ls", "--", "ls"]) == 2


def test_a_missing_program_exits_127(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from tests.guard.helpers import POLICY, make_repo

    repo = make_repo(tmp_path / "r", POLICY.replace('"pytest", ', '"pytest", "no-such-tool", '))
    monkeypatch.chdir(repo)
    assert main(["run", "--", "no-such-tool"]) == 127
    assert "command not found" in capfd.readouterr().err


def test_exec_args_follow_the_mode(repo: Path) -> None:
    argv = check_command(["cat", "a b; c"], cwd=str(repo)).decision
    assert exec_args(argv) == ["cat", "a b; c"]
    string = check_command("cat 'a b'", cwd=str(repo)).decision
    assert exec_args(string)[1:] == ["-c", "cat 'a b'"]
    assert os.path.isabs(exec_args(string)[0])
    with pytest.raises(ValueError):
        exec_args(check_command("curl x", cwd=str(repo)).decision)


def test_clean_env_drops_what_would_run_hidden_code() -> None:
    env = {
        "PATH": "/bin",
        "BASH_ENV": "/tmp/x",
        "BASH_FUNC_git%%": "() { x; }",
        "SHELLOPTS": "xtrace",
        "CHARTER_ALLOW_NET": "1",
    }
    assert clean_env(env) == {"PATH": "/bin", "CHARTER_ALLOW_NET": "1"}


def test_bash_env_is_not_honoured(
    session: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    evil = session.parent / "evil.sh"
    evil.write_text("touch hijacked\n", encoding="utf-8")
    monkeypatch.chdir(session)
    monkeypatch.setenv("BASH_ENV", str(evil))
    assert main(["run", "--command", "ls"]) == 0
    assert not (session / "hijacked").exists()
    capfd.readouterr()
    assert sys.executable  # the interpreter running the tests is unaffected


def test_a_powershell_string_runs_with_pwsh_without_its_profile(
    session: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    # a stand-in pwsh that prints the argv it was given: the guard only reads the command
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pwsh"
    fake.write_text('#!/bin/sh\nprintf "%s|" "$@"\n', encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(session)
    assert main(["run", "--shell", "pwsh", "--command", "git status; git log -n 1"]) == 0
    assert capfd.readouterr().out == "-NoProfile|-NonInteractive|-Command|git status; git log -n 1|"
    (record,) = read_commands(session, SESSION_ID)
    assert record["mode"] == "pwsh"
    assert record["string"] == "git status; git log -n 1"
    assert main(["run", "--shell", "pwsh", "--command", "iex 'git status'"]) == 2
    assert "Invoke-Expression" in capfd.readouterr().err
