"""Every rule charter checks, in one explicit dict.

A rule is data plus a pure function: `check(repo) -> Iterator[Diagnostic]`.
Rules that read files or git beyond the plans and logs also carry
`world_check(world)`: they run on every check, while the other rules'
findings are remembered as long as nothing they read changes (checks.memo).
Each has a code and a kebab-case name (both from the one table in
charter.rulecodes), a one-line summary and a page at docs/rules/<code>-<name>.md;
tests/checks/test_registry.py keeps the three in step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from charter import rulecodes
from charter.checks import (
    claim_rules,
    commit_rules,
    evidence_rules,
    mirror_rules,
    plan_rules,
    task_rules,
)
from charter.model import Diagnostic, Severity
from charter.repo import RepoModel
from charter.sandbox import widened
from charter.world import World


@dataclass(frozen=True)
class Rule:
    code: str
    summary: str
    check: Callable[[RepoModel], Iterator[Diagnostic]]
    severity: Severity = "error"
    world_check: Callable[[World], Iterator[Diagnostic]] | None = None

    @property
    def name(self) -> str:
        return rulecodes.name_of(self.code)


def _world_rule(code: str, summary: str, check: Callable[[World], Iterator[Diagnostic]]) -> Rule:
    return Rule(code, summary, lambda repo: check(repo.world), world_check=check)


_ALL = (
    Rule(
        rulecodes.PARSE_ERROR,
        "invalid YAML frontmatter, an unclosed frontmatter block, or an unreadable file",
        plan_rules.parse_problems(rulecodes.PARSE_ERROR),
    ),
    Rule(
        rulecodes.DUPLICATE_TASK_ID,
        "the same task ID is defined twice, in one plan or across plans",
        task_rules.duplicate_task_id,
    ),
    Rule(
        rulecodes.DONE_WITHOUT_EVIDENCE,
        "a done task names no evidence path",
        task_rules.done_without_evidence,
    ),
    _world_rule(
        rulecodes.EVIDENCE_MISSING,
        "a done task's evidence path does not exist",
        lambda world: task_rules.evidence_findings(world, rulecodes.EVIDENCE_MISSING),
    ),
    _world_rule(
        rulecodes.EVIDENCE_OUTSIDE_REPO,
        "an evidence path points outside the repository",
        lambda world: task_rules.evidence_findings(world, rulecodes.EVIDENCE_OUTSIDE_REPO),
    ),
    Rule(
        rulecodes.UNKNOWN_DEPENDENCY,
        "a task depends on an ID that no plan defines",
        task_rules.unknown_dependency,
    ),
    Rule(
        rulecodes.DEPENDENCY_CYCLE,
        "tasks depend on each other in a cycle",
        task_rules.dependency_cycle,
    ),
    Rule(
        rulecodes.UNKNOWN_STATUS,
        "a status that maps to no board column",
        task_rules.unknown_status,
    ),
    Rule(
        rulecodes.CHECKBOX_STATUS_MISMATCH,
        "the checkbox contradicts the status field",
        task_rules.checkbox_status_mismatch,
    ),
    Rule(
        rulecodes.PARENT_DONE_OPEN_SUBTASKS,
        "a done task still has open subtasks",
        task_rules.parent_done_open_subtasks,
    ),
    Rule(
        rulecodes.PLAN_FRONTMATTER,
        "plan frontmatter is missing, incomplete or of the wrong type",
        plan_rules.plan_frontmatter,
    ),
    Rule(
        rulecodes.SESSION_UNKNOWN_TASK,
        "a session log names a task no plan defines",
        plan_rules.session_unknown_task,
    ),
    Rule(
        rulecodes.SESSION_PLACEHOLDER,
        "a closed session log still holds template placeholders",
        plan_rules.session_placeholder,
    ),
    Rule(
        rulecodes.PLAN_REVIEW_OVERDUE,
        "a plan is past its next_review date",
        plan_rules.review_overdue,
        "warning",
    ),
    Rule(
        rulecodes.TABLE_SHAPE,
        "a table row with the wrong number of cells, or a pipe in a code span",
        plan_rules.parse_problems(rulecodes.TABLE_SHAPE),
    ),
    Rule(
        rulecodes.FILE_ENCODING,
        "invalid UTF-8, a byte-order mark, or mixed line endings",
        plan_rules.parse_problems(rulecodes.FILE_ENCODING),
    ),
    Rule(
        rulecodes.NESTING_TOO_DEEP,
        "lists nested so deep that content would be dropped",
        plan_rules.parse_problems(rulecodes.NESTING_TOO_DEEP),
    ),
    Rule(
        rulecodes.CHECKLIST_MIRROR,
        "copies of one task in several files disagree on its checkbox or status",
        mirror_rules.checklist_mirror,
    ),
    _world_rule(
        rulecodes.EVIDENCE_HASH_MISMATCH,
        "evidence no longer matches the sha256 recorded next to it, or vanished",
        lambda world: evidence_rules.findings(world, rulecodes.EVIDENCE_HASH_MISMATCH),
    ),
    _world_rule(
        rulecodes.EVIDENCE_MANIFEST_INVALID,
        "evidence is a damaged charter run manifest",
        lambda world: evidence_rules.findings(world, rulecodes.EVIDENCE_MANIFEST_INVALID),
    ),
    _world_rule(
        rulecodes.EVIDENCE_RUN_FAILED,
        "a done task's evidence manifest records a failed or denied run",
        lambda world: evidence_rules.findings(world, rulecodes.EVIDENCE_RUN_FAILED),
    ),
    _world_rule(
        rulecodes.EVIDENCE_WRONG_TASK,
        "a done task's evidence manifest records a run for another task",
        lambda world: evidence_rules.findings(world, rulecodes.EVIDENCE_WRONG_TASK),
    ),
    _world_rule(
        rulecodes.EVIDENCE_DIRTY_TREE,
        "a done task's evidence manifest records a dirty tree, and the policy requires a clean one",
        lambda world: evidence_rules.findings(world, rulecodes.EVIDENCE_DIRTY_TREE),
    ),
    _world_rule(
        rulecodes.FORBIDDEN_FILE_COMMITTED,
        "a file the policy forbids (forbidden_paths) is staged or tracked in git",
        lambda world: commit_rules.findings(world, rulecodes.FORBIDDEN_FILE_COMMITTED),
    ),
    _world_rule(
        rulecodes.FILE_TOO_LARGE,
        "a staged or tracked file is larger than the policy's max_file_size_kb",
        lambda world: commit_rules.findings(world, rulecodes.FILE_TOO_LARGE),
    ),
    _world_rule(
        rulecodes.DECISION_RECORD_MISSING,
        "a change touches needs_decision_record paths and adds no file under docs/adr/",
        lambda world: commit_rules.findings(world, rulecodes.DECISION_RECORD_MISSING),
    ),
    _world_rule(
        rulecodes.PROTECTION_CHANGED_UNAPPROVED,
        "a staged change to the guard's protections in an agent session that names no approver",
        lambda world: commit_rules.findings(world, rulecodes.PROTECTION_CHANGED_UNAPPROVED),
    ),
    Rule(
        rulecodes.TOUCHES_CLAIMED_TASK,
        "a commit touches files declared (Touches:) by a task another agent has claimed",
        lambda repo: claim_rules.touches_claimed(repo.world),
        severity="warning",
        world_check=claim_rules.touches_claimed,
    ),
    Rule(
        rulecodes.REVIEWED_PATHS_CHANGED,
        "a task's referenced paths changed since the commit it was last reviewed at",
        lambda repo: claim_rules.review_drift(repo.world),
        severity="warning",
        world_check=claim_rules.review_drift,
    ),
    _world_rule(
        rulecodes.AGENT_SANDBOX_WIDENED,
        "an agent's config runs commands outside its sandbox (a Codex allow rule, "
        "danger-full-access, a Claude Code sandbox switched off or with exclusions)",
        widened.findings,
    ),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _ALL}
