"""Each rule on a plan that breaks it and on one that does not."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from charter.config import load_config
from tests.conftest import MakeRepo, check_findings

FRONT = "---\nid: p\ntitle: P\n---\n"
TODAY = date(2026, 1, 15)


def codes(root: Path) -> list[tuple[str, str, int]]:
    found = check_findings(load_config(root), today=TODAY)
    return [(d.code, d.path, d.line) for d in found]


CASES: list[tuple[str, dict[str, str], list[tuple[str, str, int]]]] = [
    (
        "duplicate id across plans",
        {
            "docs/plans/a.md": FRONT + "- [ ] **ST-A-1** one\n",
            "docs/plans/b.md": FRONT.replace("id: p", "id: q") + "\n- [ ] **ST-A-1** two\n",
        },
        [("CH002", "docs/plans/b.md", 6)],
    ),
    (
        "done without evidence",
        {"docs/plans/a.md": FRONT + "- [x] **ST-A-1** done\n"},
        [("CH003", "docs/plans/a.md", 5)],
    ),
    (
        "done by status without evidence",
        {
            "docs/plans/a.md": FRONT
            + "| ID | Title | Status |\n|--|--|--|\n| ST-A-1 | t | ✅ DONE |\n"
        },
        [("CH003", "docs/plans/a.md", 7)],
    ),
    (
        "evidence missing",
        {"docs/plans/a.md": FRONT + "- [x] **ST-A-1** done\n  - Evidence: `out/missing.json`\n"},
        [("CH004", "docs/plans/a.md", 6)],
    ),
    (
        "evidence present",
        {
            "docs/plans/a.md": FRONT + "- [x] **ST-A-1** done\n  - Evidence: `out/run.json`\n",
            "out/run.json": "{}",
        },
        [],
    ),
    (
        "evidence outside repo",
        {"docs/plans/a.md": FRONT + "- [x] **ST-A-1** done\n  - Evidence: `../../etc/passwd`\n"},
        [("CH005", "docs/plans/a.md", 6)],
    ),
    (
        "unknown dependency",
        {"docs/plans/a.md": FRONT + "- [ ] **ST-A-1** t\n  - Depends: ST-A-9\n"},
        [("CH006", "docs/plans/a.md", 6)],
    ),
    (
        "dependency cycle",
        {
            "docs/plans/a.md": FRONT + "- [ ] **ST-A-1** t\n  - Depends: ST-A-2\n"
            "- [ ] **ST-A-2** u\n  - Depends: ST-A-1\n"
        },
        [("CH007", "docs/plans/a.md", 5)],
    ),
    (
        "unknown status",
        {"docs/plans/a.md": FRONT + "- [ ] **ST-A-1** t\n  - Status: sort of finished\n"},
        [("CH008", "docs/plans/a.md", 6)],
    ),
    (
        "checkbox contradicts status",
        {"docs/plans/a.md": FRONT + "- [x] **ST-A-1** t\n  - Status: In Progress\n"},
        [("CH009", "docs/plans/a.md", 5)],
    ),
    (
        "unchecked but done",
        {
            "docs/plans/a.md": FRONT + "- [ ] **ST-A-1** t\n  - Status: Done - 2025-12-22\n"
            "  - Evidence: `e.txt`\n",
            "e.txt": "x",
        },
        [("CH009", "docs/plans/a.md", 5)],
    ),
    (
        "parent done with open subtask",
        {
            "docs/plans/a.md": FRONT
            + "- [x] **ST-A-1** t\n  - Evidence: `e.txt`\n  - [ ] open child\n",
            "e.txt": "x",
        },
        [("CH010", "docs/plans/a.md", 5)],
    ),
    (
        "missing frontmatter",
        {"docs/plans/a.md": "# Plan\n- [ ] **ST-A-1** t\n"},
        [("CH011", "docs/plans/a.md", 1)],
    ),
    (
        "missing frontmatter field",
        {"docs/plans/a.md": "---\nid: p\n---\n- [ ] **ST-A-1** t\n"},
        [("CH011", "docs/plans/a.md", 1)],
    ),
    (
        "yaml 1.1 boolean",
        {"docs/plans/a.md": "---\nid: p\ntitle: P\nstatus: NO\n---\n"},
        [("CH011", "docs/plans/a.md", 4)],
    ),
    (
        "bad level in frontmatter",
        {"docs/plans/a.md": "---\nid: p\ntitle: P\nlevel: L9\n---\n"},
        [("CH011", "docs/plans/a.md", 4)],
    ),
    (
        "session names unknown task",
        {
            "docs/plans/a.md": FRONT + "- [ ] **ST-A-1** t\n",
            "docs/agents/sessions/2026-01-01_session-0001.md": "---\nid: s1\ntask: ST-Z-9\nstatus: done\n---\n# Session\n",
        },
        [("CH012", "docs/agents/sessions/2026-01-01_session-0001.md", 3)],
    ),
    (
        "closed session with placeholder",
        {
            "docs/plans/a.md": FRONT + "- [ ] **ST-A-1** t\n",
            "docs/agents/sessions/2026-01-01_session-0001.md": "---\nid: s1\ntask: ST-A-1\nstatus: done\n---\n# Session\n## Changes\n(fill in: what changed)\n",
        },
        [("CH013", "docs/agents/sessions/2026-01-01_session-0001.md", 8)],
    ),
    (
        "active session with placeholder is fine",
        {
            "docs/plans/a.md": FRONT + "- [ ] **ST-A-1** t\n",
            "docs/agents/sessions/2026-01-01_session-0001.md": "---\nid: s1\ntask: ST-A-1\nstatus: active\n---\n## Changes\n(fill in: what changed)\n",
        },
        [],
    ),
    (
        "review overdue",
        {"docs/plans/a.md": "---\nid: p\ntitle: P\nnext_review: 2025-11-10\n---\n"},
        [("CH014", "docs/plans/a.md", 4)],
    ),
    (
        "review not yet due",
        {"docs/plans/a.md": "---\nid: p\ntitle: P\nnext_review: 2026-02-01\n---\n"},
        [],
    ),
    (
        "table row with wrong cell count",
        {"docs/plans/a.md": FRONT + "| ID | Title | Status |\n|--|--|--|\n| ST-A-1 | t |\n"},
        [("CH015", "docs/plans/a.md", 7)],
    ),
    (
        "clean plan",
        {
            "docs/plans/a.md": FRONT + "- [ ] **ST-A-1** t\n  - Status: In Progress\n"
            "- [x] **ST-A-2** u\n  - Depends: ST-A-1\n  - Evidence: `e.txt`\n",
            "e.txt": "x",
        },
        [],
    ),
]


@pytest.mark.parametrize(("name", "files", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rule(
    make_repo: MakeRepo, name: str, files: dict[str, str], expected: list[tuple[str, str, int]]
) -> None:
    root = make_repo(files, config='id_pattern = "ST-[A-Z]-\\\\d+"\n')
    assert codes(root) == expected


def test_disable_and_severity(make_repo: MakeRepo) -> None:
    files = {"docs/plans/a.md": FRONT + "- [x] **ST-A-1** done\n  - Depends: ST-X-1\n"}
    root = make_repo(
        files,
        config='id_pattern = "ST-[A-Z]-\\\\d+"\ndisable = ["done-without-evidence"]\n'
        '[severity]\nCH006 = "warning"\n',
    )
    config = load_config(root)
    assert [(d.code, d.severity) for d in check_findings(config, today=TODAY)] == [
        ("CH006", "warning")
    ]


def test_paths_filter_keeps_cross_plan_rules(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "docs/plans/a.md": FRONT + "- [ ] **ST-A-1** one\n",
            "docs/plans/b.md": FRONT.replace("id: p", "id: q") + "- [ ] **ST-A-1** two\n",
        },
        config='id_pattern = "ST-[A-Z]-\\\\d+"\n',
    )
    config = load_config(root)
    assert [d.path for d in check_findings(config, [root / "docs/plans/b.md"], today=TODAY)] == [
        "docs/plans/b.md"
    ]
    assert check_findings(config, [root / "docs/plans/a.md"], today=TODAY) == []
