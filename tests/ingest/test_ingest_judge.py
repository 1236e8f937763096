"""`charter session ingest` marks every transcript command the policy would have denied."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.ingest.codex import parse_codex
from charter.ingest.judge import judge, log_level
from tests.guard.helpers import make_repo
from tests.ingest.test_ingest_cli import LOG, SAMPLES, activate, invoke


@pytest.fixture
def governed(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    log = root / LOG
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("---\nid: s3\ntask: ST-B-001\nlevel: L1\n---\n# Session\n", "utf-8")
    return root


def test_commands_the_policy_denies_are_marked(governed: Path) -> None:
    activate(governed)  # at L1: pytest allowed, git push is L3 work
    code, _, err = invoke(governed, "codex", str(SAMPLES / "codex-exec.jsonl"))
    assert code == 0
    text = (governed / LOG).read_text("utf-8")
    assert "1 the policy would have denied." in text
    (push,) = [line for line in text.splitlines() if "git push origin HEAD" in line]
    assert "**DENIED** at L1:" in push
    assert "| allowed at L1 |" in text  # pytest
    assert "1 command(s) the policy would have denied, marked DENIED in the log: #" in err


def test_the_level_comes_from_the_log_when_no_session_is_active(governed: Path) -> None:
    transcript = parse_codex(SAMPLES / "codex-exec.jsonl")
    at_l1 = judge(transcript, governed, "L1")
    at_l3 = judge(transcript, governed, "L3")
    pushes = [n for n, c in enumerate(transcript.commands) if c.command.startswith("git push")]
    assert pushes and all(not at_l1[n].allowed for n in pushes)
    # at L3 it is a different rule that decides (the operator's network opt-in)
    assert all(at_l3[n].level == "L3" and at_l3[n].rule != at_l1[n].rule for n in pushes)
    code, _, _ = invoke(
        governed, "codex", str(SAMPLES / "codex-exec.jsonl"), "--log", str(governed / LOG)
    )
    assert code == 0 and "**DENIED** at L1" in (governed / LOG).read_text("utf-8")


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("---\nlevel: L2\n---\n", "L2"),
        ("---\nlevel: 'L3'\n---\n", "L3"),
        ("---\nid: x\n---\nlevel: L3\n", None),  # only the frontmatter counts
        ("no frontmatter\nlevel: L1\n", None),
    ],
)
def test_log_level(text: str, level: str | None) -> None:
    assert log_level(text) == level
