"""One reader of the active session: the guard's (`state.active`) and the rest of charter's
(`state.session.read_active`) see a damaged file the same way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charter.errors import CharterError
from charter.state.active import ACTIVE_SESSION, read_active_session
from charter.state.session import ActiveSession, read_active

SESSION = {
    "id": "2026-11-21_session-0001",
    "log": "docs/agents/sessions/2026-11-21_session-0001.md",
    "task": "EX-1",
    "level": "L2",
    "approved_by": "ops",
    "agent": "codex",
    "started": "2026-11-21T10:00:00Z",
    "started_epoch": 1795000000.5,
}


def _write(root: Path, content: str | dict[str, object]) -> None:
    path = root / ACTIVE_SESSION
    path.parent.mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_bytes(text.encode("utf-8", "surrogateescape"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("\udcff", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ({**SESSION, "level": ""}, "no 'level'"),
        ({k: v for k, v in SESSION.items() if k != "id"}, "no 'id'"),
        ({**SESSION, "id": "../../etc"}, "not a plain name"),
    ],
)
def test_both_readers_refuse_a_damaged_file_with_one_message(
    tmp_path: Path, content: str | dict[str, object], message: str
) -> None:
    _write(tmp_path, content)
    with pytest.raises(CharterError, match=message) as guard:
        read_active_session(str(tmp_path))
    with pytest.raises(CharterError, match=message) as session:
        read_active(tmp_path)
    assert str(guard.value) == str(session.value)
    assert guard.value.path == session.value.path == ACTIVE_SESSION


def test_the_session_reader_also_needs_the_log_task_and_start(tmp_path: Path) -> None:
    for key in ("log", "task", "started"):
        _write(tmp_path, {k: v for k, v in SESSION.items() if k != key})
        assert read_active_session(str(tmp_path)) is not None  # the guard needs id and level only
        with pytest.raises(CharterError, match=f"the active session has no {key!r}"):
            read_active(tmp_path)


def test_a_whole_record_reads_as_an_active_session(tmp_path: Path) -> None:
    assert read_active(tmp_path) is None
    _write(tmp_path, SESSION)
    assert read_active(tmp_path) == ActiveSession(**SESSION)  # type: ignore[arg-type]
