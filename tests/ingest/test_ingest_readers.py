"""Reading recorded agent streams: what each reader finds in the samples under tests/ingest/samples/.

The samples were written from the documented event shapes of `codex exec --json`
and of Claude Code transcripts; the *-messy ones add what real files hold on a
bad day: unknown event types, truncated and non-object lines, invalid UTF-8,
duplicated streaming lines, commands that never finished.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.errors import CharterError
from charter.ingest.claude_code import parse_claude_code
from charter.ingest.codex import parse_codex
from charter.ingest.transcript import Command, FileChange, Malformed, Usage

SAMPLES = Path(__file__).parent / "samples"


def test_codex_stream() -> None:
    t = parse_codex(SAMPLES / "codex-exec.jsonl")
    assert t.source_id == "0199a213-81c0-7800-8aa1-bbab2a035a53"
    assert t.events == 20
    assert t.commands == [
        Command("bash -lc 'pytest -q tests/test_ranges.py'", 1, "failed", 5),
        Command("bash -lc 'pytest -q'", 0, "completed", 9),
        Command("git push origin HEAD", None, "declined", 16),
    ]
    # the failed patch to src/legacy.py changed nothing and is not listed
    assert t.files == [
        FileChange("src/ranges.py", "update"),
        FileChange("tests/test_ranges.py", "update"),
        FileChange("docs/CHANGELOG.md", "add"),
    ]
    assert t.usage == Usage(turns=2, input=24763 + 1200, cached_input=24448 + 200, output=122 + 345)
    assert t.usage.total == 24763 + 1200 + 122 + 345
    assert (t.skipped, t.malformed, t.errors) == ({}, [], [])
    assert t.failed_commands == 1


def test_codex_stream_on_a_bad_day() -> None:
    t = parse_codex(SAMPLES / "codex-messy.jsonl")
    assert t.source_id == "th_messy_01"
    assert [(m.line, m.message.split(":")[0]) for m in t.malformed] == [
        (6, "not JSON"),
        (8, "a JSON list, not an object"),
        (17, "not UTF-8 (column 82)"),
    ]
    assert dict(t.skipped) == {
        "session.configured": 1,
        "token_count": 1,
        "item:image_view": 1,
        "(no type)": 1,
    }
    assert t.commands == [
        Command("make | tee build.log", 0, "completed", 5),
        Command("printf '%s\\n' `date`\necho done", 2, "failed", 11),
        Command("sleep 600", None, "incomplete", 15),  # started, never completed
    ]
    assert t.errors == ["stream disconnected before completion"] * 2
    assert not t.usage_known  # a failed turn reports no usage


def test_claude_code_transcript() -> None:
    t = parse_claude_code(SAMPLES / "claude-code-session.jsonl")
    assert t.source_id == "4f35e220-c435-4cf7-b9b9-f40426042847"
    assert t.cwd == "/home/dev/ranges"
    assert t.commands == [
        Command("pytest -q tests/test_ranges.py", 1, "failed", 5),
        Command("pytest -q", 0, "completed", 12),
    ]
    # Read is not a change; the Edit that failed (no such file) changed nothing
    assert t.files == [
        FileChange("/home/dev/ranges/src/ranges.py", "update"),
        FileChange("/home/dev/ranges/docs/NOTES.md", "add"),
    ]
    # msg_01 is written twice while streaming: counted once, with its final output count
    assert t.usage == Usage(
        turns=6,
        input=(4 + 1500 + 12000)
        + (6 + 300 + 13500)
        + (2 + 200 + 13800)
        + (3 + 150 + 14000)
        + (1 + 90 + 14150)
        + (1 + 60 + 14240),
        cached_input=12000 + 13500 + 13800 + 14000 + 14150 + 14240,
        cache_write=1500 + 300 + 200 + 150 + 90 + 60,
        output=48 + 120 + 310 + 40 + 75 + 30,
    )
    assert (dict(t.skipped), t.malformed) == ({}, [])


def test_claude_code_transcript_on_a_bad_day() -> None:
    t = parse_claude_code(SAMPLES / "claude-code-messy.jsonl")
    assert [m.line for m in t.malformed] == [8, 9]
    assert dict(t.skipped) == {"attachment": 1}
    assert t.commands == [
        Command("make slow-test", None, "interrupted", 5),  # its duplicated lines count once
        Command("grep -c TODO src/*.py | sort", 2, "failed", 11),
        Command("npm run build", None, "background", 13),
        Command("tail -f log.txt", None, "incomplete", 14),  # no result ever came
    ]
    assert t.usage == Usage(turns=4, input=25, output=39)


@pytest.mark.parametrize("reader", [parse_codex, parse_claude_code])
def test_a_missing_file_is_a_clear_error(tmp_path: Path, reader: object) -> None:
    with pytest.raises(CharterError, match="no such file"):
        reader(tmp_path / "nope.jsonl")  # type: ignore[operator]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"{", "not JSON"),
        (b"null", "a JSON NoneType, not an object"),
        (b'"text"', "a JSON str, not an object"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_malformed_lines_are_reported_with_their_line_number(
    tmp_path: Path, line: bytes, message: str
) -> None:
    path = tmp_path / "stream.jsonl"
    path.write_bytes(b'{"type":"turn.started"}\n\n' + line + b'\n{"type":"turn.started"}\n')
    t = parse_codex(path)
    assert len(t.malformed) == 1
    assert isinstance(t.malformed[0], Malformed)
    assert t.malformed[0].line == 3  # blank lines count, as an editor numbers them
    assert t.malformed[0].message.startswith(message)
    assert t.events == 2
