"""The edit gate over the task an edit changed, not the whole plan: the rules whose
findings are a task's own.

A task edit in one plan of 50,000 tasks changes one task's lines; charter.parse.splice
parses that task's top-level item again and keeps every other task as it was (moved
down by the lines inserted). The gate asks which errors the edit brings into the plan:
the errors after it less the errors before (by code and message). A rule whose findings
on a plan are the findings on each of its top-level tasks (with their subtasks) taken
alone finds the same on every other task before and after: over the piece alone, the
two sides differ exactly as over the whole plan. The other rules read the plan as a
whole (its frontmatter, its problems, its tables) and stay whole-plan; they cost little.

`PER_TASK` holds the rules that read one task tree at a time (its fields, checkbox,
status and subtasks, and the file's lines around it); tests/checks/test_gate_piece.py
holds them to that on generated and real plans, and compares the gate's verdict over
the piece with the whole plan's on random edits.
"""

from __future__ import annotations

from collections.abc import Sequence

from charter import rulecodes
from charter.checks.registry import Rule
from charter.config import Config

PER_TASK = frozenset(
    {
        rulecodes.UNKNOWN_STATUS,
        rulecodes.CHECKBOX_STATUS_MISMATCH,
        rulecodes.PARENT_DONE_OPEN_SUBTASKS,
    }
)
# CH003 reads one task where the plans are charter's own; elsewhere it asks whether the
# task's section (the lines between two headings) names evidence anywhere: whole-plan.
_PER_TASK_STRICT = frozenset({rulecodes.DONE_WITHOUT_EVIDENCE})


def per_task_codes(config: Config) -> frozenset[str]:
    """The rule codes whose findings are each task tree's own under `config`."""
    return PER_TASK | _PER_TASK_STRICT if config.require_frontmatter else PER_TASK


def split_rules(config: Config, rules: Sequence[Rule]) -> tuple[list[Rule], list[Rule]]:
    """`rules` as (those run over the edited piece alone, those run over the whole plan)."""
    codes = per_task_codes(config)
    return [r for r in rules if r.code in codes], [r for r in rules if r.code not in codes]
