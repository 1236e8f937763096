"""The evidence facts cache: a warm check answers as a cold one, and sees every change."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from charter.checks import evidence_facts
from charter.config import load_config
from charter.evidence.digest import sha256_file
from charter.repo import load_repo
from tests.conftest import check_findings
from tests.evidence.evidence_helpers import sample_manifest

RUN = ".runs/ST-B-001/cli/run-1/manifest.json"
NOTES = "docs/notes.txt"
PLAN = "docs/plans/ranges.md"


@pytest.fixture(autouse=True)
def no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    # Files written by the test are seconds old at most: remember them anyway.
    monkeypatch.setattr(evidence_facts, "RACY_NS", -(10**12))


def plan_text(root: Path) -> str:
    digest = sha256_file(root / NOTES)
    return (
        "---\nid: PL-1\ntitle: Ranges\n---\n# Ranges\n\n"
        f"- [x] **ST-B-001** Fix parse_range\n  - Status: Done\n  - Evidence: `{RUN}`\n"
        f"  - Evidence: `{NOTES}` (sha256: {digest})\n"
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / RUN).parent.mkdir(parents=True)
    (root / RUN).write_text(json.dumps(sample_manifest(), indent=2))
    (root / NOTES).parent.mkdir(parents=True)
    (root / NOTES).write_text("all tests pass\n")
    (root / PLAN).parent.mkdir(parents=True)
    (root / PLAN).write_text(plan_text(root))
    (root / "charter.toml").write_text("")
    return root


def check(root: Path, cache: bool = True) -> list[str]:
    found = check_findings(load_config(root), use_cache=cache)
    return [f"{d.line}:{d.code} {d.message}" for d in found]


def warm_and_cold(root: Path) -> list[str]:
    """The warm answer, asserted equal to a cold one."""
    warm = check(root)
    assert warm == check(root, cache=False)
    return warm


def codes(found: list[str]) -> set[str]:
    return {line.split(" ")[0].split(":")[1] for line in found}


def test_a_warm_check_reads_no_evidence_file_and_answers_the_same(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = check(root)
    assert (root / ".charter/cache/evidence.cache").is_file()

    def refuse(*_args: object) -> object:
        raise AssertionError("an unchanged evidence file was read again")

    monkeypatch.setattr(evidence_facts, "read_cited", refuse)
    monkeypatch.setattr("charter.evidence.digest.sha256_file", refuse)
    assert check(root) == first


def test_no_cache_remembers_nothing(root: Path) -> None:
    check(root, cache=False)
    assert not (root / ".charter/cache/evidence.cache").exists()


def test_a_file_younger_than_the_racy_window_is_not_remembered(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evidence_facts, "RACY_NS", 3600 * 10**9)
    check(root)
    facts = evidence_facts.EvidenceFacts(load_repo(load_config(root)))
    assert facts.files == {}


@pytest.mark.parametrize("swapped", [".runs", ".runs/ST-B-001", ".runs/ST-B-001/cli/run-1", RUN])
def test_a_link_swapped_in_to_lead_outside_is_reported(root: Path, swapped: str) -> None:
    assert "CH005" not in codes(warm_and_cold(root))
    outside = root.parent / "outside"
    shutil.move(root / swapped, outside)
    (root / swapped).symlink_to(outside)
    found = warm_and_cold(root)
    assert f"9:CH005 evidence {RUN} is outside the repository" in found


def test_a_link_inside_the_repository_stays_fine(root: Path) -> None:
    warm_and_cold(root)
    shutil.move(root / ".runs", root / "kept-runs")
    (root / ".runs").symlink_to("kept-runs")
    assert "CH005" not in codes(warm_and_cold(root))
    assert "CH005" not in codes(warm_and_cold(root))


def test_a_vanished_file_is_missing_on_the_next_run(root: Path) -> None:
    warm_and_cold(root)
    (root / RUN).unlink()
    assert f"9:CH004 evidence {RUN} does not exist" in warm_and_cold(root)


def test_tampering_with_size_and_mtime_restored_is_still_caught(root: Path) -> None:
    assert "CH019" not in codes(warm_and_cold(root))
    notes = root / NOTES
    before = os.stat(notes)
    time.sleep(0.02)  # let the clock tick past the original write
    notes.write_text("all tests FAIL\n")  # the same size
    os.utime(notes, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(notes)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert after.st_ctime_ns != before.st_ctime_ns  # the change the cache must see
    found = warm_and_cold(root)
    assert any(line.startswith("10:CH019 evidence docs/notes.txt changed") for line in found)


def test_a_manifest_rewritten_in_place_is_read_again(root: Path) -> None:
    assert "CH021" not in codes(warm_and_cold(root))
    text = json.dumps(sample_manifest(status="failed", exit_code=3), indent=2)
    (root / RUN).write_text(text)
    assert "CH021" in codes(warm_and_cold(root))


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05N."])
def test_an_unreadable_cache_is_a_cold_start(root: Path, content: bytes) -> None:
    first = check(root)
    (root / ".charter/cache/evidence.cache").write_bytes(content)
    assert check(root) == first
