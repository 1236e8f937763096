"""`charter import github issues.json`: GitHub issues as plans.

The input is what `gh issue list --state all --limit 1000 --json
number,title,state,labels,milestone,body` prints. Issue #64 becomes task #64.
An issue labelled as an epic (`epic`, `type/epic`, `type: epic`, ...) becomes a
parent task whose subtasks are the issues it lists (`- [ ] #75`) or that name
it (`Part of #74`, `Epic: #74`, `Parent: #74`). Each milestone becomes a plan;
epics without a milestone get one plan each; the rest go to
`github-issues.md`. Open issues take their status from a status label
(`status/in progress`, `blocked`) when one maps to a board column.
Dependencies come from "Depends on #12", "Blocked by #12", "Requires #12";
"Blocks #12" points the other way. The body is kept, fenced.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from charter.config import Config
from charter.errors import CharterError
from charter.importers.writer import ImportResult, PlanSpec, TaskSpec, read_json, slug
from charter.model import Diagnostic

_EPIC_LABEL = re.compile(r"^(?:type|kind|issue[ -]?type)?\s*[:/]?\s*epic$", re.I)
_NUMBER = r"#(\d+)"
_PARENT = re.compile(rf"\b(?:part of|epic|parent(?: epic| issue)?|child of)\s*:?\s*{_NUMBER}", re.I)
_WAITS = re.compile(
    rf"\b(?:depends on|blocked by|requires|after)\s*:?\s*((?:{_NUMBER}[\s,&and]*)+)", re.I
)
_BLOCKS = re.compile(rf"\bblocks\s*:?\s*((?:{_NUMBER}[\s,&and]*)+)", re.I)
_LISTED = re.compile(rf"^\s*[-*+]\s+(?:\[[ xX]\]\s+)?{_NUMBER}\b", re.M)


def import_github(source: Path, rel: str, config: Config, out_dir: str) -> ImportResult:
    text, data = read_json(source, rel)
    if not isinstance(data, list):
        raise CharterError(
            "expected a JSON list of issues (gh issue list --json number,title,"
            "state,labels,milestone,body)",
            rel,
            1,
        )
    result = ImportResult()
    lines = _number_lines(text)
    issues: dict[int, dict[str, Any]] = {}
    for index, issue in enumerate(data):
        number = issue.get("number") if isinstance(issue, dict) else None
        if isinstance(number, bool) or not isinstance(number, int):
            title = issue.get("title", "") if isinstance(issue, dict) else ""
            result.diagnostics.append(
                Diagnostic(
                    rel,
                    _title_line(text, title),
                    1,
                    "GH001",
                    f"issue {index + 1} ({str(title)[:50]!r}) has no number: not imported (is this "
                    "`gh issue list --json number,...` output?)",
                )
            )
            continue
        if number in issues:
            result.diagnostics.append(
                Diagnostic(
                    rel,
                    lines.get(number, 1),
                    1,
                    "GH002",
                    f"issue #{number} is listed twice; the first is imported",
                )
            )
            continue
        issues[number] = issue
    if not issues:
        return result  # every problem is already a diagnostic
    specs = {n: _task(issue, config) for n, issue in issues.items()}
    epics = {n for n, issue in issues.items() if any(_EPIC_LABEL.match(x) for x in _labels(issue))}
    parent = _parents(issues, epics)
    _dependencies(issues, specs, rel, lines, result.diagnostics)
    for child, epic in sorted(parent.items()):
        specs[epic].subtasks.append(specs[child])
    groups: dict[str, list[TaskSpec]] = {}
    for number in sorted(issues):
        if number in parent:
            continue
        milestone = _milestone(issues[number])
        if milestone:
            key = f"milestone:{milestone}"
        elif number in epics:
            key = f"epic:{number}"
        else:
            key = "issues"
        groups.setdefault(key, []).append(specs[number])
    for key, tasks in groups.items():
        kind, _, name = key.partition(":")
        if kind == "milestone":
            plan_id, title = f"github-milestone-{slug(name)}", f"Milestone: {name}"
        elif kind == "epic":
            plan_id, title = (
                f"github-epic-{name}",
                f"Epic #{name}: {issues[int(name)].get('title', '')}",
            )
        else:
            plan_id, title = "github-issues", "GitHub issues"
        result.plans.append(
            PlanSpec(
                path=f"{out_dir}/{plan_id}.md",
                id=plan_id,
                title=title,
                source=rel,
                intro=f"Imported from `{rel}` by `charter import github`. This plan is now the "
                "source for these issues' tasks.",
                sections=[("Issues", tasks)],
            )
        )
    return result


def _labels(issue: dict[str, Any]) -> list[str]:
    labels = issue.get("labels") or []
    names = [(x.get("name") if isinstance(x, dict) else x) for x in labels]
    return [str(n) for n in names if n]


def _milestone(issue: dict[str, Any]) -> str | None:
    milestone = issue.get("milestone")
    if isinstance(milestone, dict):
        milestone = milestone.get("title")
    return str(milestone) if milestone else None


def _task(issue: dict[str, Any], config: Config) -> TaskSpec:
    state = str(issue.get("state") or "").upper()
    reason = str(issue.get("stateReason") or "").upper()
    if state == "CLOSED":
        status = "Not planned" if reason == "NOT_PLANNED" else "Closed"
    else:
        status = "Open"
        for label in _labels(issue):
            # "status/in progress", "blocked": a label that places an open issue on the board.
            wanted = re.sub(r"^(?:status|state)\s*[:/]\s*", "", label, flags=re.I)
            if config.column_for_status(wanted) not in (None, config.open_column):
                status = wanted
                break
    spec = TaskSpec(f"#{issue['number']}", str(issue.get("title") or ""), status=status)
    labels = _labels(issue)
    if labels:
        spec.fields.append(("Labels", ", ".join(labels)))
    priority = next(
        (
            re.sub(r"^priority\s*[:/]\s*", "", x, flags=re.I)
            for x in labels
            if re.match(r"^priority\s*[:/]", x, re.I)
        ),
        None,
    )
    if priority:
        spec.fields.append(("Priority", priority))
    if _milestone(issue):
        spec.fields.append(("Milestone", _milestone(issue) or ""))
    for key in ("assignees", "url"):
        value = issue.get(key)
        if isinstance(value, list):
            value = ", ".join(
                str(v.get("login", v)) if isinstance(v, dict) else str(v) for v in value
            )
        if value:
            spec.fields.append(("Owner" if key == "assignees" else "Url", str(value)))
    body = str(issue.get("body") or "")
    if body.strip():
        spec.blocks.append(("Body", body))
    return spec


def _parents(issues: dict[int, dict[str, Any]], epics: set[int]) -> dict[int, int]:
    """child issue -> epic issue: listed in the epic's body, or naming the epic in its own."""
    parent: dict[int, int] = {}
    for epic in sorted(epics):
        for found in _LISTED.findall(str(issues[epic].get("body") or "")):
            child = int(found)
            if child in issues and child != epic and child not in epics:
                parent.setdefault(child, epic)
    for number, issue in issues.items():
        if number in epics or number in parent:
            continue
        named = _PARENT.search(str(issue.get("body") or ""))
        if named and int(named.group(1)) in epics:
            parent[number] = int(named.group(1))
    return parent


def _dependencies(
    issues: dict[int, dict[str, Any]],
    specs: dict[int, TaskSpec],
    rel: str,
    lines: dict[int, int],
    diagnostics: list[Diagnostic],
) -> None:
    def add(waiting: int, on: int) -> None:
        if waiting == on:
            return
        dep = f"#{on}"
        if on not in issues:
            diagnostics.append(
                Diagnostic(
                    rel,
                    lines.get(waiting, 1),
                    1,
                    "GH003",
                    f"#{waiting} depends on {dep}, which is not in this file",
                    "warning",
                )
            )
        if waiting in specs and dep not in specs[waiting].depends:
            specs[waiting].depends.append(dep)

    for number, issue in issues.items():
        body = str(issue.get("body") or "")
        for group in _WAITS.findall(body):
            for on in re.findall(_NUMBER, group[0]):
                add(number, int(on))
        for group in _BLOCKS.findall(body):
            for other in re.findall(_NUMBER, group[0]):
                if int(other) in issues:
                    add(int(other), number)


def _number_lines(text: str) -> dict[int, int]:
    found: dict[int, int] = {}
    for line_no, line in enumerate(text.splitlines(), 1):
        for match in re.finditer(r'"number"\s*:\s*(\d+)', line):
            found.setdefault(int(match.group(1)), line_no)
    return found


def _title_line(text: str, title: object) -> int:
    needle = json.dumps(str(title))
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 and title else 1
