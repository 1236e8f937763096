"""charter.state.commandlog: the commands of a session, as JSON lines and as a table in its log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from charter.errors import CharterError
from charter.state.commandlog import commands_path, read_commands, record_command, render_table
from tests.guard.helpers import make_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository governed by the example policy (the guard tests' kind, not a session's)."""
    return make_repo(tmp_path / "repo")


SESSION = {"id": "s-1", "log": "docs/agents/sessions/s-1.md", "level": "L1"}


def _start(repo: Path, session: dict[str, str] | None = None, region: bool = True) -> Path:
    (repo / ".charter").mkdir(exist_ok=True)
    data = session or SESSION
    (repo / ".charter/active-session.json").write_text(json.dumps(data), encoding="utf-8")
    log = repo / data["log"]
    log.parent.mkdir(parents=True, exist_ok=True)
    body = "<!-- charter:begin commands -->\nold\n<!-- charter:end commands -->\n" if region else ""
    log.write_text("# Log\n\n" + body + "tail\n", encoding="utf-8")
    return log


def _record(number: int, **extra: object) -> dict[str, object]:
    return {
        "command": f"ls {number}",
        "exit_code": 0,
        "duration_s": 0.25,
        "decision": "allow",
        "rule": "L0 allow: ls",
        "started": "2026-11-21T10:00:00+00:00",
        **extra,
    }


def test_records_are_appended_and_read_back(repo: Path) -> None:
    _start(repo)
    record_command(repo, _record(1))
    record_command(repo, _record(2))
    assert [r["command"] for r in read_commands(repo, "s-1")] == ["ls 1", "ls 2"]
    assert commands_path(repo, "s-1") == repo / ".charter/sessions/s-1/commands.jsonl"


def test_the_region_becomes_a_table(repo: Path) -> None:
    log = _start(repo)
    record_command(repo, _record(1))
    assert log.read_text(encoding="utf-8") == (
        "# Log\n\n<!-- charter:begin commands -->\n"
        "| # | Started | Via | Command | Exit | Duration | Decision | Level | Rule |\n"
        "|---|---------|-----|---------|------|----------|----------|-------|------|\n"
        "| 1 | 2026-11-21T10:00:00+00:00 | run | `ls 1` | 0 | 0.25 s | allow |  | L0 allow: ls |\n"
        "<!-- charter:end commands -->\ntail\n"
    )


def test_a_log_without_the_region_is_left_alone(repo: Path) -> None:
    log = _start(repo, region=False)
    before = log.read_bytes()
    record_command(repo, _record(1))
    assert log.read_bytes() == before
    assert len(read_commands(repo, "s-1")) == 1


def test_no_session_records_nothing(repo: Path) -> None:
    record_command(repo, _record(1))
    assert not (repo / ".charter/sessions").exists()


def test_a_log_outside_the_repository_is_refused(repo: Path) -> None:
    _start(repo)
    (repo / ".charter/active-session.json").write_text(
        json.dumps({**SESSION, "log": "../elsewhere.md"}), encoding="utf-8"
    )
    with pytest.raises(CharterError, match="outside the repository"):
        record_command(repo, _record(1))


def test_a_damaged_line_is_reported_with_its_number(repo: Path) -> None:
    path = commands_path(repo, "s-1")
    path.parent.mkdir(parents=True)
    path.write_text('{"command": "ls"}\nnot json\n', encoding="utf-8")
    with pytest.raises(CharterError) as raised:
        read_commands(repo, "s-1")
    assert raised.value.line == 2


@pytest.mark.parametrize(
    ("command", "cell"),
    [
        ("a | b", "`a \\| b`"),
        ("echo `x`", "`` echo `x` ``"),
        ("printf 'a\nb'", "`printf 'a⏎b'`"),
    ],
)
def test_table_cells_are_escaped(command: str, cell: str) -> None:
    table = render_table([{"command": command, "exit_code": None, "decision": "deny"}])
    assert f"| {cell} |  |  | deny |" in table


def test_concurrent_writers_lose_nothing(repo: Path) -> None:
    log = _start(repo)
    script = (
        "import sys; from pathlib import Path; from charter.state.commandlog import record_command\n"
        "for i in range(10):\n"
        "    record_command(Path(sys.argv[1]), {'command': f'ls {sys.argv[2]}-{i}',"
        " 'exit_code': 0, 'decision': 'allow'})\n"
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", script, str(repo), str(n)]) for n in range(4)
    ]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0, 0]
    records = read_commands(repo, "s-1")
    assert len(records) == 40
    assert len({r["command"] for r in records}) == 40
    assert log.read_text(encoding="utf-8").count("| allow |") == 40
