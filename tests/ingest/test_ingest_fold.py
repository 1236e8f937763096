"""Folding transcripts into a session log: golden logs, idempotence, and hand-written text untouched.

Regenerate the golden logs after an intended change, and review their diff:

    CHARTER_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/ingest
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.errors import CharterError
from charter.ingest.claude_code import parse_claude_code
from charter.ingest.codex import parse_codex
from charter.ingest.fold import REGIONS, fold_file, fold_text, session_usage
from charter.ingest.transcript import Command, FileChange, Transcript, Usage
from charter.stamps import locate_region

HERE = Path(__file__).parent
SAMPLES = HERE / "samples"
GOLDEN = HERE / "golden"
UPDATE = os.environ.get("CHARTER_UPDATE_GOLDEN") == "1"

LOG = """---
id: 2025-10-01_session-0003
date: 2025-10-01
agent: codex
task: ST-B-001
level: L2
approved_by: dana
status: active
---

# Session 2025-10-01_session-0003: ST-B-001 Fix parse_range

## Plan

Run the failing test, fix the bound, run the suite.

## Changes

- src/ranges.py: the end of a range is inclusive.

## Outcome

Done; evidence in the plan.
"""

WITH_REGIONS = (
    LOG
    + """
## Transcript

Commands, files and tokens from the agents' transcripts.

<!-- charter:begin transcript-commands -->
(filled in by `charter session ingest`)
<!-- charter:end transcript-commands -->

Files:

<!-- charter:begin transcript-files -->
<!-- charter:end transcript-files -->

<!-- charter:begin transcript-usage -->
<!-- charter:end transcript-usage -->

## Notes

Written by hand after the regions.
"""
)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(text.encode("utf-8"))
    if not path.exists():
        pytest.fail(f"no golden file {name}: run with CHARTER_UPDATE_GOLDEN=1 and review it")
    assert text == path.read_bytes().decode("utf-8"), f"{name} differs from its golden file"


def ingest(log: Path, sample: str) -> bool:
    reader = parse_codex if sample.startswith("codex") else parse_claude_code
    result = fold_file(log, reader(SAMPLES / sample), root=log.parent, source=SAMPLES / sample)
    return result.changed


def outside_regions(text: str) -> str:
    for name in REGIONS:
        region = locate_region(text, name)
        if region is not None:
            text = text[: region.begin_start] + f"[{name}]" + text[region.body_end :]
    return text


@pytest.mark.parametrize(
    ("log_text", "golden"),
    [
        (LOG, "appended.md"),
        (WITH_REGIONS, "in-place.md"),
    ],
    ids=["log without regions", "log with regions"],
)
def test_folding_the_samples_gives_the_golden_log(
    tmp_path: Path, log_text: str, golden: str
) -> None:
    log = tmp_path / "session.md"
    log.write_text(log_text, encoding="utf-8")
    for sample in ("codex-exec.jsonl", "claude-code-session.jsonl", "codex-messy.jsonl"):
        assert ingest(log, sample)
    text = log.read_text(encoding="utf-8")
    check_golden(golden, text)
    if log_text == LOG:
        assert text.startswith(LOG)  # appended after the last byte a person wrote
    else:
        assert outside_regions(text).replace("[transcript", "") == outside_regions(
            WITH_REGIONS
        ).replace("[transcript", "")


def test_ingesting_the_same_transcript_again_changes_nothing(tmp_path: Path) -> None:
    log = tmp_path / "session.md"
    log.write_text(WITH_REGIONS, encoding="utf-8")
    assert ingest(log, "codex-exec.jsonl")
    first = log.read_bytes()
    assert not ingest(log, "codex-exec.jsonl")
    assert log.read_bytes() == first


def test_a_second_transcript_adds_its_block_and_keeps_the_first(tmp_path: Path) -> None:
    log = tmp_path / "session.md"
    log.write_text(WITH_REGIONS, encoding="utf-8")
    ingest(log, "codex-exec.jsonl")
    ingest(log, "claude-code-session.jsonl")
    text = log.read_text(encoding="utf-8")
    sources = re.findall(r"<!-- source: (\S+) (\S+) -->", text)
    assert (
        sources
        == [
            ("codex", "0199a213-81c0-7800-8aa1-bbab2a035a53"),
            ("claude-code", "4f35e220-c435-4cf7-b9b9-f40426042847"),
        ]
        * 3
    )


def test_the_log_keeps_its_crlf_line_endings(tmp_path: Path) -> None:
    log = tmp_path / "session.md"
    log.write_bytes(WITH_REGIONS.replace("\n", "\r\n").encode())
    ingest(log, "codex-exec.jsonl")
    data = log.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert data.startswith(LOG.replace("\n", "\r\n").encode())


def test_a_region_edited_by_hand_is_not_overwritten_unless_forced(tmp_path: Path) -> None:
    log = tmp_path / "session.md"
    log.write_text(WITH_REGIONS, encoding="utf-8")
    ingest(log, "codex-exec.jsonl")
    edited = log.read_text(encoding="utf-8").replace("| 1 | failed |", "| 0 | completed |")
    log.write_text(edited, encoding="utf-8")
    with pytest.raises(CharterError, match="edited by hand") as raised:
        ingest(log, "claude-code-session.jsonl")
    assert raised.value.line is not None
    assert log.read_text(encoding="utf-8") == edited  # nothing written
    transcript = parse_claude_code(SAMPLES / "claude-code-session.jsonl")
    fold_file(
        log, transcript, root=tmp_path, source=SAMPLES / "claude-code-session.jsonl", force=True
    )
    assert "| 1 | failed |" not in log.read_text(encoding="utf-8").split("claude-code")[0]


def test_session_usage_reads_back_the_sum_of_every_transcript(tmp_path: Path) -> None:
    log = tmp_path / "session.md"
    log.write_text(LOG, encoding="utf-8")
    assert session_usage(LOG) is None
    for sample in ("codex-exec.jsonl", "claude-code-session.jsonl", "codex-messy.jsonl"):
        ingest(log, sample)
    codex = parse_codex(SAMPLES / "codex-exec.jsonl").usage
    claude = parse_claude_code(SAMPLES / "claude-code-session.jsonl").usage
    expected = Usage()
    expected.add(codex)
    expected.add(claude)
    assert session_usage(log.read_text(encoding="utf-8")) == expected


def test_paths_are_made_relative_to_the_repository(tmp_path: Path) -> None:
    transcript = Transcript(
        "claude-code",
        source_id="s1",
        cwd="/elsewhere/checkout",
        files=[
            FileChange(str(tmp_path / "src" / "a.py"), "update"),
            FileChange("/elsewhere/checkout/docs/b.md", "add"),
            FileChange("/etc/hosts", "update"),
        ],
    )
    text, _ = fold_text(LOG, "claude-code s1", _blocks(transcript, tmp_path))
    assert "- `src/a.py`: update" in text
    assert "- `docs/b.md`: add" in text
    assert "- `/etc/hosts`: update" in text  # outside the repository: shown as it is


def _blocks(transcript: Transcript, root: Path) -> dict[str, str]:
    from charter.ingest.fold import render_blocks

    return render_blocks(transcript, root, root / "t.jsonl")


# ---- properties --------------------------------------------------------------------

commands = st.lists(
    st.builds(
        Command,
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
        st.one_of(st.none(), st.integers(-1, 255)),
        st.sampled_from(["completed", "failed", "declined"]),
        st.integers(1, 999),
    ),
    max_size=6,
)
prose = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="<>\r"), max_size=200
)


@settings(max_examples=60, deadline=None)
@given(before=prose, after=prose, first=commands, second=commands)
def test_folding_never_touches_hand_written_text_and_is_idempotent(
    tmp_path_factory: pytest.TempPathFactory,
    before: str,
    after: str,
    first: list[Command],
    second: list[Command],
) -> None:
    root = tmp_path_factory.getbasetemp()
    text = (
        "# Log\n" + before + "\n<!-- charter:begin transcript-commands -->\n"
        "<!-- charter:end transcript-commands -->\n" + after
    )
    one = Transcript("codex", source_id="t-1", commands=first)
    two = Transcript("codex", source_id="t-2", commands=second)
    folded, _ = fold_text(text, "codex t-1", _blocks(one, root))
    folded, _ = fold_text(folded, "codex t-2", _blocks(two, root))
    again, appended = fold_text(folded, "codex t-1", _blocks(one, root))
    assert again == folded
    assert appended == ()
    assert folded.startswith("# Log\n" + before + "\n")
    region = locate_region(folded, "transcript-commands")
    assert region is not None
    tail = folded[region.body_end :]
    assert tail.startswith("<!-- charter:end transcript-commands -->\n" + after)
    body = folded[region.body_start : region.body_end]
    assert body.count("<!-- source: ") == 2
    # one table row per command, whatever the command holds
    rows = [line for line in body.split("\n") if re.match(r"^\| \d+ \| ", line)]
    assert len(rows) == len(first) + len(second)
