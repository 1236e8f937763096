"""Locks live under `.charter/locks/`, never beside the files charter writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from charter import io
from charter.board.regenerate import regenerate_board
from charter.config import load_config
from charter.handoff.regenerate import write_handoff
from charter.scaffold import init_repo


def _locks_outside_state(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.lock")
        if not p.relative_to(root).as_posix().startswith((".charter/", ".git/"))
    )


def test_generating_board_handoff_and_html_leaves_no_lock_beside_them(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    init_repo(root)
    config = load_config(root)
    (root / "docs/plans/example.md").write_text(
        (root / "docs/plans/example.md").read_text().replace("Write the first", "Write a first")
    )
    assert regenerate_board(config, html="site/board.html").changed
    write_handoff(config)
    assert _locks_outside_state(root) == []
    locks = sorted(p.name for p in (root / ".charter/locks").iterdir())
    assert "docs%2Ftaskboard%2FTaskBoard.md.lock" in locks
    assert "site%2Fboard.html.lock" in locks
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ".charter" not in status


def test_each_file_has_its_own_lock_and_state_files_keep_theirs_beside_them(
    tmp_path: Path,
) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    a = io.lock_file(tmp_path / "a" / "b.md")
    b = io.lock_file(tmp_path / "a%2Fb.md")
    assert a != b and a.parent == b.parent == tmp_path.resolve() / ".charter/locks"
    state = tmp_path / ".charter" / "session"
    assert io.lock_file(state) == state.resolve().with_name("session.lock")
    deep = io.lock_file(tmp_path / ("x" * 120) / ("y" * 120) / "z.md")
    assert len(deep.name) <= 255 and deep.parent == a.parent


def test_a_lock_is_held_across_processes_for_the_same_file(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    target = tmp_path / "docs" / "TaskBoard.md"
    with io.locked(target):
        held = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; from charter import io\n"
                "try:\n"
                "    with io.locked(Path(sys.argv[1]), timeout=0.2): print('got')\n"
                "except Exception as e: print('busy', e)\n",
                str(target),
            ],
            capture_output=True,
            text=True,
        )
    assert held.stdout.startswith("busy"), held.stdout + held.stderr
