"""The page as `charter board --html` writes it (statistics worked out in a forked child,
cards built in one pass with the collector paused) is byte for byte the page of a plain
in-process render from the full statistics; and `charter stats` from a cold cache (the
facts handed back by the parse, on two processes) is what the loaded repository gives."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from charter import beside, parse_pool
from charter.board import parts as parts_module
from charter.board.html import Figures, render_board_html
from charter.board.parts import page_statistics, render_parts, statistics_beside, stats_time
from charter.board.render import _normalise, board_rows
from charter.config import load_config
from charter.repo import RepoModel, load_repo
from charter.stats.compute import cached_stats, compute_stats
from tests.conftest import REPO_ROOT

STATUSES = ("Backlog", "Todo", "In Progress", "Review", "Blocked", "Done")
PLANS = parse_pool.MIN_FILES + 12  # enough plans for the parse pool to use its child
OUTPUT = "site/board.html"


def _plan(n: int, statuses: list[str]) -> str:
    lines = [f"---\nid: PL-{n}\ntitle: Plan {n}\n---\n# Plan {n}\n"]
    for i, status in enumerate(statuses):
        box = "x" if status == "Done" else " "
        lines.append(f"- [{box}] **P{n}-{i}** Task {i} of plan {n}\n  - Status: {status}")
        lines.append(f"  - Owner: team-{(n + i) % 4}\n  - Priority: P{i % 3}")
        if i % 4 == 1:
            lines.append(f"  - Depends: P{n}-{i - 1}")
        if status == "Done":
            lines.append(f"  - Evidence: `{'proof.txt' if i % 3 else 'missing/proof.txt'}`")
        if status == "Blocked":
            lines.append("  - Blocked reason: waiting on the vendor")
    return "\n".join(lines) + "\n"


def _commit(root: Path, when: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "plans"],
        cwd=root,
        check=True,
        env=env,
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository of PLANS plans whose statuses moved over eight commits, with one more
    edit left uncommitted (seeded: the same repository every run)."""
    root = tmp_path_factory.mktemp("generated")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "proof.txt").write_text("ok\n")
    rng = random.Random(21)
    plans = {n: [rng.choice(STATUSES) for _ in range(rng.randint(3, 9))] for n in range(PLANS)}
    (root / "docs" / "plans").mkdir(parents=True)
    for day in range(8):
        for n in rng.sample(sorted(plans), 12 if day else PLANS):
            if day:
                i = rng.randrange(len(plans[n]))
                plans[n][i] = rng.choice([s for s in STATUSES if s != plans[n][i]])
            (root / "docs" / "plans" / f"plan-{n:02}.md").write_text(_plan(n, plans[n]))
        _commit(root, f"2025-01-{3 + 4 * day:02d}T{9 + day}:00:00+01:00")
    plans[0][0] = "Blocked"
    (root / "docs" / "plans" / "plan-00.md").write_text(_plan(0, plans[0]))
    return root


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(REPO_ROOT / "examples" / "demo", root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    _commit(root, "2025-01-10T10:00:00+00:00")
    return root


def _full_render(repo: RepoModel) -> str:
    """The page from statistics computed here, in one process, nothing reused."""
    stats = compute_stats(repo, now=stats_time(repo))
    return _normalise(render_board_html(repo, stats, output=OUTPUT, rows=board_rows(repo)))


@pytest.mark.parametrize("board", [True, False])
@pytest.mark.parametrize("fork", [True, False])
@pytest.mark.parametrize("which", ["generated", "demo"])
def test_the_page_equals_a_full_render(
    which: str,
    fork: bool,
    board: bool,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Statistics started beside the rows, the cards rendered beside the Markdown board (or,
    `board=False`, with the Markdown board current, in this process alone)."""
    root: Path = request.getfixturevalue(which)
    forks = fork and beside._cores() > 1
    monkeypatch.setattr(beside, "can_fork", lambda *_: forks)
    here: list[int] = []  # page_statistics calls this process saw (a child's are not seen)

    def counted(repo: RepoModel) -> Figures:
        here.append(os.getpid())
        return page_statistics(repo)

    monkeypatch.setattr(parts_module, "page_statistics", counted)
    repo = load_repo(load_config(root), use_cache=False)
    statistics = statistics_beside(repo)
    assert statistics.forked == forks
    parts = render_parts(repo, html=OUTPUT, statistics=statistics, board=board)
    page = parts.html
    assert page is not None
    assert len(here) == (0 if forks else 1)
    assert bool(parts.markdown) == board and bool(parts.csv) == board
    assert page == _full_render(load_repo(load_config(root), use_cache=False))
    assert "Done per week" in page and "Tasks per column" in page  # charts were drawn


@pytest.mark.parametrize("fork", [True, False])
def test_cold_stats_equal_the_loaded_repository(
    generated: Path, fork: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parse_pool, "_can_fork", lambda: fork and parse_pool._cores() > 1)
    config = load_config(generated)
    shutil.rmtree(generated / ".charter" / "cache", ignore_errors=True)
    now = stats_time(load_repo(config, use_cache=False))
    cold = cached_stats(config, now=now).to_dict()
    warm = cached_stats(config, now=now).to_dict()
    full = compute_stats(load_repo(config, use_cache=False), now=now).to_dict()
    assert cold == warm == full
    assert full["commits"] == 8 and full["cycle_time"]["count"] > 0 and full["blocked"]
