"""The session log file: YAML values that read back as written, closing the frontmatter
without touching anything else, and what makes a log incomplete."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.config import Config
from charter.errors import CharterError
from charter.parse.frontmatter import load_yaml
from charter.parse.sessions import parse_session
from charter.sessions.logfile import close_frontmatter, log_gaps, yaml_scalar


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_yaml_scalars_read_back_as_the_same_string(value: str) -> None:
    assert load_yaml(f"key: {yaml_scalar(value)}") == {"key": value}


@settings(max_examples=500, deadline=None)
@given(
    st.text(
        alphabet=" -:#@!&*?|>'\"%`{}[],~.0123456789eExXoObB_yYnNtrufalsTRUFALS\n\t\x85\u2028\ufeff",
        max_size=12,
    )
)
def test_yaml_indicators_read_back(value: str) -> None:
    _assert_reads_back(value)


def _assert_reads_back(value: str) -> None:
    """The same string, or (a date written plain, as logs write `date:`) that date."""
    loaded = load_yaml(f"key: {yaml_scalar(value)}")["key"]
    assert loaded == value or (isinstance(loaded, date) and loaded.isoformat() == value)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("claude-code", "claude-code"),
        ("alice", "alice"),
        (None, "null"),
        ("yes", '"yes"'),
        ("1.5", '"1.5"'),
        ("a: b", '"a: b"'),
        ("#x", '"#x"'),
        ("", '""'),
    ],
)
def test_plain_values_stay_plain(value: str | None, written: str) -> None:
    assert yaml_scalar(value) == written


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "---\nid: s\nstatus: active\n---\nbody\n",
            "---\nid: s\nstatus: done\nended: x\n---\nbody\n",
        ),
        ("---\nstatus:   active # note\nended: old\n---\n", "---\nstatus: done\nended: x\n---\n"),
        (
            "---\r\nstatus: active\r\n---\r\nb\r\n",
            "---\r\nstatus: done\r\nended: x\r\n---\r\nb\r\n",
        ),
    ],
)
def test_closing_sets_only_those_keys(text: str, expected: str) -> None:
    assert close_frontmatter(text, "s.md", {"status": "done", "ended": "x"}) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# no frontmatter\n", "has no frontmatter"),
        ("---\nstatus: active\n", "never closed"),
    ],
)
def test_closing_a_log_without_frontmatter_is_an_error(text: str, message: str) -> None:
    with pytest.raises(CharterError, match=message):
        close_frontmatter(text, "s.md", {"status": "done"})


def test_gaps_name_their_line(tmp_path: Path) -> None:
    config = Config(root=tmp_path, session_sections=("Plan", "Outcome", "Next"))
    text = (
        "---\nstatus: active\n---\n# S\n\n## Plan\n\nThe plan.\n\n## Outcome\n\n"
        "<!-- only a comment -->\n\n## Notes\n\nSee (fill in: later) here.\n"
    )
    gaps = log_gaps(config, parse_session("s.md", text.encode()))
    assert [(g.line, g.message) for g in gaps] == [
        (10, "empty section: Outcome"),
        (16, "placeholder still in the log: (fill in: later)"),
        (16, "missing section: Next"),
    ]


@pytest.mark.parametrize("value", ["0._", "1_0", "1:20", "0b1_0", ".5_", "190:20:30.15", ".inf"])
def test_numbers_in_yaml_1_1_forms_are_quoted(value: str) -> None:
    assert yaml_scalar(value) != value
    assert load_yaml(f"key: {yaml_scalar(value)}") == {"key": value}


def test_a_date_stays_plain_and_reads_back_as_that_date() -> None:
    assert yaml_scalar("2026-01-02") == "2026-01-02"
    _assert_reads_back("2026-01-02")
