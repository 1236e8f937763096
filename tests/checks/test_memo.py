"""The check memo: replayed findings equal a fresh check, and every input invalidates it."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from charter.cache import CACHE_DIR, code_stamp
from charter.checks import engine
from charter.checks.engine import check_repo
from charter.checks.memo import MEMO_FILE
from charter.config import load_config
from tests.conftest import REPO_ROOT

DEMO = REPO_ROOT / "examples" / "demo"
TODAY = date(2026, 11, 21)  # before both plans' next_review


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def _check(root: Path, use_cache: bool = True, today: date = TODAY) -> list[str]:
    report = check_repo(load_config(root), use_cache, (), today)
    counts = f"{report.plans} plans, {report.tasks} tasks, {report.sessions} logs"
    return [counts, *(f"{d} [{d.severity}]" for d in report.diagnostics)]


def _no_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make loading the models fail: a check that still answers replayed its memo."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the models were loaded: the memo was not used")

    monkeypatch.setattr(engine, "build_repo", refuse)


def test_a_replay_equals_a_fresh_check(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = _check(root, use_cache=False)
    assert not (root / CACHE_DIR / MEMO_FILE).exists(), "--no-cache must not write the memo"
    assert _check(root) == fresh
    assert (root / CACHE_DIR / MEMO_FILE).is_file()
    assert {line.split(" ")[1] for line in fresh[1:]} == {"CH003", "CH006", "CH008", "CH009"}
    _no_models(monkeypatch)
    assert _check(root) == fresh


def _edit_plan(root: Path) -> None:
    plan = root / "docs/plans/release.md"
    plan.write_text(plan.read_text().replace("ST-B-099", "ST-B-098"))  # same size, same folder


def _add_session(root: Path) -> None:
    log = root / "docs/agents/sessions/2026-11-21_session-0001.md"
    log.parent.mkdir(parents=True, exist_ok=True)  # git keeps no empty folder
    log.write_text("---\nid: S-1\ntask: ST-Z-404\nstatus: open\n---\n# Session\n")


def _change_config(root: Path) -> None:
    with (root / "charter.toml").open("a") as handle:
        handle.write('\n[severity]\nunknown-dependency = "warning"\n')


@pytest.mark.parametrize(
    ("change", "appears"),
    [
        (_edit_plan, "ST-R-001 depends on unknown task ST-B-098"),
        (_add_session, "CH012"),
        (_change_config, "ST-B-099 [warning]"),
    ],
)
def test_a_changed_input_is_checked_again(
    root: Path, change: Callable[[Path], None], appears: str
) -> None:
    before = _check(root)
    assert _check(root) == before  # the memo is warm
    change(root)
    after = _check(root)
    assert after == _check(root, use_cache=False)
    assert after != before
    assert any(appears in line for line in after), after


def test_a_new_day_is_checked_again(root: Path) -> None:
    assert not any("CH014" in line for line in _check(root))
    later = _check(root, today=date(2026, 12, 2))
    assert any("docs/plans/release.md" in line and "CH014" in line for line in later)
    assert later == _check(root, use_cache=False, today=date(2026, 12, 2))


def test_evidence_is_looked_at_on_a_replay(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not any("CH004" in line for line in _check(root))
    (root / ".runs/ST-B-001/manifest.json").unlink()
    _no_models(monkeypatch)
    (finding,) = [line for line in _check(root) if "CH004" in line]
    assert "evidence .runs/ST-B-001/manifest.json does not exist" in finding


def test_git_is_looked_at_on_a_replay(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not any("CH024" in line for line in _check(root))
    (root / ".env").write_text("TOKEN=1\n")
    subprocess.run(["git", "-C", str(root), "add", "-f", ".env"], check=True)
    _no_models(monkeypatch)
    (finding,) = [line for line in _check(root) if "CH024" in line]
    assert finding.startswith(".env:1:1: CH024 .env is staged in git")


def test_a_damaged_memo_is_ignored(root: Path) -> None:
    fresh = _check(root, use_cache=False)
    _check(root)
    (root / CACHE_DIR / MEMO_FILE).write_bytes(b"\x80\x05not a pickle")
    assert _check(root) == fresh


def test_charters_own_code_is_part_of_the_key(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    module = tmp_path / "rules" / "a.py"
    module.write_text("X = 1\n")
    before = code_stamp((tmp_path,))
    assert code_stamp((tmp_path,)) == before
    stat = module.stat()
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert code_stamp((tmp_path,)) != before
