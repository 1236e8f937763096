"""Benchmark corpora: governed repositories generated deterministically from a seed.

Two kinds, each written as a complete repository (a `charter.toml` at its root)
that `charter check --repo DIR` reads as it is:

- synthetic: scale. By default 2,000 plans holding 50,000 tasks (checklist
  items with field bullets and subtasks, and table rows) and 5,000 session
  logs, with a small, realistic share of findings (missing evidence, unknown
  statuses and dependencies, placeholders left in logs).
- realistic: shape. About 1.8 MB of plans written the way real repositories
  write them (see realistic.py): long checklist lines, tables with long cells,
  code fences, Chinese text, files with and without frontmatter.

The same seed and sizes always give byte-identical files, so figures from
different runs and machines describe the same input. `ensure()` generates a
corpus once into a cache folder and reuses it while the generator is unchanged.

    python tools/bench/corpus.py synthetic /tmp/corpus --plans 20 --tasks 500 --sessions 50
    charter check --repo /tmp/corpus
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import realistic  # a sibling module, found through the line above

OUT_DIR = Path(__file__).resolve().parent / "out"
_STAMP = "corpus.json"
_CONFIG = "# A generated benchmark corpus: charter's defaults apply.\n"

_VOCABULARY = """
snapshot regression ingestion pipeline ceiling warm cold cache manifest telemetry
gate schema parser board handoff session policy guard retry budget index shard worker
queue export import audit review rollout migration fixture baseline metric latency
window checkpoint replay ledger settlement matching order account wallet sandbox
approval
"""
WORDS = tuple(_VOCABULARY.split())
OWNERS = ("Ingestion", "Platform", "Docs", "QA", "DevOps", "Architect", "Telemetry", "Agent")
# (status text, checkbox ticked) by how often it occurs; one unknown status in ~500 tasks.
STATUSES = (
    (("Backlog", False), 14),
    (("Todo", False), 8),
    (("Not started", False), 6),
    (("In Progress", False), 10),
    (("in-progress", False), 3),
    (("WIP", False), 2),
    (("Review", False), 5),
    (("Blocked", False), 3),
    (("On hold", False), 2),
    (("Done", True), 20),
    (("Done - 2025-12-22", True), 12),
    (("✅ DONE", True), 6),
    (("Completed", True), 4),
    (("Dropped", True), 2),
    (("Won't do", True), 2),
    (("Needs triage", False), 0.2),
)
_DONE_WORDS = ("done", "completed", "✅ done")


@dataclass(frozen=True)
class CorpusInfo:
    """What a generator wrote: the counts a parser of the corpus must find."""

    kind: str
    seed: int
    plans: int
    tasks: int
    sessions: int
    files: int  # every file written, evidence included
    bytes: int  # of the plans and session logs
    params: dict[str, int]


class _Writer:
    def __init__(self, root: Path):
        self.root = root
        self.files = 0
        self.bytes = 0  # of Markdown: what charter reads, not the evidence files it only finds

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        self.files += 1
        if rel.endswith(".md"):
            self.bytes += len(data)


def _split(total: int, parts: int, rng: random.Random, spread: float = 0.6) -> list[int]:
    """`parts` whole numbers, each at least 1, that add up to exactly `total`."""
    if parts <= 0:
        return []
    if total < parts:
        raise ValueError(f"cannot split {total} into {parts} parts of at least 1")
    weights = [1 + spread * (rng.random() * 2 - 1) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    for i in range(total - sum(counts)):  # hand out what rounding down left over
        counts[i % parts] += 1
    return counts


def _title(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(3, 7))
    return " ".join(words).capitalize()


def _status(rng: random.Random) -> tuple[str, bool]:
    ((text, ticked),) = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])
    return text, ticked


def _is_done(status: str) -> bool:
    return status.lower().startswith(_DONE_WORDS)


class _SyntheticPlan:
    """One plan: checklist tasks (some with subtasks), then maybe a table of tasks."""

    def __init__(self, rng: random.Random, number: int, tasks: int):
        self.rng = rng
        self.number = number
        self.tasks = tasks
        self.prefix = f"PL-{number:04d}"
        self.manifest = f".runs/{self.prefix}/manifest.json"

    def task_id(self, index: int) -> str:
        return f"{self.prefix}-{index:03d}"

    def render(self) -> str:
        rng, lines = self.rng, []
        review = date(2031, 1, 1) + timedelta(days=rng.randint(0, 365))
        if rng.random() < 0.01:
            review = date(2024, 6, 1)  # a plan whose review is overdue
        lines += [
            "---",
            f"id: {self.prefix}",
            f"title: {_title(rng)}",
            f"status: {rng.choice(('active', 'active', 'draft', 'done'))}",
            f"owner: {rng.choice(OWNERS)}",
            f"level: {rng.choice(('L1', 'L1', 'L2'))}",
            f"next_review: {review.isoformat()}",
            "---",
            "",
            f"# Plan {self.prefix}: {_title(rng)}",
            "",
            f"{_title(rng)}. {_title(rng)}; see `docs/notes/{self.prefix}.md`.",
            "",
        ]
        in_table = rng.randint(0, self.tasks // 2) if rng.random() < 0.5 else 0
        index = 1
        checklist = self.tasks - in_table
        if checklist:
            lines += ["## Tasks", ""]
        while index <= checklist:
            subtasks = min(rng.choice((0, 0, 0, 1, 2, 3)), checklist - index)
            lines += self.checklist_task(index, 0, subtasks)
            index += 1 + subtasks
            if rng.random() < 0.03:
                lines += [
                    "",
                    "```markdown",
                    "- [ ] **PL-0000-000** an example, not a task",
                    "```",
                    "",
                ]
        if in_table:
            lines += [
                "",
                "## Tracked in a table",
                "",
                "| ID | Title | Owner | Status | Depends | Evidence |",
                "|----|-------|-------|--------|---------|----------|",
            ]
            for _ in range(in_table):
                lines.append(self.table_row(index))
                index += 1
        lines += ["", "## Notes", "", f"- {_title(rng)}.", f"- {_title(rng)}.", ""]
        return "\n".join(lines)

    def fields(self, index: int, status: str) -> dict[str, str]:
        rng = self.rng
        found = {"Status": status, "Owner": rng.choice(OWNERS)}
        deps = self.depends(index)
        if deps:
            found["Depends"] = deps
        if rng.random() < 0.3:
            found["Level"] = rng.choice(("L1", "L2"))
        if rng.random() < 0.5:
            found["Acceptance"] = f"{_title(rng)} >= {rng.randint(10, 90)} %"
        if _is_done(status):
            roll = rng.random()
            if roll < 0.01:
                found["Evidence"] = f"`.runs/{self.prefix}/missing-{index}.json`"
            elif roll >= 0.015:  # the 0.5 % between names no evidence: a finding
                found["Evidence"] = f"`{self.manifest}`"
        return found

    def depends(self, index: int) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.002:
            return "XX-0000-001"  # names no task: a finding
        if roll < 0.25 and index > 1:
            return self.task_id(rng.randint(1, index - 1))
        if roll < 0.30 and self.number > 1:
            return f"PL-{rng.randint(1, self.number - 1):04d}-001"
        return ""

    def checklist_task(
        self, index: int, depth: int, subtasks: int, parent_done: bool = False
    ) -> list[str]:
        indent = "  " * depth
        status, ticked = _status(self.rng)
        while parent_done and not ticked and self.rng.random() < 0.98:
            status, ticked = _status(self.rng)  # a done parent's subtasks are mostly closed
        mark = "x" if ticked else " "
        lines = [f"{indent}- [{mark}] **{self.task_id(index)}** {_title(self.rng)}"]
        lines += [f"{indent}  - {k}: {v}" for k, v in self.fields(index, status).items()]
        for offset in range(1, subtasks + 1):
            lines += self.checklist_task(index + offset, depth + 1, 0, _is_done(status))
        return lines

    def table_row(self, index: int) -> str:
        status, _ = _status(self.rng)
        fields = self.fields(index, status)
        cells = [
            self.task_id(index),
            _title(self.rng),
            fields["Owner"],
            status,
            fields.get("Depends", "—"),
            fields.get("Evidence", ""),
        ]
        return "| " + " | ".join(cells) + " |"


def _session(rng: random.Random, number: int, task: str) -> tuple[str, str]:
    day = date(2025, 1, 1) + timedelta(days=number // 12)
    placeholder = rng.random() < 0.004
    result = "(fill in the results)" if placeholder else f"{_title(rng)}; tests pass."
    text = "\n".join(
        [
            "---",
            f"id: S-{number:05d}",
            f"task: {task}",
            f"level: {rng.choice(('L1', 'L1', 'L2'))}",
            f"agent: {rng.choice(('codex', 'claude-code'))}",
            "status: closed",
            f"started: {day.isoformat()}T{rng.randint(0, 23):02d}:00:00Z",
            "---",
            "",
            f"# Session {number:05d}: {task}",
            "",
            "## Goal",
            "",
            f"{_title(rng)}.",
            "",
            "## Plan",
            "",
            *(f"- {_title(rng)}" for _ in range(rng.randint(2, 5))),
            "",
            "## Commands",
            "",
            "```bash",
            "make test",
            f"charter task done {task}",
            "```",
            "",
            "## Results",
            "",
            result,
            "",
            "## Handoff",
            "",
            f"- Next: {_title(rng)}.",
            "",
        ]
    )
    return f"docs/agents/sessions/{day.isoformat()}_session-{number:05d}.md", text


def write_synthetic(
    dest: Path, plans: int = 2_000, tasks: int = 50_000, sessions: int = 5_000, seed: int = 0
) -> CorpusInfo:
    """Write the synthetic corpus into `dest` (which must be empty or absent)."""
    rng = random.Random(seed)
    out = _Writer(dest)
    out.write("charter.toml", _CONFIG)
    counts = _split(tasks, plans, rng)
    area_size = 100
    task_ids: list[str] = []
    for number, count in enumerate(counts, 1):
        plan = _SyntheticPlan(rng, number, count)
        area = (number - 1) // area_size + 1
        out.write(f"docs/plans/area-{area:02d}/plan-{number:04d}.md", plan.render())
        out.write(plan.manifest, json.dumps({"plan": plan.prefix, "status": "succeeded"}) + "\n")
        task_ids.extend(plan.task_id(i) for i in range(1, count + 1, 7))
    for number in range(1, sessions + 1):
        rel, text = _session(rng, number, rng.choice(task_ids))
        out.write(rel, text)
    params = {"plans": plans, "tasks": tasks, "sessions": sessions}
    return CorpusInfo("synthetic", seed, plans, tasks, sessions, out.files, out.bytes, params)


def write_realistic(dest: Path, target_bytes: int = 1_800_000, seed: int = 0) -> CorpusInfo:
    """Write about `target_bytes` of realistic plans (and a few session logs) into `dest`."""
    out = _Writer(dest)
    out.write("charter.toml", _CONFIG)
    plans = tasks = sessions = 0
    for rel, text, found in realistic.documents(random.Random(seed), target_bytes):
        out.write(rel, text)
        if rel.startswith("docs/plans/"):
            plans += 1
            tasks += found
        elif rel.startswith("docs/agents/sessions/"):
            sessions += 1
    params = {"target_bytes": target_bytes}
    return CorpusInfo("realistic", seed, plans, tasks, sessions, out.files, out.bytes, params)


_GENERATORS: dict[str, Callable[..., CorpusInfo]] = {
    "synthetic": write_synthetic,
    "realistic": write_realistic,
}


def _fingerprint() -> str:
    digest = hashlib.blake2b(digest_size=8)
    for module in (Path(__file__), Path(realistic.__file__)):
        digest.update(module.read_bytes())
    return digest.hexdigest()


def ensure(
    kind: str, out_dir: Path = OUT_DIR, seed: int = 0, **params: int
) -> tuple[Path, CorpusInfo]:
    """The corpus for (kind, seed, params) under `out_dir`, generated only when missing or stale."""
    generate = _GENERATORS[kind]
    label = "-".join(f"{k}{v}" for k, v in sorted(params.items()))
    root = out_dir / f"{kind}-s{seed}{'-' + label if label else ''}"
    stamp = root / _STAMP
    fingerprint = _fingerprint()
    if stamp.is_file():
        stored = json.loads(stamp.read_text("utf-8"))
        if stored.get("fingerprint") == fingerprint:
            return root, CorpusInfo(**stored["info"])
    tmp = root.with_name(root.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    info = generate(tmp, seed=seed, **params)
    (tmp / _STAMP).write_text(
        json.dumps({"fingerprint": fingerprint, "info": asdict(info)}, indent=2) + "\n", "utf-8"
    )
    shutil.rmtree(root, ignore_errors=True)
    tmp.rename(root)
    return root, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a benchmark corpus for charter.")
    parser.add_argument("kind", choices=sorted(_GENERATORS))
    parser.add_argument("dest", type=Path, help="an empty or missing folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plans", type=int, default=2_000, help="synthetic only")
    parser.add_argument("--tasks", type=int, default=50_000, help="synthetic only")
    parser.add_argument("--sessions", type=int, default=5_000, help="synthetic only")
    parser.add_argument("--bytes", type=int, default=1_800_000, help="realistic only")
    args = parser.parse_args(argv)
    if args.dest.exists() and any(args.dest.iterdir()):
        parser.error(f"{args.dest} is not empty")
    if args.kind == "synthetic":
        info = write_synthetic(args.dest, args.plans, args.tasks, args.sessions, args.seed)
    else:
        info = write_realistic(args.dest, args.bytes, args.seed)
    print(
        f"{info.kind} corpus in {args.dest}: {info.plans} plans, {info.tasks} tasks, "
        f"{info.sessions} session logs, {info.files} files, {info.bytes / 1e6:.2f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
