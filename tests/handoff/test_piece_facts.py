"""After a task edit in one big plan, the handoff takes that plan's facts from its cached
facts with the edited task's worked out again (charter.handoff.piece_facts): the facts a
full reading of the plan gives, and the handoff a render without any cache writes."""

from __future__ import annotations

import random
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from charter import model_memo, piece_memo
from charter.config import Config, load_config
from charter.errors import CharterError
from charter.handoff import incremental
from charter.handoff.facts import plan_facts
from charter.handoff.incremental import gather
from charter.handoff.regenerate import write_handoff
from charter.parse.plans import parse_plan
from charter.repo import read_snapshot
from charter.tasks import edit

TASKS = 80
STATUSES = ("Backlog", "Todo", "In Progress", "Review", "Blocked", "Done")
PLAN = "docs/plans/big.md"


def _plan(rng: random.Random) -> str:
    lines = ["---", "id: H", "title: One big plan", "---", "# One big plan", ""]
    for n in range(1, TASKS + 1):
        status = rng.choice(STATUSES)
        lines += [f"- [{'x' if status == 'Done' else ' '}] **H-{n}** Task {n}"]
        lines.append(f"  - Status: {status}")
        if status == "Done":
            lines.append("  - Evidence: `proof.txt`")
        if rng.random() < 0.3:
            lines.append(f"  - Priority: P{rng.randrange(4)}")
        if n > 1 and rng.random() < 0.4:
            lines.append(f"  - Depends: H-{rng.randrange(1, n)}")
        if rng.random() < 0.15:
            lines += [f"  - [ ] **H-{n}s** Step of {n}", "    - Status: Todo"]
    return "\n".join(lines) + "\n"


def _repo(tmp_path: Path, seed: int) -> Config:
    root = tmp_path / "repo"
    (root / "docs" / "plans").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "charter.toml").write_text("", encoding="utf-8")
    (root / "proof.txt").write_text("ok\n", encoding="utf-8")
    (root / PLAN).write_text(_plan(random.Random(seed)), encoding="utf-8")
    return load_config(root)


def _fresh_handoff(config: Config, tmp_path: Path) -> bytes:
    """What `charter handoff --force` writes with no cache and no model kept."""
    copy = tmp_path / "scratch"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(config.root, copy, ignore=shutil.ignore_patterns(".charter"))
    fresh = load_config(copy)
    write_handoff(fresh, force=True)
    return fresh.path(fresh.handoff).read_bytes()


EDITS: list[Callable[[Config, str], object]] = [
    lambda c, t: edit.set_status(c, t, "In Progress"),
    lambda c, t: edit.mark_done(c, t, "proof.txt"),
    lambda c, t: edit.block(c, t, "waiting on review"),
    lambda c, t: edit.set_field(c, t, "priority", "P0"),
]


@pytest.mark.parametrize("seed", range(5))
def test_facts_after_an_edit_are_the_full_reading_s(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    config = _repo(tmp_path, seed)
    write_handoff(config, force=True)
    spliced = 0
    original = incremental.spliced_facts

    def counting(*args: object) -> object:
        nonlocal spliced
        found = original(*args)  # type: ignore[arg-type]
        spliced += found is not None
        return found

    monkeypatch.setattr(incremental, "spliced_facts", counting)
    for _ in range(6):
        before = config.path(PLAN).read_bytes()
        try:
            rng.choice(EDITS)(config, f"H-{rng.randrange(1, TASKS + 1)}")
        except CharterError:
            continue
        if config.path(PLAN).read_bytes() == before:
            continue  # the task read so already
        gathered = gather(read_snapshot(config))
        assert gathered.work.read == [PLAN]  # the edited plan's facts, worked out again
        found = next(f for f in gathered.found if f.read.rel == PLAN)
        assert found.facts is not None
        data = config.path(PLAN).read_bytes()
        assert found.facts == plan_facts(parse_plan(PLAN, data, config), config)
        write_handoff(config)
        assert config.path(config.handoff).read_bytes() == _fresh_handoff(config, tmp_path)
    assert spliced >= 3  # the facts came from the piece, not from every task again


def test_without_the_edit_s_record_the_facts_are_worked_out_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _repo(tmp_path, 7)
    write_handoff(config, force=True)
    edit.block(config, "H-3", "waiting")
    piece_memo.forget()  # another process: nothing says which task the edit changed
    calls: list[object] = []
    monkeypatch.setattr(incremental, "spliced_facts", lambda *a: calls.append(a))
    write_handoff(config)
    assert not calls
    assert config.path(config.handoff).read_bytes() == _fresh_handoff(config, tmp_path)


def test_the_last_load_lets_the_kept_models_go(tmp_path: Path) -> None:
    """`session start` regenerates the handoff last: the models kept for later loads of the
    command are let go once its facts are gathered (the start's peak memory)."""
    config = _repo(tmp_path, 3)
    write_handoff(config, force=True)
    edit.block(config, "H-5", "waiting")
    assert model_memo.holding()
    write_handoff(config, last_load=True)
    assert not model_memo.holding()
    assert not piece_memo.holding()
    assert config.path(config.handoff).read_bytes() == _fresh_handoff(config, tmp_path)
