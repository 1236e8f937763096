"""Nothing under `.charter/cache/` runs as code, crashes charter, or changes its answers.

The work tree is not trusted: a pull request can commit files under
`.charter/`, and a shared checkout lets others write there. These tests plant
what older charters would have executed (pickles, Jinja2 bytecode buckets),
damage every cache file charter writes (bit flips, truncations, well-formed
JSON of the wrong shape under a valid checksum) and require that no code
runs, nothing crashes, and the answers equal those of a run with no cache.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pickle
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from charter.cache import CACHE_DIR, MODEL_SHARDS
from charter.sealed import seal, unseal
from tests.governed import init_charter_repo
from tests.json_paths import node_paths, replaced

EXTRA_PLAN = """---
id: trust
title: Trust plan
created: 2025-12-22
reviewed: 2025-12-22T10:30:00+02:00
limits: {1: one, null: none}
---
# Trust plan

- [x] **EX-9** Finished with evidence
  - Status: Done - 2025-12-22
  - Owner: team
  - Evidence: `docs/evidence/run.json`
  - [ ] **EX-10** An open subtask
- [ ] **EX-11** Waits on the first
  - Depends: EX-9, EX-404
  - Status: Needs triage

| ID | Title | Owner | Status | Notes |
|----|-------|-------|--------|-------|
| EX-12 | A table task | team | Blocked | waits |
"""
NOW = "2026-01-05T09:00:00Z"
# A command the scaffold's policy allows, one it denies at every level, one it cannot see into.
GUARD_COMMANDS = ("git status", "rm -rf /", "eval $(cat x)")


class Hostile:
    """Unpickling this creates `marker`: proof that code from the cache ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (str(self.marker), "w"))


@pytest.fixture(scope="module")
def governed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scaffolded repository with more shapes of data, every cache written once."""

    root = init_charter_repo(tmp_path_factory.mktemp("trust") / "repo", commit=False)
    (root / "docs/plans/trust.md").write_text(EXTRA_PLAN, encoding="utf-8")
    (root / "docs/evidence").mkdir(parents=True)
    (root / "docs/evidence/run.json").write_text("{}\n", encoding="utf-8")
    assert _charter(root, "board")[0] == 0
    _answers(root)  # writes every cache
    return root


@pytest.fixture
def repo(governed: Path, tmp_path: Path) -> Iterator[Path]:
    copy = tmp_path / "repo"
    shutil.copytree(governed, copy, symlinks=True)
    previous = Path.cwd()
    os.chdir(copy)
    try:
        yield copy
    finally:
        os.chdir(previous)


def _charter(root: Path, *args: str, process: bool = False) -> tuple[int, str]:
    """Run charter in `root`: (exit code, stdout + stderr). In this process by default
    (the damage loops run hundreds of commands); in its own with `process`."""
    if process:
        proc = subprocess.run(
            [sys.executable, "-m", "charter", *args],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "CHARTER_NOW": NOW},
            check=False,
        )
        code, output = proc.returncode, proc.stdout + proc.stderr
    else:
        from charter.cli import main
        from charter.repo import forget_loaded

        forget_loaded()  # as a new process starts: the caches on disk are what it meets
        out, err = io.StringIO(), io.StringIO()
        previous = os.getcwd(), os.environ.get("CHARTER_NOW")
        os.chdir(root)
        os.environ["CHARTER_NOW"] = NOW
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(list(args))
        finally:
            os.chdir(previous[0])
            if previous[1] is None:
                del os.environ["CHARTER_NOW"]
            else:
                os.environ["CHARTER_NOW"] = previous[1]
        output = out.getvalue() + err.getvalue()
    assert "Traceback" not in output and "internal error" not in output, output
    assert code in (0, 1, 2), output
    return code, output.replace(str(root), "ROOT")


def _answers(root: Path, process: bool = False) -> dict[str, Any]:
    """Everything charter answers about the repository, in the forms people and tools read."""
    board = root / "docs/taskboard/TaskBoard.md"
    answers: dict[str, Any] = {
        "check": _charter(root, "check", "--format", "json", process=process),
        "next": _charter(root, "task", "next", "--format", "json", process=process),
        "board --check": _charter(root, "board", "--check", process=process),
        "handoff --check": _charter(root, "handoff", "--check", process=process),
        "board": _charter(root, "board", process=process),
        "board bytes": board.read_bytes(),
    }
    for command in GUARD_COMMANDS:
        answers[f"guard {command}"] = _charter(
            root, "guard", "--format", "json", "--command", command, process=process
        )
    return answers


def _no_cache_answers(root: Path, process: bool = False) -> dict[str, Any]:
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    return _answers(root, process)


def _cache_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / CACHE_DIR).iterdir() if p.is_file())


def test_every_cache_is_a_sealed_data_file(governed: Path) -> None:
    names = {p.name for p in _cache_files(governed)}
    for expected in ("check.cache", "evidence.cache", "board.cache", "policy.cache"):
        assert expected in names
    assert any(name.startswith("models-") for name in names)
    for path in _cache_files(governed):
        assert unseal(path.name, path.read_bytes()) is not None, path.name
    assert not (governed / CACHE_DIR / "templates").exists()  # no compiled templates kept


def _jinja2_bucket(root: Path, name: str, marker: Path) -> Path:
    """The file an older charter's Jinja2 bytecode cache read for template `name`: its
    header pickles a checksum, so a hostile pickle there ran on `board --check`."""
    import jinja2
    from jinja2.bccache import bc_magic

    from charter.templating import PACKAGE_TEMPLATES

    key = jinja2.BytecodeCache().get_cache_key(name, str(PACKAGE_TEMPLATES / name))
    path = root / CACHE_DIR / "templates" / f"__jinja2_{key}.cache"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bc_magic + pickle.dumps(Hostile(marker), protocol=2))
    return path


def test_hostile_pickles_where_old_caches_lived_never_run(repo: Path, tmp_path: Path) -> None:
    expected = _no_cache_answers(repo, process=True)
    marker = tmp_path / "PWNED"
    folder = repo / CACHE_DIR
    hostile = pickle.dumps(Hostile(marker), protocol=5)
    planted = [f"models-{n:02d}.pickle" for n in range(MODEL_SHARDS)]
    planted += ["check.pickle", "evidence.pickle", "board.json", "policy.json", "guard-config.json"]
    for name in planted:
        (folder / name).write_bytes(hostile)
    # and under the names charter reads now, a pickle is no more than damage
    for path in _cache_files(repo):
        if not path.name.endswith(".pickle"):
            path.write_bytes(hostile)
    buckets = [
        _jinja2_bucket(repo, name, marker)
        for name in ("board.md.j2", "handoff.md.j2", "board.html.j2")
    ]
    assert _answers(repo, process=True) == expected
    assert not marker.exists()
    # the first write swept what older charters left
    for name in planted:
        assert not (folder / name).exists(), name
    assert not any(bucket.exists() for bucket in buckets)


def _damaged(data: bytes, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """Single-bit flips in the header, the body's start and anywhere, and truncations."""
    newline = data.index(b"\n")
    positions = [rng.randrange(newline), newline + 1, rng.randrange(len(data))]
    positions += [rng.randrange(newline, len(data)) for _ in range(2)]
    for position in positions:
        flipped = bytearray(data)
        flipped[position] ^= 1 << rng.randrange(8)
        yield f"bit flip at {position}", bytes(flipped)
    for length in (0, rng.randrange(newline), rng.randrange(newline, len(data))):
        yield f"truncated to {length}", data[:length]


def test_flips_and_truncations_of_every_cache_file_change_no_answer(repo: Path) -> None:
    expected = _no_cache_answers(repo)
    _answers(repo)  # every cache written again
    originals = {path: path.read_bytes() for path in _cache_files(repo)}
    assert len(originals) >= 6
    rng = random.Random(14)
    for path, data in originals.items():
        for how, damaged in _damaged(data, rng):
            for other, content in originals.items():
                other.write_bytes(content)
            path.write_bytes(damaged)
            if path.name.startswith(
                (
                    "models-",
                    "check-facts-",
                    "check-cross",
                    "check-files",
                    "board-state",
                    "committed-board",
                )
            ):
                # without the memos, check and board read every model from the shards, and
                # the check its files' facts (checks.incremental), the board its patch state
                # and the last commit's keys (board.patch, outputs.protect): the damage is met;
                # the memo's table of files is read, and written again, only when the memo misses
                for memo in ("check.cache", "board.cache"):
                    (repo / CACHE_DIR / memo).unlink()
            if path.name.startswith("check-cross-"):
                # a shard of the cross-file index is read only when a rule needs the
                # unchanged plans' shares (checks.cross_store); without the index's totals
                # it is built again from every plan's facts
                (repo / CACHE_DIR / "check-cross.cache").unlink()
            assert _answers(repo) == expected, f"{path.name}: {how}"
            # and the damaged file was rebuilt, not left to be distrusted on every run
            assert unseal(path.name, path.read_bytes()) is not None, f"{path.name}: {how}"


json_leaves: tuple[Any, ...] = (None, True, 0, -1, 2**70, 1.5, "", "x", [], {}, [[]], {"k": 1})


def test_well_formed_caches_of_the_wrong_shape_never_crash(repo: Path) -> None:
    """A valid checksum over wrong contents (a bug, or someone who can write the cache)
    may cost the cache or, where the wrong contents are themselves plausible, change an
    answer; it never crashes charter: `_charter` fails on a traceback, an internal error
    or an exit code charter does not document."""
    _answers(repo)
    originals = {path: path.read_bytes() for path in _cache_files(repo)}
    rng = random.Random(20)
    runs = 0
    for path, data in originals.items():
        payload = unseal(path.name, data)
        nodes = node_paths(payload)
        for _ in range(4):
            for other, content in originals.items():
                other.write_bytes(content)
            target = rng.choice(nodes)
            mutated = replaced(json.loads(json.dumps(payload)), target, rng.choice(json_leaves))
            path.write_bytes(seal(path.name, mutated))
            _answers(repo)
            runs += 1
    assert runs == 4 * len(originals)
