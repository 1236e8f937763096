"""Rules about plan files and session logs as documents."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import date

from charter.model import Diagnostic, Plan, SessionLog
from charter.repo import RepoModel
from charter.rulecodes import (
    PARSE_ERROR,
    PLAN_FRONTMATTER,
    PLAN_REVIEW_OVERDUE,
    SESSION_PLACEHOLDER,
    SESSION_UNKNOWN_TASK,
)

LEVELS = ("L0", "L1", "L2", "L3")
_STRING_FIELDS = ("id", "title", "status", "owner", "level")
_PLAN_STATUSES = ("draft", "active", "done", "archived", "paused", "blocked")


def parse_problems(code: str) -> Callable[[RepoModel], Iterator[Diagnostic]]:
    """A rule that surfaces the parser's own problems with this code."""

    def check(repo: RepoModel) -> Iterator[Diagnostic]:
        docs: list[Plan | SessionLog] = [*repo.plans, *repo.sessions]
        for doc in docs:
            for problem in doc.problems:
                if problem.code == code:
                    yield problem

    return check


def plan_frontmatter(repo: RepoModel) -> Iterator[Diagnostic]:
    config = repo.config
    for plan in repo.plans:
        if any(p.code == PARSE_ERROR for p in plan.problems):
            continue  # the parse error says it already
        fm, lines = plan.frontmatter, plan.frontmatter_lines
        if not plan.has_frontmatter:
            if config.require_frontmatter:
                wanted = ", ".join(config.plan_required_fields)
                yield Diagnostic(
                    plan.path,
                    1,
                    1,
                    PLAN_FRONTMATTER,
                    f"plan has no frontmatter: start it with --- and {wanted} ---",
                )
            continue
        if not config.require_frontmatter:
            yield from _foreign_frontmatter(plan)
            continue
        for key in config.plan_required_fields:
            if key not in fm or fm[key] in (None, ""):
                yield Diagnostic(
                    plan.path, 1, 1, PLAN_FRONTMATTER, f"frontmatter is missing '{key}'"
                )
        for key, value in fm.items():
            line = lines.get(key, 1)
            if isinstance(value, bool) and key in _STRING_FIELDS:
                yield Diagnostic(
                    plan.path,
                    line,
                    1,
                    PLAN_FRONTMATTER,
                    f"'{key}' was read as {str(value).lower()} (YAML 1.1 reads "
                    f"yes/no/on/off as booleans): quote the value",
                )
            elif key in _STRING_FIELDS and value is not None and not isinstance(value, str | int):
                yield Diagnostic(plan.path, line, 1, PLAN_FRONTMATTER, f"'{key}' must be text")
        level = fm.get("level")
        if isinstance(level, str) and level not in LEVELS:
            yield Diagnostic(
                plan.path,
                lines.get("level", 1),
                1,
                PLAN_FRONTMATTER,
                f"level {level!r} is not one of {', '.join(LEVELS)}",
            )
        status = fm.get("status")
        if (
            isinstance(status, str)
            and status.lower() not in _PLAN_STATUSES
            and config.column_for_status(status) is None
        ):
            yield Diagnostic(
                plan.path,
                lines.get("status", 1),
                1,
                PLAN_FRONTMATTER,
                f"plan status {status!r} is not one of {', '.join(_PLAN_STATUSES)}",
            )
        yield from _acted_on_keys(plan)


def _foreign_frontmatter(plan: Plan) -> Iterator[Diagnostic]:
    """Frontmatter charter does not require is another tool's schema (`type`, `status:
    approved`, `id: 7`): only the keys charter acts on, written as charter writes them, are
    checked. A `level: senior` is someone else's key; a `level: L5` is a slip."""
    fm, lines = plan.frontmatter, plan.frontmatter_lines
    level = fm.get("level")
    if isinstance(level, str) and re.fullmatch(r"L\d+", level) and level not in LEVELS:
        yield Diagnostic(
            plan.path,
            lines.get("level", 1),
            1,
            PLAN_FRONTMATTER,
            f"level {level!r} is not one of {', '.join(LEVELS)}",
        )
    yield from _acted_on_keys(plan)


def _acted_on_keys(plan: Plan) -> Iterator[Diagnostic]:
    """`next_review` (CH014 reads it) and `requires` (`session start` runs them)."""
    fm, lines = plan.frontmatter, plan.frontmatter_lines
    review = fm.get("next_review")
    if review is not None and review_date(review) is None:
        yield Diagnostic(
            plan.path,
            lines.get("next_review", 1),
            1,
            PLAN_FRONTMATTER,
            f"next_review {review!r} is not a date (YYYY-MM-DD)",
        )
    requires = fm.get("requires")
    if requires is not None and not (
        isinstance(requires, list) and all(isinstance(r, str) for r in requires)
    ):
        yield Diagnostic(
            plan.path,
            lines.get("requires", 1),
            1,
            PLAN_FRONTMATTER,
            "'requires' must be a list of commands",
        )


def review_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def review_overdue(repo: RepoModel) -> Iterator[Diagnostic]:
    for plan in repo.plans:
        when = review_date(plan.frontmatter.get("next_review"))
        if when is not None and when < repo.today:
            status = str(plan.frontmatter.get("status", "")).lower()
            if status in ("done", "archived"):
                continue
            line = plan.frontmatter_lines.get("next_review", 1)
            days = (repo.today - when).days
            yield Diagnostic(
                plan.path,
                line,
                1,
                PLAN_REVIEW_OVERDUE,
                f"plan review was due {when.isoformat()} ({days} days ago)",
                "warning",
            )


def session_unknown_task(repo: RepoModel) -> Iterator[Diagnostic]:
    named = []
    for session in repo.sessions:
        task = session.task
        if task is not None:
            named.append((session.path, task, session.frontmatter_lines.get("task", 1)))
    return sessions_naming_unknown_tasks(named, repo.task_index())


def sessions_naming_unknown_tasks(
    named: Iterable[tuple[str, str, int]], known: Collection[str]
) -> Iterator[Diagnostic]:
    """CH012 over (log, the task it names, its line), given every task ID the plans define."""
    for path, task, line in named:
        if task not in known:
            yield Diagnostic(
                path,
                line,
                1,
                SESSION_UNKNOWN_TASK,
                f"session log names task {task}, which no plan defines",
            )


def session_placeholder(repo: RepoModel) -> Iterator[Diagnostic]:
    pattern = repo.config.placeholder_re
    for session in repo.sessions:
        if str(session.frontmatter.get("status", "")).lower() in ("active", "aborted"):
            continue  # an open session fills its log as it goes; an aborted one never will
        for number, line in enumerate(session.text.split("\n"), session.body_line):
            match = pattern.search(line)
            if match:
                yield Diagnostic(
                    session.path,
                    number,
                    match.start() + 1,
                    SESSION_PLACEHOLDER,
                    f"template placeholder left in the log: {match.group(0)!r}",
                )
