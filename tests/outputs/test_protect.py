"""One protection for every plan-derived output: a complete read, and no bulk drop of tasks
counted against the last commit and the high-water mark, not only the CSV on disk."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from charter.board.regenerate import regenerate_board
from charter.config import Config, load_config
from charter.errors import CharterError
from charter.handoff.regenerate import write_handoff
from charter.outputs import protect

TASKS = 20


def plan(ids: range) -> str:
    return "".join(f"- [ ] **W-{n}** Task {n}\n  - Status: Backlog\n" for n in ids)


@pytest.fixture
def repo(tmp_path: Path) -> Config:
    root = tmp_path / "repo"
    (root / "docs/plans").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "charter.toml").write_text("", encoding="utf-8")
    (root / "docs/plans/work.md").write_text(plan(range(1, TASKS + 1)), encoding="utf-8")
    config = load_config(root)
    regenerate_board(config)
    write_handoff(config)
    _commit(root)
    return config


def _commit(root: Path) -> None:
    env = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(
        ["git", *env, "-C", str(root), "commit", "-q", "--no-verify", "-m", "x"], check=True
    )


def _keep(config: Config, ids: range) -> None:
    (config.root / "docs/plans/work.md").write_text(plan(ids), encoding="utf-8")


def test_a_half_saved_plan_stops_the_handoff_too(repo: Config) -> None:
    handoff = repo.path(repo.handoff)
    before = handoff.read_bytes()
    (repo.root / "docs/plans/half.md").write_text("---\ntitle: half\n- [ ] **H-1** x\n")
    with pytest.raises(CharterError, match="may not have been read") as caught:
        write_handoff(repo)
    assert caught.value.path == "docs/plans/half.md"
    assert handoff.read_bytes() == before
    assert write_handoff(repo, force=True)  # force writes it anyway


@pytest.mark.parametrize("writer", ["board", "handoff"])
def test_deleting_in_batches_below_the_threshold_is_still_caught(repo: Config, writer: str) -> None:
    write = (lambda: regenerate_board(repo)) if writer == "board" else (lambda: write_handoff(repo))
    _keep(repo, range(1, TASKS - 2))  # 3 gone: under the limit of 5 rows / 20 %
    write()
    _keep(repo, range(1, TASKS - 5))  # 6 gone since the commit, 3 since the last write
    with pytest.raises(CharterError, match="would drop 6 of 20 tasks"):
        write()


def test_deleting_the_csv_first_does_not_bypass_it(repo: Config) -> None:
    repo.path(repo.board_csv).unlink()
    _keep(repo, range(1, 5))
    with pytest.raises(CharterError, match="would drop 16 of 20 tasks"):
        regenerate_board(repo)


def test_without_a_commit_the_high_water_mark_holds(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "docs/plans").mkdir(parents=True)
    (root / "charter.toml").write_text("", encoding="utf-8")
    (root / "docs/plans/work.md").write_text(plan(range(1, TASKS + 1)), encoding="utf-8")
    config = load_config(root)
    regenerate_board(config)
    config.path(config.board_csv).unlink()
    _keep(config, range(1, 5))
    with pytest.raises(CharterError, match="would drop 16 of 20"):
        regenerate_board(config)


def test_committing_or_forcing_accepts_the_drop(repo: Config) -> None:
    _keep(repo, range(1, TASKS - 2))
    regenerate_board(repo)
    _commit(repo.root)
    _keep(repo, range(1, TASKS - 5))  # 3 more since the commit: fine
    regenerate_board(repo)
    _keep(repo, range(1, 11))
    result = regenerate_board(repo, force=True)
    assert result.refused  # the reason is still reported
    _keep(repo, range(1, 10))  # one more after the force: counted from the forced state
    regenerate_board(repo)


def test_keys_match_the_boards_rows(repo: Config) -> None:
    from charter.repo import load_repo

    csv = repo.path(repo.board_csv).read_text()
    assert protect.repo_keys(load_repo(repo)) == protect.csv_keys(csv)


def test_the_committed_csv_is_read_once_and_known_by_its_blob(tmp_path: Path) -> None:
    """The last commit's board keys are remembered by the CSV blob's id; a CSV on disk that
    is that blob (its id computed as git does) adds nothing and is not read again."""
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "charter.toml").write_text("")
    csv_path = root / "docs/taskboard/TaskBoard.csv"
    csv_path.parent.mkdir(parents=True)
    csv_path.write_text("ID,Title,Plan\nA-1,one,docs/plans/a.md\nA-2,two,docs/plans/a.md\n")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "board"], check=True)
    config = load_config(root)
    blob = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD:./docs/taskboard/TaskBoard.csv"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert protect._blob_id(csv_path.read_text(), blob) == blob
    expected = {"A-1": "docs/plans/a.md", "A-2": "docs/plans/a.md"}
    assert protect.committed_keys(config) == expected
    assert (root / protect.COMMITTED).is_file()
    # a drop of both tasks is refused, from the remembered keys as from git
    for _ in range(2):
        refusal = protect.drop_refusal(config, {}, csv_path.read_text())
        assert refusal is not None and "A-1, A-2" in str(refusal)
