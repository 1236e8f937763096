"""Broken files give diagnostics with file and line; the other files are still checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from charter.config import load_config
from charter.repo import load_repo
from tests.conftest import MakeRepo, check_findings

GOOD = "---\nid: good\ntitle: Good\n---\n- [x] **ST-A-1** done without evidence\n"
DEEP = "---\nid: d\ntitle: D\n---\n" + "".join(
    "  " * i + f"- [ ] **ST-D-{i}** level {i}\n" for i in range(30)
)
HUGE = "---\nid: d\ntitle: D\n---\n" + "| ID | Title |\n|--|--|\n" + f"| ST-H-1 | {'x' * 2000} |\n"

BAD: list[tuple[str, bytes, str, int]] = [
    ("invalid yaml", b"---\nid: [unclosed\ntitle: x\n---\n", "CH001", 3),
    ("unclosed frontmatter", b"---\nid: x\ntitle: y\n- [ ] **ST-B-1** t\n", "CH001", 1),
    ("frontmatter not a mapping", b"---\n- a\n- b\n---\n", "CH001", 2),
    ("leading bom", b"\xef\xbb\xbf---\nid: x\ntitle: y\n---\n", "CH016", 1),
    ("mixed line endings", b"---\r\nid: x\r\ntitle: y\r\n---\r\n\r\n- a\n- b\r\n", "CH016", 6),
    ("invalid utf-8", b"---\nid: x\ntitle: y\n---\nStra\xdfe\n", "CH016", 5),
    ("yaml 1.1 trap", b"---\nid: x\ntitle: y\nstatus: NO\n---\n", "CH011", 4),
    (
        "wrong cell count",
        b"---\nid: x\ntitle: y\n---\n| ID | A | B |\n|--|--|--|\n| ST-B-1 | a |\n",
        "CH015",
        7,
    ),
    (
        "pipe in code span",
        b"---\nid: x\ntitle: y\n---\n| ID | A |\n|--|--|\n| ST-B-1 | `a|b` |\n",
        "CH015",
        7,
    ),
]


@pytest.mark.parametrize(("name", "data", "code", "line"), BAD, ids=[b[0] for b in BAD])
def test_bad_file_is_reported_and_others_still_checked(
    make_repo: MakeRepo, name: str, data: bytes, code: str, line: int
) -> None:
    root = make_repo(
        {"docs/plans/bad.md": data, "docs/plans/good.md": GOOD},
        config='id_pattern = "ST-[A-Z]-\\\\d+"\n',
    )
    diagnostics = check_findings(load_config(root))
    found = [(d.code, d.line) for d in diagnostics if d.path == "docs/plans/bad.md"]
    assert (code, line) in found
    # the good plan is still read: its missing evidence is reported
    assert ("CH003", "docs/plans/good.md") in [(d.code, d.path) for d in diagnostics]


def test_unclosed_frontmatter_still_reads_tasks(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"docs/plans/bad.md": "---\nid: x\n- [x] **ST-B-1** t\n"},
        config='id_pattern = "ST-[A-Z]-\\\\d+"\n',
    )
    repo = load_repo(load_config(root), use_cache=False)
    assert [t.id for t in repo.tasks()] == ["ST-B-1"]


def test_thirty_deep_nesting_keeps_every_task(make_repo: MakeRepo) -> None:
    root = make_repo({"docs/plans/deep.md": DEEP}, config='id_pattern = "ST-[A-Z]-\\\\d+"\n')
    repo = load_repo(load_config(root), use_cache=False)
    assert sorted(int(t.id.rsplit("-", 1)[1]) for t in repo.tasks() if t.id) == list(range(30))
    assert not [d for d in check_findings(repo.config) if d.code == "CH017"]


def test_nesting_beyond_the_cap_is_reported(make_repo: MakeRepo) -> None:
    body = "".join("  " * i + "- item\n" for i in range(260))
    root = make_repo({"docs/plans/deep.md": "---\nid: d\ntitle: D\n---\n" + body})
    config = load_config(root)
    assert [d.code for d in check_findings(config)] == ["CH017"]


def test_two_thousand_character_cell(make_repo: MakeRepo) -> None:
    root = make_repo({"docs/plans/h.md": HUGE}, config='id_pattern = "ST-[A-Z]-\\\\d+"\n')
    repo = load_repo(load_config(root), use_cache=False)
    (task,) = repo.tasks()
    assert task.title == "x" * 2000
    assert check_findings(repo.config) == []


def test_unreadable_file_is_a_diagnostic(make_repo: MakeRepo) -> None:
    root = make_repo({"docs/plans/good.md": GOOD}, config='id_pattern = "ST-[A-Z]-\\\\d+"\n')
    (root / "docs/plans/dir.md").mkdir()  # a directory named like a plan is skipped, not a crash
    link = root / "docs/plans/dangling.md"
    link.symlink_to(root / "nowhere.md")
    diagnostics = check_findings(load_config(root))
    assert "CH003" in [d.code for d in diagnostics]


def test_cli_never_shows_a_traceback_on_bad_config(tmp_path: Path) -> None:
    (tmp_path / "charter.toml").write_text('id_pattern = "("\n')
    result = subprocess.run(
        [sys.executable, "-m", "charter", "check", "--repo", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "charter.toml:1: [tool.charter] id_pattern: invalid regular expression" in result.stderr
