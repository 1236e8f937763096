"""`charter session export` / `import`: a session moves to another machine, kill switch included."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from charter.errors import CharterError
from charter.sessions.transfer import export_session, import_session
from charter.state.killswitch import engage, read_stop
from charter.state.session import read_active
from tests.guard.helpers import make_repo

SESSION = {
    "id": "s-1",
    "log": "docs/agents/sessions/s-1.md",
    "task": "T-1",
    "level": "L1",
    "approved_by": None,
    "agent": "codex",
    "started": "2026-01-01T00:00:00Z",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    state = root / ".charter"
    (state / "sessions/s-1/output").mkdir(parents=True)
    (state / "active-session.json").write_text(json.dumps(SESSION), encoding="utf-8")
    (state / "sessions/s-1/budget.json").write_text('{"commands": 7}\n', encoding="utf-8")
    (state / "sessions/s-1/guard.jsonl").write_text('{"command": "ls"}\n', encoding="utf-8")
    (state / "sessions/s-1/output/0001.txt").write_text("FAILED ünïcode\n", encoding="utf-8")
    return root


def test_a_session_moves_with_its_counters_trail_and_kill_switch(
    repo: Path, tmp_path: Path
) -> None:
    engage(str(repo), reason="halt", by="ana", at="2026-01-01T00:00:00Z")
    result, bundle = export_session(repo)
    assert set(result.files) == {
        ".charter/active-session.json",
        ".charter/sessions/s-1/budget.json",
        ".charter/sessions/s-1/guard.jsonl",
        ".charter/sessions/s-1/output/0001.txt",
        ".charter/STOP",
    }
    before = {rel: (repo / rel).read_bytes() for rel in result.files}
    shutil.rmtree(repo / ".charter")  # the machine is gone
    moved = import_session(repo, bundle, "bundle.json")
    assert set(moved.files) == set(result.files)
    assert {rel: (repo / rel).read_bytes() for rel in result.files} == before
    active = read_active(repo)
    assert active is not None and active.id == "s-1"
    stop = read_stop(str(repo))
    assert stop is not None and stop.reason == "halt"
    again = import_session(repo, bundle, "bundle.json")  # idempotent
    assert again.files == () and len(again.unchanged) == len(result.files)


def test_import_refuses_to_replace_anything(repo: Path) -> None:
    _, bundle = export_session(repo)
    (repo / ".charter/sessions/s-1/budget.json").write_text('{"commands": 9}\n', "utf-8")
    with pytest.raises(CharterError, match="already exists here with other content"):
        import_session(repo, bundle, "bundle.json")
    other = {**SESSION, "id": "s-2"}
    (repo / ".charter/active-session.json").write_text(json.dumps(other), encoding="utf-8")
    with pytest.raises(CharterError, match="session s-2 is active here"):
        import_session(repo, bundle, "bundle.json")


def _tampered(bundle: str, change: str) -> str:
    data = json.loads(bundle)
    files = data["files"]
    if change == "text":
        files[".charter/sessions/s-1/budget.json"]["text"] = '{"commands": 0}\n'
    elif change == "escape":
        files["../outside.txt"] = files.pop(".charter/sessions/s-1/budget.json")
    elif change == "other-session":
        files[".charter/sessions/s-9/x"] = files.pop(".charter/sessions/s-1/budget.json")
    elif change == "policy":
        files["docs/agents/AUTONOMY.md"] = files.pop(".charter/sessions/s-1/budget.json")
    elif change == "format":
        data["format"] = "something else"
    elif change == "no-active":
        del files[".charter/active-session.json"]
    return json.dumps(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("text", "checksum does not match"),
        ("escape", "may not write"),
        ("other-session", "may not write"),
        ("policy", "may not write"),
        ("format", "not a session export"),
        ("no-active", "has no .charter/active-session.json"),
    ],
)
def test_a_damaged_or_hostile_bundle_writes_nothing(repo: Path, change: str, message: str) -> None:
    _, bundle = export_session(repo)
    shutil.rmtree(repo / ".charter")
    with pytest.raises(CharterError, match=message) as raised:
        import_session(repo, _tampered(bundle, change), "bundle.json")
    assert "bundle.json" in str(raised.value)
    assert not (repo / ".charter/sessions").exists()
    assert not (repo.parent / "outside.txt").exists()


def test_not_json_is_an_error_naming_the_file(repo: Path) -> None:
    with pytest.raises(CharterError, match="not a session export") as raised:
        import_session(repo, "{oops", "b.json")
    assert "b.json" in str(raised.value)


def test_export_without_a_session_is_an_error(repo: Path) -> None:
    (repo / ".charter/active-session.json").unlink()
    with pytest.raises(CharterError, match="no active session"):
        export_session(repo)


def test_cli_export_then_import_says_what_it_wrote(repo: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from charter.commands.session import session

    bundle = tmp_path / "s-1.json"
    runner = CliRunner()
    out = runner.invoke(session, ["export", "-o", str(bundle), "--repo", str(repo)])
    assert out.exit_code == 0 and f"wrote {bundle}: session s-1, 4 file(s)" in out.output
    shutil.rmtree(repo / ".charter")
    back = runner.invoke(session, ["import", str(bundle), "--repo", str(repo)])
    assert back.exit_code == 0
    assert "imported session s-1" in back.output
    assert "  wrote .charter/sessions/s-1/budget.json" in back.output
