"""The edit gate over the edited piece (charter.checks.gate_piece) judges as over the whole
plan: the per-task rules find on a plan what they find on each of its top-level tasks
alone, and on random edits the errors the gate says an edit introduces are the same
whether it reads the piece or the whole plan."""

from __future__ import annotations

import contextlib
import random
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

import charter.checks.gate_scope
import charter.tasks.edit
from charter import piece_memo
from charter.checks.edit_gate import introduced
from charter.checks.engine import enabled_rules, repo_findings
from charter.checks.facts import one_file_repo
from charter.checks.gate_piece import per_task_codes
from charter.checks.gate_scope import scoped_errors
from charter.config import Config, load_config
from charter.errors import CharterError
from charter.model import Diagnostic, Plan
from charter.parse.plans import parse_plan
from charter.parse.splice import piece_scope
from charter.repo import RepoModel
from charter.tasks import edit
from charter.tasks.edit import EditedPlan

ROOT = Path(__file__).resolve().parents[2]
SHARED_EXAMPLES = ROOT.parent / "shared" / "examples"
STATUSES = ("Backlog", "Todo", "In Progress", "Review", "Blocked", "Done", "Wobbly")


def _plan(seed: int, tasks: int = 40) -> str:
    """A plan whose tasks carry the findings the per-task rules make: unknown statuses,
    checkboxes that contradict the status, done tasks without evidence, done parents with
    open subtasks, under headings of their own."""
    rng = random.Random(seed)
    lines = ["---", "id: G", "title: Gate plan", "---", "# Gate plan", ""]
    for n in range(1, tasks + 1):
        if n % 10 == 1:
            lines += [f"## Part {n // 10}", ""]
        status = rng.choice(STATUSES)
        box = rng.choice(" x") if rng.random() < 0.2 else ("x" if status == "Done" else " ")
        lines += [f"- [{box}] **G-{n}** Task {n}", f"  - Status: {status}"]
        if status == "Done" and rng.random() < 0.6:
            lines.append("  - Evidence: `proof.txt`")
        if rng.random() < 0.25:
            sub = rng.choice(STATUSES[:6])
            sub_box = "x" if sub == "Done" else " "
            lines += [f"  - [{sub_box}] **G-{n}a** Step of {n}", f"    - Status: {sub}"]
    return "\n".join(lines) + "\n"


def _repo(tmp_path: Path, text: str, settings: str = "") -> Config:
    root = tmp_path / "repo"
    (root / "docs" / "plans").mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "charter.toml").write_text(settings, encoding="utf-8")
    (root / "proof.txt").write_text("ok\n", encoding="utf-8")
    (root / "docs" / "plans" / "gate.md").write_text(text, encoding="utf-8")
    return load_config(root)


def _findings(config: Config, plan: Plan, codes: frozenset[str]) -> Counter[Diagnostic]:
    rules = [r for r in enabled_rules(config) if r.code in codes]
    template = RepoModel(config.root, config, (), (), date.today(), (), False)
    return Counter(repo_findings(rules, one_file_repo(template, plan, "plan")))


def _documents() -> list[tuple[str, str]]:
    found = [(f"generated-{seed}", _plan(seed)) for seed in range(4)]
    for path in sorted((ROOT / "examples").rglob("docs/plans/**/*.md")):
        found.append((path.name, path.read_text(encoding="utf-8")))
    if SHARED_EXAMPLES.is_dir():
        for path in sorted(SHARED_EXAMPLES.rglob("*.md")):
            found.append((path.name, path.read_text(encoding="utf-8", errors="replace")))
    return found


@pytest.mark.parametrize("settings", ["", "require_frontmatter = false\n"], ids=["own", "foreign"])
def test_the_per_task_rules_find_on_a_plan_what_they_find_on_each_task_alone(
    settings: str, tmp_path: Path
) -> None:
    judged = 0
    for name, text in _documents():
        config = _repo(tmp_path, text, settings)
        plan = parse_plan("docs/plans/gate.md", text.encode("utf-8"), config)
        codes = per_task_codes(config)
        whole = _findings(config, plan, codes)
        alone: Counter[Diagnostic] = Counter()
        for task in plan.tasks:
            alone += _findings(config, replace(plan, tasks=(task,)), codes)
        assert whole == alone, name
        judged += sum(whole.values())
    assert judged > 20  # the plans hold findings of these rules to compare


def _counting(read: list[int]) -> Callable[[Plan, Plan], tuple[Plan, Plan]]:
    def scope(before: Plan, after: Plan) -> tuple[Plan, Plan]:
        found = piece_scope(before, after)
        if piece_memo.between(before, after) is not None:
            read.extend(len(version.tasks) for version in found)
        return found

    return scope


def _verdicts(config: Config, edit_: EditedPlan) -> tuple[Counter[object], Counter[object]] | None:
    """The errors the gate says the edit introduces: over the piece, and over the whole plan;
    None for an edit the splice left to a full parse (a task next to a heading)."""
    rules = [rule for rule in enabled_rules(config) if rule.world_check is None]
    today = date.today()
    scoped = scoped_errors(config, rules, edit_, today)
    assert scoped is not None
    saved = piece_memo.between(edit_.before, edit_.after)
    if saved is None:
        return None
    piece_memo.forget()
    whole = scoped_errors(config, rules, edit_, today)
    piece_memo.offer(saved)
    assert whole is not None

    def key(found: tuple[list[Diagnostic], list[Diagnostic]]) -> Counter[object]:
        return Counter((d.code, d.message) for d in introduced(*found))

    return key(scoped), key(whole)


@pytest.mark.parametrize("seed", range(8))
def test_random_edits_get_the_whole_plan_s_verdict(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    config = _repo(tmp_path, _plan(seed))
    refused = judged = 0
    # What the gate and the edit's read-back compare of a spliced edit: the piece, one task.
    read: list[int] = []
    for module in (charter.checks.gate_scope, charter.tasks.edit):
        monkeypatch.setattr(module, "piece_scope", _counting(read))

    def validate(edited: EditedPlan) -> None:
        nonlocal refused, judged
        verdicts = _verdicts(config, edited)
        if verdicts is None:
            return
        over_piece, over_plan = verdicts
        assert over_piece == over_plan
        judged += 1
        if over_piece:
            refused += 1
            raise CharterError("refused by the gate")

    ids = [f"G-{n}" for n in range(1, 41)]
    for _ in range(25):
        task_id = rng.choice(ids)
        kind = rng.randrange(4)
        try:
            if kind == 0:
                edit.set_status(config, task_id, rng.choice(STATUSES[:6]), validate=validate)
            elif kind == 1:
                edit.mark_done(config, task_id, "proof.txt", validate=validate)
            elif kind == 2:
                edit.block(config, task_id, "waiting", validate=validate)
            else:
                edit.set_field(config, task_id, "owner", "ann", validate=validate)
        except CharterError:
            continue
    assert judged > 10
    assert read and max(read) == 1, read  # never the whole plan again
    # And an edit the gate refuses over the piece: a task set done without evidence (CH003).
    for task_id in ids:
        if refused:
            break
        with contextlib.suppress(CharterError):
            edit.set_status(config, task_id, "Done", validate=validate)
    assert refused
