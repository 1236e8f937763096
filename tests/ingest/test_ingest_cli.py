"""`charter session ingest`: wiring, the active session's log, and what it tells the user."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from charter.commands.session import session
from charter.state.session import ActiveSession, write_active

SAMPLES = Path(__file__).parent / "samples"
LOG = "docs/agents/sessions/2025-10-01_session-0003.md"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "charter.toml").write_text("")
    log = tmp_path / LOG
    log.parent.mkdir(parents=True)
    log.write_text("---\nid: s3\ntask: ST-B-001\n---\n# Session\n\n## Plan\n\nBy hand.\n")
    return tmp_path


def activate(root: Path) -> None:
    write_active(
        root,
        ActiveSession(
            id="s3",
            log=LOG,
            task="ST-B-001",
            level="L1",
            approved_by=None,
            agent="codex",
            started="2025-10-01T09:00:00Z",
        ),
    )


def invoke(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        session, ["ingest", *args, "--repo", str(root)], standalone_mode=False
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.return_value, result.stdout, result.stderr


def test_folds_into_the_active_sessions_log(repo: Path) -> None:
    activate(repo)
    code, out, err = invoke(repo, "codex", str(SAMPLES / "codex-exec.jsonl"))
    assert code == 0
    assert out == (
        f"folded codex 0199a213-81c0-7800-8aa1-bbab2a035a53 into {LOG}: 3 command(s) "
        "(1 failed), 3 file change(s), 26,430 tokens\n"
    )
    assert (
        "added the missing region(s) transcript-commands, transcript-files, transcript-usage" in err
    )
    text = (repo / LOG).read_text()
    assert text.startswith("---\nid: s3\ntask: ST-B-001\n---\n# Session\n\n## Plan\n\nBy hand.\n")
    assert "| 1 | `bash -lc 'pytest -q tests/test_ranges.py'` | 1 | failed |" in text
    code, out, _ = invoke(repo, "codex", str(SAMPLES / "codex-exec.jsonl"))
    assert (code, out.split(" ")[:3]) == (0, ["already", "up", "to"])


def test_malformed_lines_are_reported_with_file_and_line(repo: Path) -> None:
    activate(repo)
    sample = SAMPLES / "claude-code-messy.jsonl"
    code, _, err = invoke(repo, "claude-code", str(sample))
    assert code == 0
    assert f"{sample}:8: malformed line skipped: not JSON" in err
    assert f"{sample}:9: malformed line skipped: a JSON str, not an object" in err
    assert "skipped 1 event(s) of unknown types: attachment (1)" in err


def test_the_log_can_be_named_without_a_session(repo: Path) -> None:
    code, _, _ = invoke(
        repo, "claude-code", str(SAMPLES / "claude-code-session.jsonl"), "--log", str(repo / LOG)
    )
    assert code == 0
    assert "<!-- source: claude-code 4f35e220" in (repo / LOG).read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("codex", "codex-exec.jsonl"), "no active session"),
        (("claude-code", "codex-exec.jsonl", "--log", LOG), "no claude-code transcript events"),
        (("codex", "missing.jsonl", "--log", LOG), "no such file"),
    ],
)
def test_refusals_change_nothing(repo: Path, args: tuple[str, ...], message: str) -> None:
    from charter.errors import CharterError

    before = (repo / LOG).read_bytes()
    resolved = [
        str(SAMPLES / a) if a.endswith(".jsonl") else str(repo / a) if a == LOG else a for a in args
    ]
    with pytest.raises(CharterError, match=message):
        invoke(repo, *resolved)
    assert (repo / LOG).read_bytes() == before


def test_the_main_entry_point_turns_errors_into_exit_2(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from charter.cli import main

    code = main(
        ["session", "ingest", "codex", str(SAMPLES / "codex-exec.jsonl"), "--repo", str(repo)]
    )
    assert code == 2
    assert "no active session" in capsys.readouterr().err
