"""Every rule charter checks, in one explicit dict.

A rule is data plus a pure function: `check(repo) -> Iterator[Diagnostic]`.
Rules that read files or git beyond the plans and logs also carry
`world_check(world)`: they run on every check, while the other rules'
findings are remembered as long as nothing they read changes (checks.memo).
Each has a code, a kebab-case name, a one-line summary and a page at
docs/rules/<code>-<name>.md; tests/checks/test_registry.py keeps the three in step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

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
    name: str
    summary: str
    check: Callable[[RepoModel], Iterator[Diagnostic]]
    severity: Severity = "error"
    world_check: Callable[[World], Iterator[Diagnostic]] | None = None


def _world_rule(
    code: str, name: str, summary: str, check: Callable[[World], Iterator[Diagnostic]]
) -> Rule:
    return Rule(code, name, summary, lambda repo: check(repo.world), world_check=check)


_ALL = (
    Rule(
        "CH001",
        "parse-error",
        "invalid YAML frontmatter, an unclosed frontmatter block, or an unreadable file",
        plan_rules.parse_problems("CH001"),
    ),
    Rule(
        "CH002",
        "duplicate-task-id",
        "the same task ID is defined twice, in one plan or across plans",
        task_rules.duplicate_task_id,
    ),
    Rule(
        "CH003",
        "done-without-evidence",
        "a done task names no evidence path",
        task_rules.done_without_evidence,
    ),
    _world_rule(
        "CH004",
        "evidence-missing",
        "a done task's evidence path does not exist",
        lambda world: task_rules.evidence_findings(world, "CH004"),
    ),
    _world_rule(
        "CH005",
        "evidence-outside-repo",
        "an evidence path points outside the repository",
        lambda world: task_rules.evidence_findings(world, "CH005"),
    ),
    Rule(
        "CH006",
        "unknown-dependency",
        "a task depends on an ID that no plan defines",
        task_rules.unknown_dependency,
    ),
    Rule(
        "CH007",
        "dependency-cycle",
        "tasks depend on each other in a cycle",
        task_rules.dependency_cycle,
    ),
    Rule(
        "CH008",
        "unknown-status",
        "a status that maps to no board column",
        task_rules.unknown_status,
    ),
    Rule(
        "CH009",
        "checkbox-status-mismatch",
        "the checkbox contradicts the status field",
        task_rules.checkbox_status_mismatch,
    ),
    Rule(
        "CH010",
        "parent-done-open-subtasks",
        "a done task still has open subtasks",
        task_rules.parent_done_open_subtasks,
    ),
    Rule(
        "CH011",
        "plan-frontmatter",
        "plan frontmatter is missing, incomplete or of the wrong type",
        plan_rules.plan_frontmatter,
    ),
    Rule(
        "CH012",
        "session-unknown-task",
        "a session log names a task no plan defines",
        plan_rules.session_unknown_task,
    ),
    Rule(
        "CH013",
        "session-placeholder",
        "a closed session log still holds template placeholders",
        plan_rules.session_placeholder,
    ),
    Rule(
        "CH014",
        "plan-review-overdue",
        "a plan is past its next_review date",
        plan_rules.review_overdue,
        "warning",
    ),
    Rule(
        "CH015",
        "table-shape",
        "a table row with the wrong number of cells, or a pipe in a code span",
        plan_rules.parse_problems("CH015"),
    ),
    Rule(
        "CH016",
        "file-encoding",
        "invalid UTF-8, a byte-order mark, or mixed line endings",
        plan_rules.parse_problems("CH016"),
    ),
    Rule(
        "CH017",
        "nesting-too-deep",
        "lists nested so deep that content would be dropped",
        plan_rules.parse_problems("CH017"),
    ),
    Rule(
        "CH018",
        "checklist-mirror",
        "copies of one task in several files disagree on its checkbox or status",
        mirror_rules.checklist_mirror,
    ),
    _world_rule(
        "CH019",
        "evidence-hash-mismatch",
        "evidence no longer matches the sha256 recorded next to it, or vanished",
        lambda world: evidence_rules.findings(world, "CH019"),
    ),
    _world_rule(
        "CH020",
        "evidence-manifest-invalid",
        "evidence is a damaged charter run manifest",
        lambda world: evidence_rules.findings(world, "CH020"),
    ),
    _world_rule(
        "CH021",
        "evidence-run-failed",
        "a done task's evidence manifest records a failed or denied run",
        lambda world: evidence_rules.findings(world, "CH021"),
    ),
    _world_rule(
        "CH022",
        "evidence-wrong-task",
        "a done task's evidence manifest records a run for another task",
        lambda world: evidence_rules.findings(world, "CH022"),
    ),
    _world_rule(
        "CH023",
        "evidence-dirty-tree",
        "a done task's evidence manifest records a dirty tree, and the policy requires a clean one",
        lambda world: evidence_rules.findings(world, "CH023"),
    ),
    _world_rule(
        "CH024",
        "forbidden-file-committed",
        "a file the policy forbids (forbidden_paths) is staged or tracked in git",
        lambda world: commit_rules.findings(world, "CH024"),
    ),
    _world_rule(
        "CH025",
        "file-too-large",
        "a staged or tracked file is larger than the policy's max_file_size_kb",
        lambda world: commit_rules.findings(world, "CH025"),
    ),
    _world_rule(
        "CH026",
        "decision-record-missing",
        "a change touches needs_decision_record paths and adds no file under docs/adr/",
        lambda world: commit_rules.findings(world, "CH026"),
    ),
    _world_rule(
        "CH027",
        "protection-changed-unapproved",
        "a staged change to the guard's protections in an agent session that names no approver",
        lambda world: commit_rules.findings(world, "CH027"),
    ),
    Rule(
        "CH030",
        "touches-claimed-task",
        "a commit touches files declared (Touches:) by a task another agent has claimed",
        lambda repo: claim_rules.touches_claimed(repo.world),
        severity="warning",
        world_check=claim_rules.touches_claimed,
    ),
    Rule(
        "CH031",
        "reviewed-paths-changed",
        "a task's referenced paths changed since the commit it was last reviewed at",
        lambda repo: claim_rules.review_drift(repo.world),
        severity="warning",
        world_check=claim_rules.review_drift,
    ),
    _world_rule(
        "CH050",
        "agent-sandbox-widened",
        "an agent's config runs commands outside its sandbox (a Codex allow rule, "
        "danger-full-access, a Claude Code sandbox switched off or with exclusions)",
        widened.findings,
    ),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _ALL}
