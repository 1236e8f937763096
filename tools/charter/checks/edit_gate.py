"""Edits that `charter check` would reject are refused before they are written.

`charter task done/set/block` and the MCP writes edit one plan. Before the new
text replaces the old, the plan rules `charter check` runs (every enabled rule
that reads only the plans and session logs) judge the repository with the
edited plan in place; an error the edit would introduce into that plan (a
parent done with open subtasks, CH010; a checkbox that contradicts the status,
CH009; ...) refuses the edit with the rule's own message, and the file stays
as it was. Findings the plan already had are not the edit's doing and do not
block it.

The rules need not read the whole repository for that (checks.gate_scope): the
rules that read one file at a time run over the plan alone, and the rules that
compare files over the plan and the few files that mention its task IDs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

from charter.checks.engine import enabled_rules, repo_findings
from charter.checks.gate_scope import scoped_errors
from charter.checks.registry import Rule
from charter.config import Config
from charter.errors import CharterError
from charter.model import Diagnostic, Plan
from charter.repo import RepoModel, load_repo
from charter.tasks.edit import EditedPlan, Validator

_SHOWN = 3


def edit_validator(config: Config) -> Validator:
    """A validator for `charter.tasks.edit`: raises CharterError when the edited plan would
    carry an error `charter check` reports and the plan before the edit did not."""
    rules = [rule for rule in enabled_rules(config) if rule.world_check is None]

    def validate(edit: EditedPlan) -> None:
        before, after = edit.before, edit.after
        scoped = scoped_errors(config, rules, edit, date.today())
        if scoped is not None:
            old_errors, new_errors = scoped
        else:  # an edit the scoped reading cannot judge alone: the whole repository
            repo = load_repo(config)
            old_errors, new_errors = _errors(rules, repo, before), _errors(rules, repo, after)
        fresh = introduced(old_errors, new_errors)
        if not fresh:
            return
        shown = "; ".join(f"{d.code} {d.message}" for d in fresh[:_SHOWN])
        more = f" (and {len(fresh) - _SHOWN} more)" if len(fresh) > _SHOWN else ""
        first = fresh[0]
        raise CharterError(
            f"edit refused, {after.path} was not changed: `charter check` would then report "
            f"{shown}{more}",
            first.path,
            first.line,
        )

    return validate


def introduced(before: list[Diagnostic], after: list[Diagnostic]) -> list[Diagnostic]:
    """The errors of `after` that `before` did not have (by code and message, as a multiset:
    line numbers move when an edit inserts a line)."""
    old = Counter((d.code, d.message) for d in before)
    fresh: list[Diagnostic] = []
    for d in after:
        key = (d.code, d.message)
        if old[key]:
            old[key] -= 1
        else:
            fresh.append(d)
    return fresh


def _with_plan(repo: RepoModel, plan: Plan) -> RepoModel:
    """The repository with `plan` in place of the file of the same path."""
    plans = [p for p in repo.plans if p.path != plan.path]
    at = next((i for i, p in enumerate(repo.plans) if p.path == plan.path), len(plans))
    plans.insert(at, plan)
    return replace(repo, plans=tuple(plans))


def _errors(rules: list[Rule], repo: RepoModel, plan: Plan) -> list[Diagnostic]:
    """The errors the rules find in `plan` when it is in the repository."""
    found = repo_findings(rules, _with_plan(repo, plan))
    return sorted(d for d in found if d.severity == "error" and d.path == plan.path)
