"""`charter import backlog backlog/`: Backlog.md task files as one plan.

Backlog.md keeps one file per task, `backlog/tasks/task-12 - Title.md`, with
YAML frontmatter (id, title, status, assignee, labels, dependencies,
parent_task_id, priority, ...) and body sections (Description, Acceptance
Criteria as `- [ ] #1 ...`, Definition of Done, Implementation Plan,
Implementation Notes). Finished tasks may sit in `completed/`, drafts in
`drafts/`, archived ones in `archive/tasks/` and `archive/drafts/`; each folder
becomes a section of the plan. Subtasks (`parent_task_id`, or dotted IDs such
as task-12.1) nest under their parent. Every frontmatter key is kept; a
duplicate ID is reported with both files.

A project whose `config.yml` sets its own prefix (`task_prefix: "back"`, or
`prefixes: {task: back}`) still has `task-12` in older files and references:
those are read as BACK-12, the prefix spelled as the project's IDs spell it.
Acceptance criteria and the definition of done stay two lists. A backlog of
more than `PLAN_CAP` top-level tasks becomes one plan per milestone (or per
folder, without milestones), each cut into parts of at most `PLAN_CAP`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from charter.config import Config
from charter.errors import CharterError
from charter.importers.writer import ImportResult, PlanSpec, TaskSpec, slug
from charter.model import Diagnostic
from charter.parse.frontmatter import split_frontmatter
from charter.parse.source import decode

# (folder under backlog/, section title, status note for tasks filed there)
_FOLDERS = (
    ("tasks", "Tasks", None),
    ("completed", "Completed", None),
    ("drafts", "Drafts", "Draft"),
    ("archive/tasks", "Archived", "Archived"),
    ("archive/drafts", "Archived drafts", "Archived"),
)
_KNOWN = {
    "id",
    "title",
    "status",
    "assignee",
    "dependencies",
    "parent_task_id",
    "priority",
    "labels",
    "updated_date",
    "subtasks",
}
_CHECK = re.compile(r"^\s*[-*+]\s+\[(?P<mark>[ xX])\]\s+(?P<text>.*)$")
_MARKER = re.compile(r"^\s*<!--\s*(?:SECTION|AC|DOD):[A-Z_:]*\s*-->\s*$")
_CHECKLIST_SECTIONS = {
    "acceptance criteria": "Acceptance criteria",
    "definition of done": "Definition of done",
}
_FILE_ID = re.compile(r"^(?P<id>[A-Za-z]+-\d+(?:\.\d+)*)")
_LEGACY = re.compile(r"^task-(?P<number>\d+(?:\.\d+)*)$", re.I)
_PREFIX_KEY = re.compile(r"^\s*(?:task_prefix|task)\s*:\s*[\"']?(?P<prefix>[A-Za-z][\w]*)", re.M)
PLAN_CAP = 150  # top-level tasks per written plan


def import_backlog(directory: Path, rel: str, config: Config, out_dir: str) -> ImportResult:
    if not directory.is_dir():
        raise CharterError("not a directory: give the Backlog.md folder (backlog/)", rel)
    result = ImportResult()
    entries: list[tuple[str, TaskSpec, str | None, str, int]] = []  # section, spec, parent, file
    seen: dict[str, str] = {}
    milestones: dict[str, str] = {}
    reads = []
    for folder, section, note in _FOLDERS:
        for path in sorted((directory / folder).glob("*.md"), key=_natural):
            file_rel = f"{rel.rstrip('/')}/{folder}/{path.name}"
            read = _read_task(path, file_rel, note, result.diagnostics)
            if read is not None:
                reads.append((section, file_rel, read))
    canon = _canonical_ids(directory, [read[0].id or "" for _s, _f, read in reads])
    for section, file_rel, read in reads:
        spec, parent, line, milestone = read
        spec.id = canon(spec.id or "")
        spec.depends = [canon(d) for d in spec.depends]
        parent = canon(parent) if parent else None
        if milestone:
            milestones[spec.id] = milestone
        if spec.id in seen:
            result.diagnostics.append(
                Diagnostic(
                    file_rel,
                    line,
                    1,
                    "BL002",
                    f"duplicate task ID {spec.id}: also in {seen[spec.id]}; both are imported",
                )
            )
        seen.setdefault(spec.id or "", file_rel)
        entries.append((section, spec, parent, file_rel, line))
    if not entries:
        raise CharterError(
            "no Backlog.md task files found (looked in tasks/, completed/, drafts/, archive/)", rel
        )
    by_id = {spec.id: spec for _s, spec, _p, _f, _l in reversed(entries)}
    sections: dict[str, list[TaskSpec]] = {title: [] for _f, title, _n in _FOLDERS}
    parents = {spec.id: parent for _s, spec, parent, _f, _l in entries}
    for section, spec, parent, file_rel, line in entries:
        home = by_id.get(parent) if parent and not _loops(spec.id, parents) else None
        if parent and home is None:
            result.diagnostics.append(
                Diagnostic(
                    file_rel,
                    line,
                    1,
                    "BL003",
                    f"{spec.id}: parent task {parent} is not among the imported files; "
                    "imported as a top-level task",
                    "warning",
                )
            )
        if home is not None and home is not spec:
            home.subtasks.append(spec)
        else:
            sections[section].append(spec)
    for _section, spec, _parent, file_rel, line in entries:
        for dep in spec.depends:
            if dep not in by_id:
                result.diagnostics.append(
                    Diagnostic(
                        file_rel,
                        line,
                        1,
                        "BL004",
                        f"{spec.id} depends on {dep}, which no imported file defines",
                        "warning",
                    )
                )
    for name, unit_sections in _units(sections, milestones):
        suffix = f"-{slug(name)}" if name else ""
        result.plans.append(
            PlanSpec(
                path=f"{out_dir}/backlog{suffix}.md",
                id=f"backlog{suffix}",
                title=f"Backlog: {name}" if name else "Backlog",
                source=rel,
                intro=f"Imported from `{rel}` by `charter import backlog`. This plan is now the "
                "source: edit it, not the task files.",
                sections=unit_sections,
            )
        )
    return result


def _canonical_ids(directory: Path, ids: list[str]) -> Callable[[str], str]:
    """Legacy `task-N` as the project's own prefix (`BACK-N`), when it has another one."""
    try:
        configured = _PREFIX_KEY.search((directory / "config.yml").read_text("utf-8"))
    except (OSError, UnicodeDecodeError):
        configured = None
    spelled = Counter(i.rsplit("-", 1)[0] for i in ids if "-" in i and not _LEGACY.match(i))
    prefix = configured.group("prefix") if configured else None
    if prefix is None and spelled:
        prefix = spelled.most_common(1)[0][0]
    if prefix is None or prefix.lower() == "task":
        return lambda ref: ref
    # The prefix as the task files spell it (`back` in the config, BACK-12 in the files).
    written = next((p for p in spelled if p.lower() == prefix.lower()), prefix.upper())

    def canon(ref: str) -> str:
        legacy = _LEGACY.match(ref.strip())
        return f"{written}-{legacy.group('number')}" if legacy else ref

    return canon


def _units(
    sections: dict[str, list[TaskSpec]], milestones: dict[str, str]
) -> list[tuple[str, list[tuple[str, list[TaskSpec]]]]]:
    """The plans to write: one while the backlog is small; else one per milestone (per folder
    without milestones), each cut into parts of at most PLAN_CAP top-level tasks."""
    if sum(len(tasks) for tasks in sections.values()) <= PLAN_CAP:
        return [("", list(sections.items()))]
    by_unit: dict[str, dict[str, list[TaskSpec]]] = {}
    for section, tasks in sections.items():
        for task in tasks:
            unit = milestones.get(task.id or "") if milestones else section
            by_unit.setdefault(unit or "no milestone", {}).setdefault(section, []).append(task)
    units: list[tuple[str, list[tuple[str, list[TaskSpec]]]]] = []
    for unit, unit_sections in by_unit.items():
        flat = [(section, task) for section, tasks in unit_sections.items() for task in tasks]
        parts = [flat[i : i + PLAN_CAP] for i in range(0, len(flat), PLAN_CAP)]
        for number, part in enumerate(parts, 1):
            grouped: dict[str, list[TaskSpec]] = {}
            for section, task in part:
                grouped.setdefault(section, []).append(task)
            name = unit if len(parts) == 1 else f"{unit} part {number}"
            units.append((name, list(grouped.items())))
    return units


def _loops(task_id: str | None, parents: dict[str | None, str | None]) -> bool:
    """True when following parent_task_id from task_id comes back to it."""
    seen, current = set(), task_id
    while current is not None and current not in seen:
        seen.add(current)
        current = parents.get(current)
    return current is not None


def _natural(path: Path) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", path.name.lower())]


def _read_task(
    path: Path, file_rel: str, note: str | None, diagnostics: list[Diagnostic]
) -> tuple[TaskSpec, str | None, int, str | None] | None:
    source = decode(file_rel, path.read_bytes())
    diagnostics.extend(d for d in source.problems if d.severity == "error")
    fm = split_frontmatter(source.lines, file_rel)
    for problem in fm.problems:
        diagnostics.append(
            Diagnostic(
                file_rel,
                problem.line,
                problem.col,
                "BL001",
                f"{problem.message}: the file is not imported",
            )
        )
    if fm.problems:
        return None
    data = fm.data
    task_id = _text(data.get("id"))
    if not task_id:
        from_name = _FILE_ID.match(path.name)
        if from_name is None:
            diagnostics.append(
                Diagnostic(
                    file_rel,
                    1,
                    1,
                    "BL001",
                    "no id in the frontmatter or the file name: not imported",
                )
            )
            return None
        task_id = from_name.group("id")
        diagnostics.append(
            Diagnostic(
                file_rel,
                1,
                1,
                "BL001",
                f"no id in the frontmatter: {task_id} taken from the file name",
                "warning",
            )
        )
    status = _text(data.get("status")) or None
    if note and (status is None or status.lower() != note.lower()):
        status = f"{note} ({status})" if status else note
    spec = TaskSpec(task_id, _text(data.get("title")) or path.stem, status=status)
    spec.depends = [_text(d) for d in _as_list(data.get("dependencies")) if _text(d)]
    owners = ", ".join(_text(a) for a in _as_list(data.get("assignee")) if _text(a))
    if owners:
        spec.fields.append(("Owner", owners))
    for key, label in (("priority", "Priority"), ("labels", "Labels"), ("updated_date", "Updated")):
        value = ", ".join(_text(v) for v in _as_list(data.get(key)) if _text(v))
        if value:
            spec.fields.append((label, value))
    for key in sorted(k for k in data if k not in _KNOWN):
        value = ", ".join(_text(v) for v in _as_list(data[key]) if _text(v))
        if value:
            spec.fields.append((key.replace("_", " ").capitalize(), value))
    _read_body(source.lines[fm.body_start_line - 1 :], spec)
    parent = _text(data.get("parent_task_id")) or None
    if parent is None and "." in task_id:
        parent = task_id.rsplit(".", 1)[0]
    return spec, parent, fm.key_lines.get("id", 1), _text(data.get("milestone")) or None


def _read_body(lines: list[str], spec: TaskSpec) -> None:
    """Checklist sections become checklist items; every other section a block, verbatim."""
    title, body = "", list[str]()
    for line in [*lines, "## "]:
        if line.startswith("## "):
            label = _checklist_label(title)
            if label is not None:
                rest, items = [], []
                for item in body:
                    check = _CHECK.match(item)
                    if check:
                        items.append((check.group("mark") in "xX", check.group("text")))
                    elif not _MARKER.match(item):
                        rest.append(item)
                if items:
                    spec.groups.append((label, items))
                if "\n".join(rest).strip():
                    spec.blocks.append((title, "\n".join(rest)))
            elif "\n".join(body).strip():
                kept = [b for b in body if not _MARKER.match(b)]
                spec.blocks.append((title or "Notes", "\n".join(kept)))
            title, body = line[3:].strip(), []
        else:
            body.append(line)


def _checklist_label(title: str) -> str | None:
    """'Acceptance Criteria (Optional)' -> 'Acceptance criteria'; None for other sections."""
    lowered = title.lower()
    return next((v for k, v in _CHECKLIST_SECTIONS.items() if lowered.startswith(k)), None)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()
