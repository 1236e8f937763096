"""The benchmark corpus generator: deterministic, and charter reads what it claims to write."""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from charter.config import load_config
from charter.repo import load_repo
from tests.conftest import check_findings

BENCH = Path(__file__).resolve().parents[1] / "tools" / "bench"
# Codes a well-formed corpus must never produce: its files are valid by construction.
MALFORMED = {"CH001", "CH015", "CH016", "CH017"}


def _load_corpus_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("charter_bench_corpus", BENCH / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus_module()

TINY = {
    "synthetic": {"plans": 6, "tasks": 150, "sessions": 8},
    "realistic": {"target_bytes": 40_000},
}


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _write(kind: str, dest: Path, seed: int) -> Any:
    if kind == "synthetic":
        return corpus.write_synthetic(dest, seed=seed, **TINY[kind])
    return corpus.write_realistic(dest, seed=seed, **TINY[kind])


@pytest.mark.parametrize("kind", sorted(TINY))
def test_same_seed_same_bytes_other_seed_other_bytes(kind: str, tmp_path: Path) -> None:
    _write(kind, tmp_path / "a", seed=7)
    _write(kind, tmp_path / "b", seed=7)
    _write(kind, tmp_path / "c", seed=8)
    first = _tree(tmp_path / "a")
    assert first == _tree(tmp_path / "b")
    assert first != _tree(tmp_path / "c")


@pytest.mark.parametrize("kind", sorted(TINY))
def test_charter_reads_the_counts_the_generator_reports(kind: str, tmp_path: Path) -> None:
    info = _write(kind, tmp_path, seed=3)
    repo = load_repo(load_config(tmp_path), use_cache=False)
    tasks = list(repo.tasks())
    counts = (len(repo.plans), len(tasks), len(repo.sessions))
    assert counts == (info.plans, info.tasks, info.sessions)
    assert {t.kind for t in tasks} == {"checklist", "table"}
    assert any(t.subtasks for t in tasks)
    found = check_findings(repo.config)
    assert not [d for d in found if d.code in MALFORMED]
    assert found, "a corpus holds a few findings, as real repositories do"


def test_synthetic_sizes_are_exact(tmp_path: Path) -> None:
    info = corpus.write_synthetic(tmp_path, plans=5, tasks=123, sessions=4, seed=1)
    repo = load_repo(load_config(tmp_path), use_cache=False)
    assert (info.plans, info.tasks, info.sessions) == (5, 123, 4)
    assert sum(1 for _ in repo.tasks()) == 123


def test_realistic_corpus_reads_like_real_plans(tmp_path: Path) -> None:
    corpus.write_realistic(tmp_path, target_bytes=40_000, seed=0)
    text = "\n".join(p.read_text("utf-8") for p in (tmp_path / "docs").rglob("*.md"))
    assert "```" in text and "| ID |" in text and "Evidence:" in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), "holds Chinese text"
    size = sum(p.stat().st_size for p in (tmp_path / "docs").rglob("*.md"))
    assert 40_000 <= size < 60_000


@pytest.mark.parametrize(("total", "parts"), [(10, 10), (50_000, 2_000), (123, 5), (7, 1)])
def test_split_adds_up_and_leaves_no_part_empty(total: int, parts: int) -> None:
    counts = corpus._split(total, parts, random.Random(0))
    assert len(counts) == parts and sum(counts) == total and min(counts) >= 1


def test_ensure_generates_once_and_again_when_stale(tmp_path: Path) -> None:
    root, info = corpus.ensure("synthetic", tmp_path, seed=0, plans=2, tasks=10, sessions=1)
    stamp = root / "corpus.json"
    before = stamp.stat().st_mtime_ns
    again, same = corpus.ensure("synthetic", tmp_path, seed=0, plans=2, tasks=10, sessions=1)
    assert (again, same) == (root, info) and stamp.stat().st_mtime_ns == before
    stored = json.loads(stamp.read_text("utf-8"))
    stamp.write_text(json.dumps({**stored, "fingerprint": "stale"}), "utf-8")
    corpus.ensure("synthetic", tmp_path, seed=0, plans=2, tasks=10, sessions=1)
    assert json.loads(stamp.read_text("utf-8"))["fingerprint"] != "stale"
