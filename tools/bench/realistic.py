"""Plans shaped like the ones real repositories keep for their agents.

Each document kind imitates a layout seen in public governance corpora:
task checklists whose lines run to hundreds of characters with `Evidence:`
manifest paths; roadmaps with long table cells and mermaid fences; Chinese
plans with emoji status legends and Rust fences; one large "snapshot" file
with very long headings; action plans that are mostly prose; session logs.
Every generator returns the number of tasks charter must find in what it
wrote, counted by the rules charter reads tasks by (a checklist item with an
ID, any checklist item nested in a task, a table row with an ID cell).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta

Doc = tuple[str, str, int]  # (path inside the repository, text, tasks in it)

VERBS = (
    "Implement",
    "Persist",
    "Harden",
    "Document",
    "Validate",
    "Extract",
    "Freeze",
    "Reassess",
    "Mirror",
    "Align",
    "Record",
    "Wire",
    "Backfill",
    "Retire",
    "Bound",
)
THINGS = (
    "the approval cache",
    "retry metadata",
    "the exec session manager",
    "manifest hashing",
    "the delegation guard",
    "provider parent proof",
    "the review wrapper",
    "telemetry exporters",
    "the instruction loader",
    "sandbox retries",
    "JSONL streaming",
    "the scheduler fan-out",
    "the standalone review launcher",
    "docs freshness checks",
)
DETAILS = (
    "with unit coverage",
    "behind a feature flag",
    "without widening the public surface",
    "while preserving fail-closed behaviour",
    "and record the decision in the manifest",
    "under 64 KiB caps",
    "for every child lane",
    "so stale claims are rejected",
    "keeping the legacy path for one release",
    "with a focused regression test",
)
PATHS = (
    "orchestrator/src/cli/config/delegationConfig.ts",
    "scripts/run-review.ts",
    "tests/run-review.spec.ts",
    "packages/shared/manifest/writer.ts",
    "schemas/manifest.json",
    "docs/standalone-review-guide.md",
    "tasks/index.json",
    "docs/docs-freshness-registry.json",
    "orchestrator/tests/DelegationConfig.test.ts",
    "src/wal/snapshot.rs",
    "src/ledger/mod.rs",
)
OWNERS = ("Orchestrator", "Review", "Docs", "Runtime", "QA", "DevOps", "开发者", "架构师", "测试")
STATUS = (
    ("Done - 2025-12-22", "x"),
    ("Completed", "x"),
    ("✅ DONE", "x"),
    ("In Progress", " "),
    ("Backlog", " "),
    ("Blocked", " "),
    ("Review", " "),
    ("🟢 Done", "x"),
    ("🟡 In Progress", " "),
    ("🔴 Open", " "),
)
ZH = (
    "实现 WAL 快照写入与恢复",
    "撮合引擎在重放时保持确定性",
    "结算模块的余额校验",
    "账户系统的幂等处理",
    "修复 QA 报告的边界条件",
    "补充端到端测试并记录结果",
    "审查快照格式的向后兼容性",
    "确认交接文档中的阻塞项已解决",
    "性能基准：冷启动与热启动对比",
)
TECH = (
    "Current local smoke evidence is `codex-cli 0.140.0` with `goals` and `multi_agent` stable",
    "docs-review passed before implementation",
    "the packet preserves full source issue fields",
    "parent implementation, validation and standalone review are complete",
    "PR lifecycle and workpad mutation remain parent-owned",
    "the fallback was removed so rejection now fails closed",
)


class _Corpus:
    """What the documents share: task IDs unique per prefix, and the run
    manifests their Evidence fields name (written too, but for a few)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.next: dict[str, int] = {}
        self.runs: list[str] = []

    def id(self, prefix: str) -> str:
        self.next[prefix] = self.next.get(prefix, 100) + 1
        return f"{prefix}-{self.next[prefix]}"

    def run(self, slug: str) -> str:
        rng = self.rng
        day = date(2025, 11, 1) + timedelta(days=rng.randint(0, 200))
        clock = f"{rng.randint(0, 23):02d}-{rng.randint(0, 59):02d}-00-{rng.randint(100, 999)}Z"
        path = f".runs/{slug}/cli/{day.isoformat()}T{clock}-{rng.getrandbits(32):08x}/manifest.json"
        self.runs.append(path)
        return path


def _sentence(rng: random.Random, paths: int = 2) -> str:
    files = ", ".join(f"`{p}`" for p in rng.sample(PATHS, paths))
    return f"{rng.choice(VERBS)} {rng.choice(THINGS)} {rng.choice(DETAILS)} — {files}"


def _frontmatter(rng: random.Random, plan_id: str, title: str) -> list[str]:
    if rng.random() < 0.3:
        return []  # many real plans have none: charter reports it
    review = date(2031, 1, 1) + timedelta(days=rng.randint(0, 300))
    return [
        "---",
        f"id: {plan_id}",
        f'title: "{title}"',
        "status: active",
        f"owner: {rng.choice(OWNERS)}",
        f"next_review: {review.isoformat()}",
        "---",
        "",
    ]


def checklist(rng: random.Random, c: _Corpus, number: int) -> Doc:
    slug = f"{number:04d}-{rng.choice(THINGS).replace(' ', '-')}"
    title = f"{rng.choice(VERBS)} {rng.choice(THINGS)}"
    lines = [
        *_frontmatter(rng, f"CO-PLAN-{number}", title),
        f"# Task Checklist — {title} ({number:04d})",
        "",
        f"> Export `MCP_RUNNER_TASK_ID={slug}` before executing orchestrator commands. "
        f"Mirror status across `/tasks`, `docs/TASKS.md`, and `.agent/task/{slug}.md`. Flip "
        f"`[ ]` to `[x]` only after attaching the manifest path (e.g., `{c.run(slug)}`) "
        "that proves completion.",
        "",
    ]
    tasks = 0
    for _ in range(rng.randint(3, 8)):
        lines += [f"## {rng.choice(VERBS)} {rng.choice(THINGS)}", ""]
        for _ in range(rng.randint(2, 7)):
            status, mark = rng.choice(STATUS)
            roll = rng.random()
            if roll < 0.15:  # a checklist line without an ID: not a task
                lines.append(f"- [{mark}] {_sentence(rng)}; Evidence: `{c.run(slug)}`.")
                continue
            tasks += 1
            task = f"- [{mark}] **{c.id('CO')}** {_sentence(rng, rng.randint(1, 4))}"
            if roll < 0.6:
                lines.append(f"{task}; Evidence: `{c.run(slug)}` ({rng.choice(TECH)}).")
                continue
            lines += [
                task,
                f"  - Status: {status}",
                f"  - Owner: {rng.choice(OWNERS)}",
                f"  - Acceptance: {rng.choice(TECH)}",
            ]
            if mark == "x":
                lines.append(f"  - Evidence: `{c.run(slug)}`")
            for _ in range(rng.choice((0, 0, 1, 2))):
                tasks += 1  # nested in a task: a subtask, ID or not
                proof = f"; Evidence: `{c.run(slug)}`" if mark == "x" and rng.random() < 0.8 else ""
                lines.append(f"  - [{mark}] {_sentence(rng, 1)}{proof}")
        lines.append("")
    return f"docs/plans/tasks/tasks-{slug}.md", "\n".join(lines), tasks


def roadmap(rng: random.Random, c: _Corpus, number: int) -> Doc:
    title = f"Autonomous Long Session Plan {number}"
    lines = [
        *_frontmatter(rng, f"LS-PLAN-{number}", title),
        f"# {title} (Draft 2025-10-19)",
        "",
        f"**Goal:** {rng.choice(TECH)}; {_sentence(rng, 3)}.",
        "",
        "## Pre-flight Checklist",
    ]
    lines += [f"{i}. Read `{rng.choice(PATHS)}` and {rng.choice(THINGS)}." for i in range(1, 6)]
    lines += [
        "",
        "```mermaid",
        "flowchart TD",
        *(f"    Task{i} --> Task{i + 1}" for i in range(1, rng.randint(4, 12))),
        "```",
        "",
        "## Task Roadmap (execute in order)",
        "",
        "| ID | Task | Output | Spec / Doc | Status | Evidence |",
        "|----|------|--------|------------|--------|----------|",
    ]
    rows = rng.randint(8, 30)
    for _ in range(rows):
        status, mark = rng.choice(STATUS)
        output = "<br>".join(_sentence(rng, 1) for _ in range(rng.randint(1, 3)))
        evidence = f"`{c.run(f'ls-{number}')}`" if mark == "x" else "—"
        lines.append(
            f"| {c.id('LS')} | {_sentence(rng, 1)} | {output} | `{rng.choice(PATHS)}` "
            f"\\| {rng.choice(THINGS)} | {status} | {evidence} |"
        )
    lines += [
        "",
        "## Execution Notes",
        *(f"- {rng.choice(TECH)}." for _ in range(rng.randint(3, 9))),
        "",
        "```bash",
        "make test && behave features",
        "```",
        "",
    ]
    return f"docs/plans/roadmaps/roadmap-{number:03d}.md", "\n".join(lines), rows


def chinese(rng: random.Random, c: _Corpus, number: int) -> Doc:
    title = f"0x{number:02X} {rng.choice(ZH)}"
    lines = [
        *_frontmatter(rng, f"ZX-PLAN-{number}", title),
        f"# {title}：开发计划",
        "",
        "> 角色：架构师 → 开发者。状态图例：🔴 未开始 · 🟡 进行中 · 🟢 已完成",
        "",
        "## 任务",
        "",
    ]
    tasks = 0
    for _ in range(rng.randint(4, 12)):
        status, mark = rng.choice(STATUS)
        tasks += 1
        lines += [
            f"- [{mark}] **{c.id(f'ZX-{number:02X}')}** {rng.choice(ZH)}（`{rng.choice(PATHS)}`）",
            f"  - **Status**: {status}",
            f"  - **Owner**: {rng.choice(OWNERS)}",
            f"  - **Notes**: {rng.choice(ZH)}；{rng.choice(ZH)}。",
        ]
        if mark == "x":
            lines.append(f"  - **Evidence**: `{c.run(f'zx-{number}')}`")
    lines += [
        "",
        "## 设计说明",
        "",
        f"{rng.choice(ZH)}。{rng.choice(ZH)}。{rng.choice(ZH)}。",
        "",
        "```rust",
        "// 快照在写入前先落盘 WAL",
        "pub fn snapshot(&self) -> Result<()> {",
        "    let _guard = self.lock.write();  // - [ ] **ZX-00-01** 不是任务",
        "    Ok(())",
        "}",
        "```",
        "",
        "| ID | 描述 | 负责人 | Status | Evidence |",
        "|----|------|--------|--------|----------|",
    ]
    for _ in range(rng.randint(3, 10)):
        status, mark = rng.choice(STATUS)
        tasks += 1
        evidence = f"`{c.run(f'zx-{number}')}`" if mark == "x" else ""
        lines.append(
            f"| {c.id(f'ZX-{number:02X}')} | {rng.choice(ZH)} | {rng.choice(OWNERS)} "
            f"| {status} | {evidence} |"
        )
    lines.append("")
    return f"docs/plans/zh/0x{number:02X}-plan.md", "\n".join(lines), tasks


def action_plan(rng: random.Random, c: _Corpus, number: int) -> Doc:
    title = f"Action Plan — {rng.choice(VERBS)} {rng.choice(THINGS)} (Task {number:04d})"
    lines = [
        *_frontmatter(rng, f"AP-PLAN-{number}", title),
        f"# {title}",
        "",
        "## Status Snapshot",
        f"- Current Phase: {rng.choice(TECH)}.",
        f"- Run Manifest Link: `{c.run('ap')}`.",
        "",
        "## Milestones & Tasks",
    ]
    milestones = rng.randint(3, 7) - 1  # each "N. Milestone:" line is a task
    for i in range(1, milestones + 1):
        lines += [
            f"{i}. Milestone: {rng.choice(VERBS)} {rng.choice(THINGS)}",
            f"   - Tasks: {'; '.join(_sentence(rng, 1) for _ in range(rng.randint(2, 5)))}.",
        ]
    lines += [
        "",
        "## Risks & Mitigations",
        *(f"- {rng.choice(THINGS).capitalize()}: {rng.choice(DETAILS)}." for _ in range(4)),
        "",
        "## Next Review",
        "- Date: 2031-11-10",
        f"- Agenda: {rng.choice(TECH)}.",
        "",
    ]
    return f"docs/plans/action-plans/ACTION_PLAN-{number:04d}.md", "\n".join(lines), milestones


def snapshot(rng: random.Random, c: _Corpus, target: int) -> Doc:
    """One large TASKS.md: multi-kilobyte headings, each over a checklist."""
    lines: list[str] = []
    size = tasks = 0
    while size < target:
        issue = c.id("CO-SNAP")
        heading = (
            f"# Task List Snapshot - {issue} {rng.choice(THINGS)} - Docs Packet 2026-06-17: "
            + "; ".join(
                f"{rng.choice(TECH)} ({_sentence(rng, 3)})" for _ in range(rng.randint(4, 12))
            )
            + ". Evidence: "
            + ", ".join(f"`{p}`" for p in rng.sample(PATHS, 6))
            + "."
        )
        block = [heading, ""]
        for _ in range(rng.randint(2, 8)):
            _, mark = rng.choice(STATUS)
            tasks += 1
            block.append(
                f"- [{mark}] **{c.id('CO')}** {_sentence(rng, 3)}; Evidence: `{c.run(issue)}`."
            )
        block.append("")
        lines += block
        size += sum(len(line.encode()) + 1 for line in block)
    return "docs/plans/TASKS.md", "\n".join(lines), tasks


def session(rng: random.Random, number: int) -> Doc:
    day = date(2025, 12, 1) + timedelta(days=number)
    task = f"CO-{rng.randint(101, 150)}"
    lines = [
        "---",
        f"id: S-{number:04d}",
        f"task: {task}",
        "level: L1",
        "agent: codex",
        "status: closed",
        "---",
        "",
        f"# Session {number:04d} — {task}",
        "",
        "## Goal",
        "",
        f"{_sentence(rng, 2)}.",
        "",
        "## Commands run",
        "",
        "```bash",
        *(f"npm run {rng.choice(('test', 'lint', 'review', 'build'))}" for _ in range(4)),
        "```",
        "",
        "## Results",
        "",
        *(f"- {rng.choice(TECH)}." for _ in range(rng.randint(3, 10))),
        "",
        "## Handoff",
        "",
        f"{rng.choice(ZH)}。",
        "",
    ]
    return f"docs/agents/sessions/{day.isoformat()}_session-{number:04d}.md", "\n".join(lines), 0


_KINDS: tuple[tuple[Callable[[random.Random, _Corpus, int], Doc], float], ...] = (
    (checklist, 0.45),
    (roadmap, 0.2),
    (chinese, 0.15),
    (action_plan, 0.2),
)


def documents(rng: random.Random, target_bytes: int) -> Iterator[Doc]:
    """Documents adding up to about `target_bytes`: a quarter in one large
    snapshot file, a few percent in session logs, the rest in plans; then the
    run manifests their evidence names, all but about 3 %."""
    c = _Corpus(rng)
    total = 0
    doc = snapshot(rng, c, target_bytes // 4)
    total += len(doc[1].encode())
    yield doc
    for number in range(1, max(2, target_bytes // 60_000) + 1):
        doc = session(rng, number)
        total += len(doc[1].encode())
        yield doc
    makers, weights = zip(*_KINDS, strict=True)
    counters = dict.fromkeys(makers, 0)
    while total < target_bytes:
        (make,) = rng.choices(makers, weights)
        counters[make] += 1
        doc = make(rng, c, counters[make])
        total += len(doc[1].encode())
        yield doc
    for path in c.runs:
        if rng.random() >= 0.03:
            yield path, '{"status": "succeeded"}\n', 0
