"""The plans' history read incrementally gives the statistics a full read gives."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from charter.config import Config, load_config
from charter.parse.plans import parse_plan
from charter.repo import load_repo, parse_file
from charter.sealed import seal, unseal
from charter.stats import facts as facts_module
from charter.stats import history as history_module
from charter.stats.compute import cached_stats, compute_stats
from charter.stats.facts import cached_facts
from charter.stats.history import read_history
from charter.status import column_of
from tests.json_paths import node_paths, replaced
from tests.stats.test_stats_history import commit

NOW = datetime(2025, 3, 31, 12, 0, tzinfo=UTC)
STATUSES = ("Backlog", "Todo", "In Progress", "Blocked", "Done")


def plan_text(plan: str, statuses: list[str]) -> str:
    body = ""
    for n, status in enumerate(statuses):
        box = "x" if status == "Done" else " "
        body += f"- [{box}] **{plan}-{n}** Task {n}\n  - Status: {status}\n"
        if status == "Done":
            body += "  - Evidence: proof.txt\n"
    return f"---\nid: {plan}\ntitle: {plan}\n---\n" + body


class Work:
    """A repository whose plans change at random, commit by commit (seeded)."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.rng = random.Random(seed)
        self.plans = {name: ["Backlog"] * 6 for name in ("AA", "BB", "CC")}
        self.day = 1
        (root / "proof.txt").write_text("ok\n")

    def commits(self, count: int) -> None:
        for _ in range(count):
            name = self.rng.choice(sorted(self.plans))
            tasks = self.plans[name]
            for n in self.rng.sample(range(len(tasks)), self.rng.randint(1, 3)):
                # each change is a real move
                tasks[n] = self.rng.choice([s for s in STATUSES if s != tasks[n]])
            if self.rng.random() < 0.2:
                tasks.append("Todo")
            self.day += 1
            when = f"2025-01-{self.day:02d}T{self.rng.randint(8, 18):02d}:00:00+01:00"
            commit(self.root, when, {f"docs/plans/{name.lower()}.md": plan_text(name, tasks)})


def stats_dict(root: Path) -> dict[str, Any]:
    return cached_stats(load_config(root), now=NOW).to_dict()


def full_read(root: Path) -> dict[str, Any]:
    """The statistics with no cache at all: every commit read again."""
    shutil.rmtree(root / ".charter" / "cache", ignore_errors=True)
    return stats_dict(root)


def columns_of(config: Config, name: str, data: bytes) -> dict[str, str]:
    """What `charter stats` reads of a plan version (the history cache records it)."""
    return {t.id: column_of(t, config) for t in parse_plan(name, data, config).walk() if t.id}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def work(make_repo) -> Work:  # type: ignore[no-untyped-def]
    return Work(make_repo({}), seed=23)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_new_commits_are_read_incrementally_with_the_same_result(make_repo, seed: int) -> None:  # type: ignore[no-untyped-def]
    work = Work(make_repo({}), seed)
    work.commits(8)
    stats_dict(work.root)  # the cache now runs to HEAD
    work.commits(5)
    parsed: list[str] = []
    config = load_config(work.root)
    facts = cached_facts(config)

    def parse(name: str, data: bytes) -> dict[str, str]:
        parsed.append(name)
        return columns_of(config, name, data)

    history = read_history(config, facts.known, parse)
    # Only the five new commits were read: the last one's plan is the one on disk,
    # known without parsing; every other new commit changed exactly one plan.
    assert not history.reread
    assert len(parsed) <= 4
    incremental = stats_dict(work.root)
    assert incremental == full_read(work.root)
    assert incremental["commits"] == 13


def test_the_two_paths_agree(work: Work) -> None:
    """`charter stats` (cached facts) and the board page (a loaded repository) agree."""
    work.commits(10)
    (work.root / "docs/plans/aa.md").write_text(plan_text("AA", ["Done"] * 3))  # uncommitted
    from_repo = compute_stats(load_repo(load_config(work.root), use_cache=False), now=NOW)
    assert from_repo.to_dict() == stats_dict(work.root)
    assert from_repo.commits == 10


@pytest.mark.parametrize(
    "rewrite",
    [
        ["reset", "-q", "--hard", "HEAD~3"],  # history moved back
        ["commit", "-q", "--amend", "-m", "amended"],  # the last commit replaced
    ],
)
def test_a_rewritten_history_is_read_again(work: Work, rewrite: list[str]) -> None:
    work.commits(9)
    stats_dict(work.root)
    git(work.root, *rewrite)
    work.commits(2)
    config = load_config(work.root)
    history = read_history(config, cached_facts(config).known, partial(columns_of, config))
    assert history.reread
    rebuilt = stats_dict(work.root)
    assert rebuilt == full_read(work.root)


def test_a_merge_of_the_old_head_as_second_parent_is_read_again(work: Work) -> None:
    """The cached commit is an ancestor of HEAD, but not on its first-parent line."""
    work.commits(4)
    git(work.root, "checkout", "-q", "-b", "side")
    work.commits(3)
    stats_dict(work.root)  # cached up to the side branch's tip
    git(work.root, "checkout", "-q", "-")
    work.commits(1)
    git(work.root, "merge", "-q", "--no-ff", "-X", "theirs", "-m", "merge side", "side")
    config = load_config(work.root)
    assert read_history(config, cached_facts(config).known, partial(columns_of, config)).reread
    assert stats_dict(work.root) == full_read(work.root)


def test_a_damaged_cache_is_read_again(work: Work) -> None:
    work.commits(5)
    expected = stats_dict(work.root)
    cache = work.root / history_module.CACHE
    cache.write_bytes(cache.read_bytes()[:-20] + b"0" * 20)
    assert stats_dict(work.root) == expected


def test_no_commit_yet_means_no_history(make_repo) -> None:  # type: ignore[no-untyped-def]
    root = make_repo({"docs/plans/a.md": plan_text("AA", ["Todo", "Done"])})
    stats = cached_stats(load_config(root), now=NOW)
    assert (stats.history, stats.commits) == (False, 0)
    assert stats.evidence == {"done": 1, "with_evidence": 0, "share": 0.0}


def test_a_warm_run_parses_nothing_and_never_builds_the_model(
    work: Work, monkeypatch: pytest.MonkeyPatch
) -> None:
    work.commits(6)
    expected = stats_dict(work.root)
    parsed: list[str] = []

    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("charter stats built the full repository model")

    def counted(rel: str, data: bytes, config: Config, kind: str) -> object:
        parsed.append(rel)
        return parse_file(rel, data, config, kind)

    monkeypatch.setattr(facts_module, "parse_file", counted)
    monkeypatch.setattr("charter.repo.build_repo", no_model)
    monkeypatch.setattr(history_module, "_blobs", no_model)  # no commit to read either
    assert stats_dict(work.root) == expected
    assert parsed == []
    # One plan edited (not committed): that file alone is parsed again.
    (work.root / "docs/plans/bb.md").write_text(plan_text("BB", ["Done", "Todo"]))
    stats_dict(work.root)
    assert parsed == ["docs/plans/bb.md"]


_LEAVES: tuple[object, ...] = (None, True, 0, -1, 1.5, "", "x", [], {}, [[]], {"k": 1})


@pytest.mark.parametrize("cache", [history_module.CACHE, facts_module.CACHE])
def test_damaged_or_wrongly_shaped_caches_never_crash(work: Work, cache: str) -> None:
    """Flipped bytes are a miss; a valid seal over contents of the wrong shape is a miss
    too, or at worst a plausible answer, never a traceback."""
    work.commits(5)
    (work.root / "docs/plans/cc.md").write_text(plan_text("CC", ["Blocked", "Done"]))
    expected = stats_dict(work.root)
    path = work.root / cache
    original = path.read_bytes()
    rng = random.Random(7)
    flipped = bytearray(original)
    flipped[rng.randrange(len(flipped))] ^= 0x40
    path.write_bytes(bytes(flipped))
    assert stats_dict(work.root) == expected
    payload = unseal(path.name, original)
    nodes = node_paths(payload)
    for _ in range(60):
        target = rng.choice(nodes)
        mutated = replaced(json.loads(json.dumps(payload)), target, rng.choice(_LEAVES))
        path.write_bytes(seal(path.name, mutated))
        stats_dict(work.root)  # no exception
