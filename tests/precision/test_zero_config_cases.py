"""Findings judged on the corpora read with no configuration beyond `charter init --detect`.

Each case is a small excerpt of a corpus in ../shared/corpora or an example in
../shared/examples (its source named in the case id), in a repository with the
configuration detection writes for such a layout. `QUIET` cases were judged
false on a seeded sample of findings (a maintainer would not act on them);
`FIRES` cases are their true neighbours, which must keep firing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.config import load_config
from charter.detect.layout import Layout, _scan
from charter.repo import load_repo
from tests.conftest import MakeRepo, check_findings

# What `charter init --detect` writes for plans that are not charter's own.
FOREIGN = 'plans = ["**/*.md"]\nrequire_frontmatter = false\nanonymous_tasks = true\n'
BOARD_HEAD = "| Task ID | Task | Description | Status | Output Links |\n"


def findings(root: Path) -> list[tuple[str, str, int, str]]:
    return [(d.code, d.path, d.line, d.message) for d in check_findings(load_config(root))]


QUIET = [
    pytest.param(
        FOREIGN,
        {
            "planning/board.md": "# Board\n\n## Active Tasks\n\n"
            + BOARD_HEAD
            + "| TASK-3 | Fix | Third | ✅ done | [a.md](a.md) |\n"
            "| TASK-2 | Fix | Second | ✅ done | [a.md](a.md) |\n"
            "|---|---|---|---|---|\n"
            "| TASK-1 | Fix | First | ✅ done | [a.md](a.md) |\n",
            "planning/archive.md": "# Archive\n\n" + BOARD_HEAD + "|---|---|---|---|---|\n"
            "| TASK-1 | Fix | First | ✅ done | [a.md](a.md) |\n",
            "planning/a.md": "# A\n",
        },
        "CH018",
        id="CH018 rows under a separator in mid-table are rows: their own Status cell speaks, "
        "not the heading (Young-Z__X-IPE task-board.md:112)",
    ),
    pytest.param(
        FOREIGN + 'id_pattern = "S\\\\d+"\n',
        {
            "packs/a/seam/slice-2-write-ops.md": "### S2 — Write ops mapping\n\n- Status: open\n",
            "docs/baseline.md": "## S2 — Codex backend tool results\n\n- Status: open\n",
        },
        "CH002",
        id="CH002 one ID in two folders of documents that are not charter's own "
        "(atomize-hq__agent-wrappers slice-2-write-ops.md:1, baseline_norm.md)",
    ),
    pytest.param(
        FOREIGN,
        {
            "qa/handover.md": "| ID | Title | Status |\n|--|--|--|\n"
            "| BUG-002 | E2E 脚本空值变量比较报错 | open |\n",
            "qa/report.md": "| ID | Title | Status |\n|--|--|--|\n| BUG-002 | E2E 脚本空值比较 | open |\n",
        },
        "CH002",
        id="CH002 a Chinese title and its shorter mention are one task, compared by character "
        "(gjwang__zero_x_infinity qa-to-dev-handover.md:51)",
    ),
    pytest.param(
        FOREIGN,
        {
            "shared/qa-to-dev.md": "## Approved\n\n- [x] TC-P0-07 (Idempotency): ✅ APPROVED\n",
            "shared/dev-to-qa.md": "## Fixed\n\n- [x] TC-P0-07 Transfer Idempotency - 修复cid传递\n",
        },
        "CH002",
        id="CH002 a hand-over's verdict beside a task it names is no other task "
        "(gjwang__zero_x_infinity qa-to-dev-handover.md:78)",
    ),
    pytest.param(
        FOREIGN,
        {
            "backlog/story-14-04.md": "---\ntype: story\nid: ST-14-04\nstatus: done\n"
            'dependencies:\n  - "ADR-0027"\n  - "ST-12-04"\n---\n# Story\n',
            "backlog/story-12-04.md": "---\ntype: story\nid: ST-12-04\nstatus: done\n---\n# S\n",
            "backlog/review.md": "---\ntype: review\nid: REV-1\nstatus: done\n---\n# R\n\n"
            "- [x] ADR-0041 defines clear API contract\n",
        },
        "CH006",
        id="CH006 a story waiting on a decision record, not a task "
        "(paunchygent__skriptoteket story-14-04-sandbox-input-schema-form-preview.md:17)",
    ),
    pytest.param(
        FOREIGN,
        {
            "backlog/review.md": "---\ntype: review\nid: REV-8\nstatus: done\n---\n# Review\n\n"
            "- [x] PR-0031 acceptance criteria are correct and testable\n",
            "backlog/pr-0031.md": "---\ntype: pr\nid: PR-0031\ntitle: Editor patch-only edits\n"
            "status: ready\n---\n# PR\n",
        },
        "CH018",
        id="CH018 a review's checklist line naming a PR is no copy of it "
        "(paunchygent__skriptoteket review-epic-08-editor-ai-edit-ops-patch-only-alignment.md:68)",
    ),
    pytest.param(
        FOREIGN,
        {
            "planning/archive.md": "# Archive\n\n## Completed Tasks\n\n"
            "| Task ID | Task | Description | Output Links | Notes |\n|--|--|--|--|--|\n"
            "| TASK-065 | Playground | Try it | - | Skipped by human request. |\n"
            "| TASK-170 | Idea | Refine | - | Closed by request |\n"
            "| TASK-149 | Tool | Draw | - | Superseded: replaced by the new skill. |\n"
        },
        "CH003",
        id="CH003 rows closed without doing the work (Young-Z__X-IPE task-board-archive-1.md)",
    ),
    pytest.param(
        FOREIGN,
        {
            "backlog/sprints/sprint-1.md": "---\ntype: sprint\nid: SPR-1\nstatus: done\n---\n"
            "# Sprint\n\n## Goals\n\n- [x] Ship the debug panel\n\n"
            "## Pacing checklist (suggested)\n\n- [ ] Extend the response model\n"
        },
        "CH010",
        id="CH010 open items of a checklist the sprint offers, not promises (paunchygent__"
        "skriptoteket sprint-2026-03-17-tool-editor-sandbox-debug-details.md:59)",
    ),
    pytest.param(
        'handoff_plans = ["docs/plans/session-handoff.md"]\nid_pattern = "#\\\\d+"\n',
        {
            "docs/plans/session-handoff.md": "---\nid: h\ntitle: H\n---\n# Session Handoff\n\n"
            "## What Is Already Done\n\n- EPIC 1 is closed:\n  - `#64`, `#69` (all closed)\n"
            "- Implementation commit is on `main`: `0e7faa4`\n"
        },
        "CH003",
        id="CH003 a hand-written handoff in docs/plans names work done elsewhere "
        "(examples/session-handoff.md:8)",
    ),
]


@pytest.mark.parametrize(("config", "files", "codes"), QUIET)
def test_findings_judged_false_stay_quiet(
    make_repo: MakeRepo, config: str, files: dict[str, str], codes: str
) -> None:
    found = findings(make_repo(files, config))
    assert [f for f in found if f[0] in codes.split()] == []


FIRES = [
    pytest.param(
        FOREIGN,
        {
            "planning/archive-1.md": "# Archive\n\n## Completed Tasks\n\n"
            "| Task ID | Task | Description | Output Links |\n|--|--|--|--|\n"
            "| TASK-315 | Design | Design the hover preview | [d.md](d.md) |\n"
            "| TASK-316 | Code | Implement the hover preview | [d.md](d.md) |\n"
            "| TASK-315 | Design | Design the hover preview | [d.md](d.md) |\n",
            "planning/d.md": "# D\n",
        },
        [("CH002", 9, "task TASK-315 is listed twice: this row repeats line 7")],
        id="CH002 a row copied cell for cell (Young-Z__X-IPE task-board-archive-1.md:53)",
    ),
    pytest.param(
        FOREIGN,
        {
            "planning/board.md": "| Task ID | Task | Status |\n|--|--|--|\n"
            "| TASK-776 | Update the change-request skill | done |\n",
            "planning/archive.md": "| Task ID | Task | Status |\n|--|--|--|\n"
            "| TASK-776 | Close FEATURE-047-A CR-001 | done |\n",
        },
        [("CH002", 3, "duplicate task ID TASK-776")],
        id="CH002 one ID for two tasks in files of one folder "
        "(Young-Z__X-IPE task-board.md:240, task-board-archive-3.md:177)",
    ),
    pytest.param(
        None,
        {
            "docs/plans/a/p.md": "---\nid: p\ntitle: P\n---\n# P\n\n- [ ] **ST-A-1** Build login\n",
            "docs/plans/b/q.md": "---\nid: q\ntitle: Q\n---\n# Q\n\n- [ ] **ST-A-1** Drop cache\n",
        },
        [("CH002", 7, "duplicate task ID ST-A-1")],
        id="CH002 in charter's own plans every folder shares one numbering",
    ),
    pytest.param(
        FOREIGN,
        {
            "backlog/story-05-11.md": "---\ntype: story\nid: ST-05-11\nstatus: done\n---\n"
            "# Story\n\n## Tasks\n\n- [x] Create this story file\n- [ ] Deploy to production\n"
        },
        [("CH010", 3, "ST-05-11 is done but has open subtasks: line 11")],
        id="CH010 a done story with its own tasks open "
        "(paunchygent__skriptoteket story-05-11-hamburger-htmx-bug.md:46)",
    ),
    pytest.param(
        FOREIGN,
        {
            "backlog/story-14-04.md": "---\ntype: story\nid: ST-14-04\nstatus: open\n"
            'dependencies:\n  - "ADR-0027"\n  - "ST-12-99"\n---\n# Story\n',
        },
        [("CH006", 5, "ST-14-04 depends on unknown task ST-12-99")],
        id="CH006 an unknown ID of the tasks' own scheme "
        "(paunchygent__skriptoteket story-14-04-sandbox-input-schema-form-preview.md)",
    ),
]


@pytest.mark.parametrize(("config", "files", "expected"), FIRES)
def test_findings_judged_true_still_fire(
    make_repo: MakeRepo,
    config: str | None,
    files: dict[str, str],
    expected: list[tuple[str, int, str]],
) -> None:
    found = findings(make_repo(files, config))
    for code, line, text in expected:
        assert any(f[0] == code and f[2] == line and text in f[3] for f in found), (
            code,
            line,
            text,
            found,
        )
    assert len([f for f in found if f[0] in {c for c, _, _ in expected}]) == len(expected)


@pytest.mark.parametrize(
    ("item", "tasks"),
    [
        ("  - Story: US1\n", ["T003"]),
        ("  - Story: US1, US2\n", ["T003"]),
        ("  - Story: `docs/stories/story-08-24.md`.\n", ["T003"]),
        ("  - Story: Wire the cache\n", ["T003", None]),  # a labelled task of its own
    ],
)
def test_a_story_reference_under_a_task_is_no_task(
    make_repo: MakeRepo, item: str, tasks: list[str | None]
) -> None:
    """`charter import speckit` writes "- Story: US1" under a task (liorfranko__Spectra)."""
    root = make_repo(
        {"docs/plans/p.md": "---\nid: p\ntitle: P\n---\n# P\n\n- [x] **T003** Verify\n" + item},
        '[tool.charter]\npreset = "speckit"\n',
    )
    repo = load_repo(load_config(root), use_cache=False)
    assert [t.id for t in repo.tasks()] == tasks


def test_sub_slice_ids_are_one_scheme() -> None:
    """`S3a.T1` under `S3a` (atomize-hq__agent-wrappers subslice-1-helper-conformance-matrix.md)."""
    layout, shapes = Layout(), {}
    text = "".join(f"### S{n}a — Slice\n#### S{n}a.T1 — Step\n" for n in range(1, 10))
    _scan("s.md", text, layout, shapes)
    assert r"S\d+[a-z]?(?:\.T\d+[a-z]?)*" in shapes
    assert sorted(shapes[r"S\d+[a-z]?(?:\.T\d+[a-z]?)*"][0])[:2] == ["S1a.T1", "S2a.T1"]


@pytest.mark.parametrize(
    ("heading", "status"),
    [("✅ Acceptance Criteria Mapping", None), ("✅ Done", "✅ Done"), ("Completed", "Completed")],
)
def test_a_heading_with_an_emoji_is_a_status_only_when_its_words_are(
    make_repo: MakeRepo, heading: str, status: str | None
) -> None:
    """A table without a status column under "## ✅ Acceptance Criteria Mapping" states
    nothing (gjwang__zero_x_infinity 0x0F-admin-test-plan.md:285)."""
    root = make_repo(
        {
            "qa/plan.md": f"# Plan\n\n## {heading}\n\n| AC ID | Criteria |\n|--|--|\n"
            "| AC-01 | Admin can login |\n"
        },
        FOREIGN,
    )
    (task,) = load_repo(load_config(root), use_cache=False).tasks()
    assert task.status == status


def test_two_mentions_citing_one_evidence_path_are_one_task(make_repo: MakeRepo) -> None:
    """A task re-described in a later file, its proof unchanged (Young-Z__X-IPE TASK-823:
    '3-scene KB mockup' and 'KB interface mockup — 4 scenes', one mockup file)."""
    files = {
        "plans/a.md": "- [x] **KB-823** Three-scene mockup: browse, detail, picker\n"
        "  - Evidence: `mockups/kb-v1.html`\n",
        "plans/b.md": "- [x] **KB-823** Interface sketch with intake librarian panel\n"
        "  - Evidence: `mockups/kb-v1.html`\n",
        "mockups/kb-v1.html": "<html></html>\n",
    }
    assert [f for f in findings(make_repo(files, FOREIGN)) if f[0] == "CH002"] == []
    files["plans/b.md"] = files["plans/b.md"].replace("kb-v1.html", "kb-v2.html")
    files["mockups/kb-v2.html"] = "<html></html>\n"
    assert [f[0] for f in findings(make_repo(files, FOREIGN)) if f[0] == "CH002"] == ["CH002"]
