"""The incremental check (CH-F-9): after any sequence of edits, the same findings as a
check without caches, while re-reading only the files that changed."""

from __future__ import annotations

import importlib.util
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from charter.cache import CACHE_DIR, load_cache, save_cache
from charter.checks import cross_index, incremental
from charter.checks.engine import check_repo, enabled_rules, repo_findings
from charter.checks.facts import CROSS, FileFacts, one_file_repo
from charter.checks.memo import FILES_FILE, MEMO_FILE
from charter.config import load_config
from charter.detect import config_for_repo
from charter.repo import load_repo
from tests.conftest import CORPORA, REPO_ROOT

TODAY = date(2026, 11, 21)
BENCH = REPO_ROOT / "tools" / "bench"
_ID = re.compile(r"\b[A-Z]{2,}-[A-Z0-9]+-\d+\b|\b[A-Z]+-\d+\b")


def _synthetic(dest: Path) -> None:
    spec = importlib.util.spec_from_file_location("charter_bench_corpus_inc", BENCH / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    module.write_synthetic(dest, plans=12, tasks=150, sessions=10, seed=3)


def _demo(dest: Path) -> None:
    shutil.copytree(REPO_ROOT / "examples" / "demo", dest)


def _synthetic_loose(dest: Path) -> None:
    """The synthetic corpus read as documents that are not charter's own: each task's
    dependencies say which ID schemes count (CH006), not every ID the plans define."""
    _synthetic(dest)
    (dest / "charter.toml").write_text("require_frontmatter = false\n")


def _report(root: Path, use_cache: bool) -> tuple[object, ...]:
    report = check_repo(load_config(root), use_cache, (), TODAY)
    return (
        report.plans,
        report.tasks,
        report.sessions,
        [(d, d.severity) for d in report.diagnostics],
    )


def _plans(root: Path) -> list[Path]:
    return sorted((root / "docs").rglob("*.md"))


def _edit(root: Path, rng: random.Random) -> str:
    """One random edit of the kinds people make, to a random file; says what it did."""
    files = _plans(root)
    target = rng.choice(files)
    text = target.read_text("utf-8", "replace")
    lines = text.split("\n")
    ids = sorted({m.group(0) for f in files for m in _ID.finditer(f.read_text("utf-8", "replace"))})
    kind = rng.choice(
        [
            "status",
            "drop-line",
            "copy-id",
            "unknown-dep",
            "cycle",
            "new-plan",
            "remove",
            "touch",
            "bad-bytes",
            "tick",
            "session-task",
        ]
    )
    n = rng.randrange(len(lines))
    if kind == "status":
        lines[n] = re.sub(
            r"(?i)status:\s*\S+",
            rng.choice(["Status: Done", "Status: Wibble", "Status: Todo"]),
            lines[n],
        )
    elif kind == "drop-line":
        del lines[n]
    elif kind == "copy-id" and ids:
        lines.insert(n, f"- [ ] {rng.choice(ids)}: a copy of a task")
    elif kind == "unknown-dep":
        lines.insert(n, "- [ ] NEW-Z-9: depends on nothing known\n  - Depends: NOPE-Q-1")
    elif kind == "cycle" and len(ids) > 1:
        a, b = rng.sample(ids, 2)
        lines.append(f"\n- [ ] {a}: one\n  - Depends: {b}\n- [ ] {b}: two\n  - Depends: {a}\n")
    elif kind == "new-plan":
        extra = root / "docs" / "plans" / f"extra-{rng.randrange(1000)}.md"
        extra.parent.mkdir(parents=True, exist_ok=True)
        extra.write_text(f"# Extra\n\n- [x] {rng.choice(ids) if ids else 'EX-A-1'}: done\n")
        return f"{kind} {extra.name}"
    elif kind == "remove" and len(files) > 2:
        target.unlink()
        return f"{kind} {target.name}"
    elif kind == "bad-bytes":
        target.write_bytes(text.encode() + b"\xff\xfe broken\r\n")
        return f"{kind} {target.name}"
    elif kind == "tick":
        lines[n] = lines[n].replace("[ ]", "[x]", 1) if "[ ]" in lines[n] else lines[n]
    elif kind == "session-task" and ids:
        lines.insert(n, f"task: {rng.choice([*ids, 'GONE-X-1'])}")
    target.write_text("\n".join(lines), "utf-8", "surrogateescape")
    return f"{kind} {target.name}:{n + 1}"


@pytest.mark.parametrize(
    "make", [_synthetic, _demo, _synthetic_loose], ids=["synthetic", "demo", "loose"]
)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_find_what_a_check_without_caches_finds(
    tmp_path: Path, make: Callable[[Path], None], seed: int
) -> None:
    root = tmp_path / "repo"
    make(root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    rng = random.Random(seed)
    assert _report(root, True) == _report(root, False)
    done = []
    for _ in range(12):
        done.append(_edit(root, rng))
        assert _report(root, True) == _report(root, False), f"after {done}"
        if rng.random() < 0.3:  # sometimes the whole-check memo is gone too
            (root / CACHE_DIR / MEMO_FILE).unlink(missing_ok=True)


def test_one_edit_parses_one_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    _synthetic(root)
    before = _report(root, True)
    parsed: list[int] = []
    real = incremental.derived_of

    def counting(files, config, cache, derive):  # type: ignore[no-untyped-def]
        parsed.append(len(files))
        return real(files, config, cache, derive)

    monkeypatch.setattr(incremental, "derived_of", counting)
    plan = _plans(root)[3]
    plan.write_text(plan.read_text() + "\n")
    assert _report(root, True) == before  # a trailing line changes no finding
    assert parsed == [1]


def test_damaged_facts_are_read_afresh(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _synthetic(root)
    fresh = _report(root, False)
    assert _report(root, True) == fresh
    for cache in (root / CACHE_DIR).glob("check-*"):
        data = cache.read_bytes()
        cache.write_bytes(data[: len(data) // 2] + b"garbage")
    (root / CACHE_DIR / MEMO_FILE).unlink()
    assert _report(root, True) == fresh


def test_facts_of_the_wrong_shape_under_a_valid_seal_are_not_believed(tmp_path: Path) -> None:
    """A facts file sealed by this user but holding rows of another shape: the check
    reads the files again and finds what a check without caches finds."""
    root = tmp_path / "repo"
    _synthetic(root)
    assert _report(root, True) == _report(root, False)
    for path in (root / CACHE_DIR).glob("check-facts-*.cache"):
        stored = load_cache(path)
        for entry in stored["entries"].values():
            entry[6] = [["not", "a", "task", "row"]] if entry[6] else entry[6]
        assert save_cache(path, stored)
    (root / CACHE_DIR / MEMO_FILE).unlink()
    (root / CACHE_DIR / cross_index.CROSS_FILE).unlink()
    plan = _plans(root)[2]
    plan.write_text(plan.read_text() + "\n- [ ] NEW-Q-1: one more task\n  - Depends: NOPE-Z-9\n")
    assert _report(root, True) == _report(root, False)


@pytest.mark.parametrize("source", ["synthetic", "demo", "liorfranko__Spectra", "Kbediako__CO"])
def test_every_rule_outside_cross_reads_one_file_at_a_time(tmp_path: Path, source: str) -> None:
    """The rules the incremental check runs file by file (all plan rules but `CROSS`) find
    over each file alone exactly what they find over the whole repository."""
    root = tmp_path / "repo"
    if source == "synthetic":
        _synthetic(root)
    elif source == "demo":
        _demo(root)
    else:
        if not (CORPORA / source).is_dir():
            pytest.skip(f"corpus {source} is not present beside the repository (../shared/corpora)")
        shutil.copytree(CORPORA / source, root, symlinks=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    config, _ = config_for_repo(root)
    repo = load_repo(config, use_cache=False, today=TODAY)
    local = [r for r in enabled_rules(config) if r.world_check is None and r.code not in CROSS]
    whole = repo_findings(local, repo)
    by_file = set()
    for model, kind in [
        *((p, "plan") for p in repo.plans),
        *((s, "session") for s in repo.sessions),
    ]:
        by_file |= repo_findings(local, one_file_repo(repo, model, kind))
    assert by_file == whole


def _plans_repo(root: Path, plans: int = 40) -> None:
    """Plans of unique IDs, each task after the first depending on the one before."""
    folder = root / "docs" / "plans"
    folder.mkdir(parents=True)
    for n in range(plans):
        lines = ["---", f"id: P{n}", f"title: Plan {n}", "owner: team", "status: active", "---"]
        for t in range(1, 6):
            lines += [f"- [ ] **P{n}-{t}** Task {t} of plan {n}", "  - Status: Todo"]
            if t > 1:
                lines.append(f"  - Depends: P{n}-{t - 1}")
        (folder / f"plan-{n:03d}.md").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("edit", "rows_read", "stand_ins", "parsed"),
    [
        # a status flip: one plan's rows read again, nothing compared afresh
        (lambda text: text.replace("Status: Todo", "Status: In Progress", 1), 1, 0, 1),
        # a line inserted above every task moves them all: still one plan's rows
        (lambda text: text.replace("---\n- [ ]", "---\n\nIntro.\n\n- [ ]", 1), 1, 0, 1),
        # a new task with a new ID: the known IDs changed, no plan depends on it
        (lambda text: text + "- [ ] **P5-9** One more\n  - Depends: P5-1\n", 1, 0, 1),
        # an ID another plan defines: the two plans holding it are compared as stand-ins
        # (their rows read) and as text (CH018 reads the other one), no other plan
        (lambda text: text + "- [ ] **P9-2** Task 2 of plan 9\n", 3, 2, 2),
        # a dependency on an ID that no plan defines yet
        (lambda text: text + "- [ ] **P5-8** Waits\n  - Depends: P77-1\n", 1, 0, 1),
    ],
    ids=["status", "moved-lines", "new-id", "duplicate-id", "unknown-dep"],
)
def test_one_edit_reads_one_plans_rows_for_the_rules_that_compare_files(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: Callable[[str], str],
    rows_read: int,
    stand_ins: int,
    parsed: int,
) -> None:
    """The rules that compare files work from the cross cache's index after an edit: they
    read the changed plan's task rows and rebuild stand-in tasks only for the plans that
    hold an ID defined twice, however many plans there are."""
    root = tmp_path / "repo"
    _plans_repo(root)
    _report(root, True)
    counted = {"rows": 0, "stand_ins": 0, "parsed": 0}
    real_rows, real_stand_ins = FileFacts.rows, FileFacts.stand_in_tasks
    real_models = incremental.derived_of

    def rows(self: FileFacts) -> object:
        counted["rows"] += 1
        return real_rows(self)

    def stand_in_tasks(self: FileFacts) -> object:
        counted["stand_ins"] += 1
        return real_stand_ins(self)

    def derived_of(files, config, cache, derive):  # type: ignore[no-untyped-def]
        counted["parsed"] += len(files)
        return real_models(files, config, cache, derive)

    monkeypatch.setattr(FileFacts, "rows", rows)
    monkeypatch.setattr(FileFacts, "stand_in_tasks", stand_in_tasks)
    monkeypatch.setattr(incremental, "derived_of", derived_of)
    plan = root / "docs" / "plans" / "plan-005.md"
    plan.write_text(edit(plan.read_text()))
    after = _report(root, True)
    assert counted == {"rows": rows_read, "stand_ins": stand_ins, "parsed": parsed}
    monkeypatch.undo()
    assert after == _report(root, False)


@pytest.mark.parametrize("damage", ["facts-gone", "table-misshapen", "table-of-another-check"])
def test_a_check_after_an_edit_starts_from_the_memo_only_when_it_fits(
    tmp_path: Path, damage: str
) -> None:
    """After an edit, unchanged files' facts come from the last check's memo and its table
    of files (memo.Previous); when the facts cache lost them, or the table is not what
    charter wrote with that memo, the check reads what it needs afresh and finds the same."""
    root = tmp_path / "repo"
    _plans_repo(root, plans=12)
    assert _report(root, True) == _report(root, False)
    table = root / CACHE_DIR / FILES_FILE
    if damage == "facts-gone":
        for shard in (root / CACHE_DIR).glob("check-facts-*.cache"):
            shard.unlink()
    elif damage == "table-misshapen":
        stored = load_cache(table)
        stored["files"] = [[*row[:4], "many", *row[5:]] for row in stored["files"]]
        assert save_cache(table, stored)
    else:
        stored = load_cache(table)
        stored["key"] = "0" * 40
        assert save_cache(table, stored)
    plan = root / "docs" / "plans" / "plan-004.md"
    plan.write_text(plan.read_text() + "- [ ] **P2-3** Task 3 of plan 2\n  - Depends: P40-1\n")
    assert _report(root, True) == _report(root, False)


@pytest.mark.skipif(not hasattr(incremental.parse_pool.os, "fork"), reason="no fork here")
def test_a_cold_check_on_two_cores_finds_what_a_check_without_caches_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Half the files' facts are worked out in the parse child and sent back; the caches
    are written by another child while the rules that compare files run."""
    spec = importlib.util.spec_from_file_location("charter_bench_corpus_two", BENCH / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    root = tmp_path / "repo"
    module.write_synthetic(root, plans=60, tasks=600, sessions=20, seed=5)
    without_caches = _report(root, False)
    here: list[str] = []
    real_facts_of = incremental.facts_of

    def facts_of(rel, *args):  # type: ignore[no-untyped-def]
        here.append(rel)  # the child's calls are not heard here
        return real_facts_of(rel, *args)

    monkeypatch.setattr(incremental.parse_pool, "_can_fork", lambda: True)
    monkeypatch.setattr(incremental, "facts_of", facts_of)
    assert _report(root, True) == without_caches
    assert 0 < len(here) < 80  # this process worked out only its share
    assert sorted((root / CACHE_DIR).glob("models-*.cache"))  # written before it returned
    monkeypatch.undo()
    assert _report(root, True) == without_caches  # and read back as written
