"""After an edit, the rules that read the world replayed for the plans that did not change
(checks.world_replay): the same findings as a check without caches, with the evidence
rules run over the changed plans' citations alone."""

from __future__ import annotations

import random
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from charter import repo as repo_module
from charter.checks import engine, evidence_rules, task_rules
from charter.checks import replay as replay_module
from charter.checks.engine import check_repo
from charter.checks.registry import RULES
from charter.checks.world_replay import CITING, UNCITING, partial
from charter.config import load_config
from charter.model import Diagnostic
from charter.world import World
from tests.checks.test_incremental import TODAY, _demo, _edit, _report, _synthetic


@pytest.fixture(autouse=True)
def _not_racy(monkeypatch: pytest.MonkeyPatch) -> None:
    # Files written a moment ago are racy and never recorded; a test writes them just now.
    monkeypatch.setattr(replay_module, "RACY_NS", 0)


def _check(root: Path) -> tuple[object, ...]:
    """As `charter check` runs it: with the last record's world when it still holds."""
    config = load_config(root)
    report = check_repo(config, True, (), TODAY, partial=partial(config, TODAY.isoformat()))
    return (
        report.plans,
        report.tasks,
        report.sessions,
        [(d, d.severity) for d in report.diagnostics],
    )


def _spy_replays(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each check replayed the world rules (True) or ran them all (False)."""
    seen: list[bool] = []
    real = engine._world_replayed

    def spy(*args: object) -> object:
        found = real(*args)  # type: ignore[arg-type]
        seen.append(found is not None)
        return found

    monkeypatch.setattr(engine, "_world_replayed", spy)
    return seen


def test_every_world_rule_is_replayed_whole_or_per_citation() -> None:
    world_rules = {rule.code for rule in RULES.values() if rule.world_check is not None}
    assert not CITING & UNCITING
    assert world_rules == CITING | UNCITING, "a new world rule: say how it may be replayed"


def _remove_evidence(root: Path, rng: random.Random) -> str:
    manifests = sorted(root.rglob("*.json"))
    manifests = [m for m in manifests if ".charter" not in m.parts and ".git" not in m.parts]
    if not manifests:
        return "no evidence to remove"
    gone = rng.choice(manifests)
    gone.unlink()
    return f"evidence removed {gone.name}"


@pytest.mark.parametrize("make", [_synthetic, _demo], ids=["synthetic", "demo"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_with_the_world_replayed_find_what_a_full_check_finds(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make: Callable[[Path], None],
    seed: int,
) -> None:
    root = tmp_path / "repo"
    make(root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    rng = random.Random(seed)
    assert _check(root) == _report(root, False)
    replays = _spy_replays(monkeypatch)
    done = []
    for _ in range(12):
        if rng.random() < 0.15:
            done.append(_remove_evidence(root, rng))
        else:
            done.append(_edit(root, rng))
        assert _check(root) == _report(root, False), f"after {done}"
    assert any(replays), "no check after an edit replayed the world rules"


def test_after_one_edit_the_evidence_rules_read_only_that_plans_citations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The work after one plan edit does not grow with the other plans: one file read and
    parsed, the evidence rules over its citations alone, the other world rules not run."""
    root = tmp_path / "repo"
    _synthetic(root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    _check(root)
    _check(root)  # the first one made `.charter/` in the top folder, then racy: no record
    plans = sorted((root / "docs" / "plans").rglob("*.md"))
    edited = next(p for p in plans if "Status: Done" in p.read_text())
    edited.write_text(edited.read_text().replace("Status: Done", "Status: Review", 1))
    rel = edited.relative_to(root).as_posix()
    parsed: list[str] = []
    real_parse = repo_module.parse_file

    def parse(rel: str, *args: object) -> object:
        parsed.append(rel)
        return real_parse(rel, *args)  # type: ignore[arg-type]

    read: list[str] = []

    def spy(module: object, name: str) -> None:
        real = getattr(module, name)

        def counted(world: World, *args: object) -> object:
            read.extend(c.path for c in world.citations)
            return real(world, *args)

        monkeypatch.setattr(module, name, counted)

    spy(task_rules, "evidence_path")
    spy(evidence_rules, "_scan")
    ran: list[str] = []
    for rule in list(RULES.values()):
        if rule.world_check is not None and rule.code in UNCITING:

            def unrun(world: World, code: str = rule.code) -> Iterator[Diagnostic]:
                ran.append(code)
                return iter(())

            monkeypatch.setitem(RULES, rule.code, replace(rule, world_check=unrun))
    monkeypatch.setattr(repo_module, "parse_file", parse)
    opened: list[str] = []
    real_read = repo_module.read_file

    def read_file(path: str) -> bytes:
        opened.append(Path(path).relative_to(root).as_posix())
        return real_read(path)

    monkeypatch.setattr(repo_module, "read_file", read_file)
    replays = _spy_replays(monkeypatch)
    _check(root)
    assert replays == [True]
    assert parsed == [rel]
    assert opened == [rel], "the other files' signatures were unchanged: not read"
    assert read and set(read) == {rel}
    assert ran == []
