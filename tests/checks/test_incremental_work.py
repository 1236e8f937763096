"""What a check after one edit reads and writes (CH-F-9): as `charter check` runs it, the
findings of a check without caches, with the work of one file, not of every file."""

from __future__ import annotations

import random
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from charter import cache as cache_module
from charter import repo as repo_module
from charter.cache import CACHE_DIR
from charter.checks import cross_store
from charter.checks import replay as replay_module
from charter.checks.facts import FileFacts
from charter.checks.incremental import _light_row, _recalled
from charter.checks.world_replay import Partial
from charter.commands.check_plain import check_output
from charter.model import Diagnostic
from tests.checks.test_incremental import _demo, _edit, _plans_repo, _synthetic


@pytest.fixture(autouse=True)
def _not_racy(monkeypatch: pytest.MonkeyPatch) -> None:
    # Files written a moment ago are racy and never recorded; a test writes them just now.
    monkeypatch.setattr(replay_module, "RACY_NS", 0)


def _printed(root: Path, no_cache: bool = False) -> tuple[str | None, str | None, int]:
    """What `charter check` prints: the replay, the signatures it took, the record's world."""
    return check_output([], "json", no_cache, root, quiet=True)


@pytest.mark.parametrize("make", [_synthetic, _demo], ids=["synthetic", "demo"])
@pytest.mark.parametrize("seed", [4, 5])
def test_random_edits_as_charter_check_runs_them_print_what_no_cache_prints(
    tmp_path: Path, make: Callable[[Path], None], seed: int
) -> None:
    root = tmp_path / "repo"
    make(root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    rng = random.Random(seed)
    assert _printed(root) == _printed(root, no_cache=True)
    done = []
    for _ in range(10):
        done.append(_edit(root, rng))
        assert _printed(root) == _printed(root, no_cache=True), f"after {done}"


def _ids_file(root: Path) -> tuple[int, bytes]:
    path = root / CACHE_DIR / cross_store.IDS_FILE
    return path.stat().st_ino, path.read_bytes()


@pytest.mark.parametrize(
    ("edit", "rewritten"),
    [
        (lambda text: text.replace("Status: Todo", "Status: In Progress", 1), False),
        (lambda text: text.replace("Task 2 of plan 5", "Task two of plan five", 1), False),
        (lambda text: text + "- [ ] **P5-9** One more\n", True),  # an ID came
        (lambda text: text + "- [ ] **P9-2** Again\n", True),  # an ID now defined twice
    ],
    ids=["status", "title", "new-id", "duplicate-id"],
)
def test_the_ids_counts_are_written_only_when_a_count_changed(
    tmp_path: Path, edit: Callable[[str], str], rewritten: bool
) -> None:
    """At 50,000 tasks the counts of every ID are the largest part of the cross index: an
    edit that defines no ID anew and drops none leaves their file as it was."""
    root = tmp_path / "repo"
    _plans_repo(root)
    _printed(root)
    before = _ids_file(root)
    plan = root / "docs" / "plans" / "plan-005.md"
    plan.write_text(edit(plan.read_text()))
    assert _printed(root) == _printed(root, no_cache=True)
    assert (_ids_file(root) != before) is rewritten


def test_one_edit_reads_and_writes_one_shard_of_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    _plans_repo(root, plans=60)
    _printed(root)
    loaded: list[str] = []
    saved: list[str] = []
    real_load, real_save = cache_module.load_cache, cache_module.save_cache

    def load(path: Path) -> object:
        loaded.append(path.name)
        return real_load(path)

    def save(path: Path, payload: object) -> bool:
        saved.append(path.name)
        return real_save(path, payload)

    monkeypatch.setattr(cache_module, "load_cache", load)
    monkeypatch.setattr(cache_module, "save_cache", save)
    plan = root / "docs" / "plans" / "plan-017.md"
    plan.write_text(plan.read_text().replace("Status: Todo", "Status: In Progress", 1))
    _printed(root)
    facts_read = [name for name in loaded if name.startswith("check-facts-")]
    facts_written = [name for name in saved if name.startswith("check-facts-")]
    assert len(facts_read) == 1 and facts_written == facts_read
    # one shard of many: the facts of the plans that did not change are neither read nor written
    assert len(list((root / CACHE_DIR).glob("check-facts-*.cache"))) >= 16


def test_a_check_after_an_edit_takes_no_signature_replay_took(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """checks.replay looks at every file the last check read; the snapshot then reads only
    the changed ones by the signatures taken there, without a second look at the rest."""
    root = tmp_path / "repo"
    _plans_repo(root, plans=30)
    _printed(root)
    _printed(root)  # the first one made `.charter/` in the top folder, then racy: no record
    plan = root / "docs" / "plans" / "plan-011.md"
    plan.write_text(plan.read_text().replace("Status: Todo", "Status: In Progress", 1))
    looked: list[str] = []
    real_snapshot = repo_module.read_snapshot

    def snapshot(config: object, known: object = None, taken: object = None) -> object:
        real_stat = repo_module.os.stat

        def stat(path: str, *args: object, **kwargs: object) -> object:
            looked.append(str(path))
            return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(repo_module.os, "stat", stat)
        try:
            return real_snapshot(config, known, taken)  # type: ignore[arg-type]
        finally:
            monkeypatch.setattr(repo_module.os, "stat", real_stat)

    monkeypatch.setattr("charter.checks.engine.read_snapshot", snapshot)
    assert _printed(root) == _printed(root, no_cache=True)
    plans = {str(p) for p in (root / "docs" / "plans").glob("*.md")}
    assert len(plans) == 30 and not plans.intersection(looked)


@pytest.mark.parametrize(
    "sigs",
    [[], [1, 2, 3], [1, 2, 3, 4, 5, "6"], [1, 2, 3, 4, 5, 6, 7]],
    ids=["none", "short", "not-numbers", "long"],
)
def test_signatures_of_another_shape_vouch_for_no_file(sigs: list[object]) -> None:
    partial = Partial([], {"docs/plans/a.md": "d" * 32}, frozenset(), ([], [], ""), sigs)  # type: ignore[arg-type]
    assert partial.known() == {}


def test_signatures_vouch_for_the_files_they_were_taken_of() -> None:
    digests = {"a.md": "1" * 32, "b.md": None, "c.md": "3" * 32}
    sigs = [*range(6), *range(10, 16), -1, 0, 0, 0, 0, 0]
    partial = Partial([], digests, frozenset(), ([], [], ""), sigs)
    # b.md was not read (no hash), c.md had no signature (a mode below zero)
    assert partial.known() == {"a.md": ((0, 1, 2, 3, 4, 5), "1" * 32)}


def test_recalled_facts_are_the_facts_their_light_row_was_written_from() -> None:
    finding = Diagnostic("docs/plans/a.md", 3, 1, "CH001", "a finding", "warning")
    facts = FileFacts(
        "docs/plans/a.md",
        "plan",
        "f" * 32,
        (finding,),
        (),
        4,
        None,
        None,
        ("ST-1", 7),
        True,
        False,
        "s" * 24,
    )
    rows: Callable[[], list[object]] = list
    again = _recalled(_light_row(facts), rows)
    assert again == facts
    assert again.rows_loader is rows
    assert isinstance(again, FileFacts) and again.__dict__.keys() == facts.__dict__.keys()
