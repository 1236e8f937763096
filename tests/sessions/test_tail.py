"""The tail of a failing command's output: kept by `charter run` in a session, linked in the log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charter.sessions.run import run_command
from charter.sessions.tail import Tail
from charter.state.commandlog import read_commands
from tests.guard.helpers import make_repo

SESSION = {"id": "s-1", "log": "docs/agents/sessions/s-1.md", "level": "L1"}


@pytest.mark.parametrize(
    ("chunks", "lines", "kept"),
    [
        ([b"a\nb\nc\n"], 2, "b\nc\n"),
        ([b"a\nb", b"\nc"], 2, "b\nc\n"),
        ([b""], 5, ""),
        ([b"x\n" * 100_000, b"last\n"], 3, "x\nx\nlast\n"),
        ([b"\xff\n"], 1, "\ufffd\n"),
    ],
)
def test_tail_keeps_the_last_lines(chunks: list[bytes], lines: int, kept: str) -> None:
    tail = Tail(lines)
    for chunk in chunks:
        tail.feed(chunk)
    assert tail.text() == kept
    assert len(tail.buffer) < 300_000 + 10  # bounded memory, not the whole stream


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_repo(tmp_path / "repo")
    (root / ".charter").mkdir(exist_ok=True)
    (root / ".charter/active-session.json").write_text(json.dumps(SESSION), encoding="utf-8")
    log = root / SESSION["log"]
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(
        "# Log\n\n<!-- charter:begin commands -->\n<!-- charter:end commands -->\n", "utf-8"
    )
    monkeypatch.chdir(root)
    return root


def test_a_failing_command_keeps_its_tail_and_the_log_links_it(
    repo: Path, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    notes: list[str] = []
    assert run_command(["cat", "no-such-file.txt"], manifest=False, note=notes.append) == 1
    (record,) = read_commands(repo, "s-1")
    kept = repo / record["output"]
    assert record["output"] == ".charter/sessions/s-1/output/0001.txt"
    assert "no-such-file.txt" in kept.read_text(encoding="utf-8")
    assert any("output is kept in .charter/sessions/s-1/output/0001.txt" in n for n in notes)
    # the output still reached the terminal as it came
    assert b"no-such-file.txt" in capfdbinary.readouterr().out
    table = (repo / SESSION["log"]).read_text(encoding="utf-8")
    assert "| 1 ([output](../../../.charter/sessions/s-1/output/0001.txt)) |" in table
    assert (repo / SESSION["log"]).parent.joinpath(
        "../../../.charter/sessions/s-1/output/0001.txt"
    ).resolve() == kept.resolve()


def test_a_passing_command_keeps_nothing(repo: Path) -> None:
    assert run_command(["ls"], manifest=False, note=lambda _: None) == 0
    (record,) = read_commands(repo, "s-1")
    assert "output" not in record
    assert not (repo / ".charter/sessions/s-1/output").exists()
