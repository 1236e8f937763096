"""Errors a person reads: invalid UTF-8 by line and column, OS errors by file and cause."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from charter.cli import main
from charter.errors import CharterError, os_error_message
from charter.io import read_text, write_text_atomic


def test_invalid_utf8_is_reported_by_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "p.md"
    path.write_bytes(b"fine\nab\xffc\n")
    with pytest.raises(CharterError) as caught:
        read_text(path)
    assert caught.value.line == 2
    assert "column 3" in caught.value.message
    assert "byte 0xff" in caught.value.message


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EROFS, "the file system is read-only"),
        (errno.EACCES, "permission denied"),
        (errno.EIO, "input/output error"),
    ],
)
def test_os_errors_name_the_file_and_the_cause(code: int, says: str) -> None:
    message = os_error_message(OSError(code, "raw", "docs/taskboard/TaskBoard.md"))
    assert message.startswith("docs/taskboard/TaskBoard.md: ")
    assert says in message


def test_an_atomic_write_that_fails_names_the_file_not_its_temp(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "board.md"
    target.mkdir()  # os.replace of a file onto a folder fails
    with pytest.raises(OSError) as caught:
        write_text_atomic(target, "x")
    assert caught.value.filename == str(target)
    assert [p.name for p in folder.iterdir()] == ["board.md"]  # no temp file left


def test_the_cli_turns_an_os_error_into_a_plain_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from charter.commands import board as board_command

    def disk_full(*args: object, **kwargs: object) -> object:
        raise OSError(errno.ENOSPC, "No space left on device", "docs/taskboard/TaskBoard.md")

    monkeypatch.setattr(board_command, "regenerate_board", disk_full)
    (tmp_path / "charter.toml").write_text("")
    monkeypatch.delenv("CHARTER_DEBUG", raising=False)
    assert main(["board", "--repo", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == "charter: error: docs/taskboard/TaskBoard.md: the disk is full\n"
