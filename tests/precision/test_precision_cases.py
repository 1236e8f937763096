"""Findings judged on real corpora: the false ones stay silent, the true ones still fire.

Each case is a small excerpt of a corpus in ../shared/corpora (its SOURCE named
in the case id: corpus, file, line), placed in a repository with the
configuration a team would write for it. `quiet` cases were judged false on a
random sample of findings (a maintainer would not act on them); `fires` cases
were judged true and must keep firing after the precision fixes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.config import load_config
from tests.conftest import MakeRepo, check_findings

FOREIGN = 'plans = ["**/*.md"]\nrequire_frontmatter = false\nanonymous_tasks = true\n'
SPECKIT = 'preset = "speckit"\n'
KB_TASK = "# Task Checklist - linear-x\n\n"


def findings(root: Path) -> list[tuple[str, str, int, str]]:
    return [(d.code, d.path, d.line, d.message) for d in check_findings(load_config(root))]


QUIET = [
    pytest.param(
        FOREIGN,
        {
            "tasks/t.md": KB_TASK + "## Parent-Owned Classification Acceptance\n"
            "- [x] Preserve historical packet evidence. Evidence: source packet docs remain in "
            "place; only spec status, index approval metadata, and registry active/archived "
            "metadata changed.\n"
        },
        "CH004",
        id="CH004 prose with a slash (Kbediako__CO .agent/task/linear-88a7529f...md:37)",
    ),
    pytest.param(
        FOREIGN,
        {
            "tasks/t.md": KB_TASK + "## Validation\n"
            "- [x] Rebased. Evidence: `origin/main`.\n"
            "- [x] Model pinned. Evidence: `gpt-5.4`.\n"
            "- [x] Release intake. Evidence: `0.124.0`, `rust-v0.128.0`.\n"
            "- [x] Live state read. Evidence: `2026-04-19T01:32:36.465Z`.\n"
            "- [x] Args kept. Evidence: `request.args`.\n"
            "- [x] Parent lane. Evidence: `linear/co-581-retained-cohort-refresh`.\n"
            "- [x] Docs packet. Evidence: packet/checklist.\n"
            "- [x] Registry row. Evidence: `docs_freshness_candidate|doc_class:report_only`.\n"
            "- [x] Registry dated. Evidence: `updated_at=2026-04-01T00:19:42.932Z`.\n"
        },
        "CH004",
        id="CH004 branch, model, version, timestamp, symbol (Kbediako__CO tasks/*.md)",
    ),
    pytest.param(
        FOREIGN,
        {
            "tasks/t.md": KB_TASK + "## Validation\n"
            "- [x] Lint clean. Evidence: `DelegationMcpHealth.test.ts`.\n"
            "- [x] Source read. Evidence: `src/app.ts:42`, `docs/guide.md#usage`.\n",
            "orchestrator/tests/DelegationMcpHealth.test.ts": "test",
            "src/app.ts": "x",
            "docs/guide.md": "# g",
        },
        "CH004",
        id="CH004 a bare file name found in the repo, a path with a line or anchor (Kbediako__CO)",
    ),
    pytest.param(
        FOREIGN,
        {
            "tasks/t.md": KB_TASK + "## Source / Assumptions\n"
            "- [x] Parent-provided source anchors preserved. Evidence: `docs/a.md`.\n"
            "- [x] Child lane did not call Linear mutation helpers. Evidence: packet-only docs "
            "lane.\n",
            "docs/a.md": "a",
        },
        "CH003",
        id="CH003 evidence written, but no path (Kbediako__CO tasks-linear-813d1f69...md:29)",
    ),
    pytest.param(
        FOREIGN,
        {
            "tasks/t.md": KB_TASK + "## Docs\n- [x] PRD drafted. Evidence: `docs/a.md`.\n\n"
            "## Protected Issue Terms\n- [x] provider-worker manifest patch\n"
            "- [x] `goal_evidence`\n- [x] advisory_only\n",
            "docs/a.md": "a",
        },
        "CH003",
        id="CH003 a list of terms in a section without evidence (Kbediako__CO linear-2be8cd2c:22)",
    ),
    pytest.param(
        FOREIGN,
        {
            "tasks/t.md": "# Task List\n\n## Parent Tasks\n8. **Efficiency Optimizations**\n"
            "   - Subtask: Bounded guard decisions\n"
            "     - Files: `packages/orchestrator/src/exec/handle-service.ts`\n"
            "     - Acceptance: `handle.decisions` pruned; Evidence: `.runs/0303/manifest.json`.\n"
            "     - [x] Status: _completed 2025-11-06_\n",
            ".runs/0303/manifest.json": "{}",
        },
        "CH003",
        id="CH003 a ticked Status line whose Acceptance sibling names evidence "
        "(Kbediako__CO .agent/task/0303-orchestrator-autonomy.md:87)",
    ),
    pytest.param(
        FOREIGN,
        {
            "tasks/t.md": KB_TASK + "## Validation\n"
            "- [x] Initial live queue audit. Evidence: live GitHub reads on 2026-05-25.\n"
            "- [x] `node scripts/spec-guard.mjs --dry-run` passed.\n"
            "- [x] `npm run build` passed.\n- [x] `npm run lint` passed.\n"
        },
        "CH003",
        id="CH003 a validation list whose items name no evidence "
        "(Kbediako__CO tasks-linear-6c71f385...md:51)",
    ),
    pytest.param(
        FOREIGN,
        {
            ".agents/sessions/s.md": "# Session 86\n\n## Session End Checklist\n\n"
            "- [x] Analysis document created and saved\n"
            "- [x] Validation evidence gathered and documented\n- [x] Session log created\n\n"
            "## Protocol Compliance\n\n| Req | Step | Status | Evidence |\n|--|--|--|--|\n"
            "| MUST | Read HANDOFF | [x] | read |\n"
        },
        "CH003",
        id="CH003 a session log's checklist (rjmurillo__ai-agents 2025-12-23-session-86...md:101)",
    ),
    pytest.param(
        FOREIGN,
        {
            ".agents/sessions/s.md": "# Session 73\n\n## Session End Checklist\n\n"
            "- [x] All review comments addressed (20/20 replies)\n- [x] CI checks pass\n\n"
            "**Evidence**:\n\n- Commit abc1234 pushed\n"
        },
        "CH003",
        id="CH003 a checklist proved by an Evidence block below it "
        "(rjmurillo__ai-agents 2025-12-23-session-73...md:126)",
    ),
    pytest.param(
        FOREIGN,
        {
            "docs/standards/money.md": "# 资金类型安全\n\n**已实现**:\n"
            "- [x] `ScaledAmount` / `ScaledAmountSigned` 定义\n"
            "- [x] `checked_add` / `checked_sub` 安全算术\n\n**已完成**：\n"
            "- [x] `src/funding/deposit.rs`\n"
        },
        "CH003",
        id="CH003 a standard's implemented list (gjwang__zero_x_infinity "
        "docs/standards/money-type-safety.md:86)",
    ),
    pytest.param(
        FOREIGN,
        {
            "planning/board.md": "# Board\n\n"
            "| Task ID | Task | Status | Last Updated | Output Links | Next Task |\n"
            "|---|---|---|---|---|---|\n"
            "| TASK-432 | Code | ✅ completed | 02-14-2026 | xipe-toolbar-core.js, build.py | QA |\n"
            "| TASK-1022 | Design | ✅ done | 03-30-2026 | [technical-design.md](x/td.md) | - |\n"
            "| TASK-1063 | Closing | ✅ done | 04-03-2026 | Pushed to main (70190da) | - |\n"
        },
        "CH003",
        id="CH003 proof in an Output Links column (Young-Z__X-IPE task-board-archive-2.md:335)",
    ),
    pytest.param(
        FOREIGN,
        {
            "docs/backlog/reviews/review.md": "---\ntype: review\nid: REV-EPIC-16\n"
            "status: approved\n---\n\n# Review\n\n## Decision\n\n- [x] ADR-0042 approved\n"
            "- [x] EPIC-16 scope accepted\n"
        },
        "CH003",
        id="CH003 a review's checklist with IDs (paunchygent__skriptoteket "
        "review-epic-16-catalog-discovery.md:92)",
    ),
    pytest.param(
        FOREIGN,
        {
            "docs/backlog/reviews/review.md": "---\ntype: review\nid: REV-EPIC-08\n"
            'title: "Review"\nstatus: approved\nlevel: senior\n---\n\n# Review\n'
        },
        "CH011",
        id="CH011 another tool's frontmatter (paunchygent__skriptoteket "
        "review-epic-08-ai-edit-ops-v2.md:5)",
    ),
    pytest.param(
        SPECKIT,
        {
            "specs/001-projspec-mvp/tasks.md": "# Tasks\n\n- [X] T001 Create structure\n"
            "- [X] T069 [US8] Add spec metadata move\n",
            "specs/005-rename-speckit-projspec/tasks.md": "# Tasks\n\n- [ ] T001 Rename\n"
            "- [ ] T069 Execute `/projspec.plan` (manual)\n",
        },
        "CH002 CH018",
        id="CH002/CH018 T001 in two feature folders (liorfranko__Spectra specs/*/tasks.md)",
    ),
    pytest.param(
        'plans = ["**/*.md"]\nrequire_frontmatter = false\n',
        {
            "packs/a/audit-reports/cohesion-audit.report.md": "# Audit\n\n- [ ] CH-0001 Seam\n",
            "packs/b/audit-remediations/cohesion-audit.report.md": "# Audit\n\n"
            "- [ ] CH-0001 Other\n",
        },
        "CH002",
        id="CH002 per-pack audit reports numbering from CH-0001 "
        "(atomize-hq__agent-wrappers packs/implemented/*/cohesion-audit.report.md)",
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
            "tasks/t.md": KB_TASK + "## Docs-First\n- [x] PRD drafted. Evidence: "
            "`docs/PRD-linear-x.md`.\n- [x] Fixtures. Evidence: `evaluation/fixtures/adoption/`.\n"
            "- [x] Review. Evidence: `out/x/manual/00-summary.md`.\n"
        },
        [
            ("CH004", 4, "docs/PRD-linear-x.md does not exist"),
            ("CH004", 5, "evaluation/fixtures/adoption/ does not exist"),
            ("CH004", 6, "out/x/manual/00-summary.md does not exist"),
        ],
        id="CH004 paths that are not there (Kbediako__CO tasks-linear-*.md)",
    ),
    pytest.param(
        FOREIGN,
        {
            "tasks/t.md": KB_TASK
            + "## Validation\n- [x] Lint. Evidence: `codex.orchestrator.json`.\n"
            "- [x] Skill. Evidence: `/Users/kb/Code/symphony/SKILL.md`.\n"
        },
        [
            ("CH004", 4, "codex.orchestrator.json does not exist"),
            ("CH005", 5, "/Users/kb/Code/symphony/SKILL.md is outside the repository"),
        ],
        id="CH004/CH005 a bare file name nowhere in the repo, a path on the author's machine "
        "(Kbediako__CO)",
    ),
    pytest.param(
        FOREIGN,
        {
            ".agent/task/t.md": KB_TASK + "## Validation\n"
            "- [x] Focused coverage passed: `LinearCliShell` (`5` files / `227` tests).\n"
            "- [x] Review executed. Evidence: `.runs/x/review/telemetry.json`.\n"
            "- [x] Manual review completed. Evidence: `out/x/manual-review.md`.\n",
            ".runs/x/review/telemetry.json": "{}",
            "out/x/manual-review.md": "ok",
        },
        [("CH003", 4, "end the item with 'Evidence: `path`'")],
        id="CH003 the one item of an evidence section without it "
        "(Kbediako__CO .agent/task/linear-3cdd7af3...md:20)",
    ),
    pytest.param(
        FOREIGN,
        {
            "planning/board.md": "# Board\n\n"
            "| Task ID | Task | Status | Last Updated | Output Links | Next Task |\n"
            "|---|---|---|---|---|---|\n"
            "| TASK-987 | Skill Update | ✅ done | 03-24-2026 | — | — |\n"
            "| TASK-942 | Code | ✅ done | 03-17-2026 | 03-17-2026 | closing |\n"
        },
        [
            ("CH003", 5, "put the path or link in its 'Output Links' cell"),
            ("CH003", 6, "put the path or link in its 'Output Links' cell"),
        ],
        id="CH003 a done row with an empty Output Links cell "
        "(Young-Z__X-IPE task-board-archive-3.md:48, :89)",
    ),
    pytest.param(
        FOREIGN,
        {
            "planning/board.md": "# Board\n\n| Task ID | Task | Status |\n|---|---|---|\n"
            "| TASK-689 | Feature Acceptance Test | blocked |\n"
            "| TASK-689 | Feature Breakdown | blocked |\n"
        },
        [("CH002", 6, "duplicate task ID TASK-689")],
        id="CH002 one ID given to two tasks (Young-Z__X-IPE task-board-archive-2.md:147)",
    ),
    pytest.param(
        'plans = ["tasks/*.md"]\nrequire_frontmatter = false\nanonymous_tasks = true\n'
        'mirrors = [".agent/task/*.md"]\n',
        {
            "tasks/tasks-0303-x.md": "# T\n\n- [ ] Streamed unified exec events\n",
            ".agent/task/0303-x.md": "# T\n\n- [x] Streamed unified exec events\n",
        },
        [("CH018", 3, "is [x] here but [ ] in its copy")],
        id="CH018 copies of one checklist under two names (Kbediako__CO tasks-0303, .agent/task)",
    ),
    pytest.param(
        FOREIGN,
        {"docs/plans/p.md": "---\nid: p\ntitle: P\nlevel: L5\nnext_review: soon\n---\n# P\n"},
        [
            ("CH011", 4, "level 'L5' is not one of"),
            ("CH011", 5, "next_review 'soon' is not a date"),
        ],
        id="CH011 keys charter acts on, written wrong, in frontmatter it does not require",
    ),
    pytest.param(
        None,
        {
            "docs/plans/a.md": "---\nid: a\ntitle: A\n---\n# A\n\n- [x] **ST-A-1** Done thing\n"
            "\n| ID | Title | Status |\n|--|--|--|\n| ST-A-2 | Row | Done |\n"
        },
        [
            ("CH003", 7, "add a bullet '- Evidence: `path`' under it, or run `charter task done"),
            ("CH003", 11, "add an Evidence column to its table"),
        ],
        id="CH003 in charter's own plans, with a fix for the task's shape",
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
