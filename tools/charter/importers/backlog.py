"""`charter import backlog backlog/`: Backlog.md task files as one plan.

Backlog.md keeps one file per task, `backlog/tasks/task-12 - Title.md`, with
YAML frontmatter (id, title, status, assignee, labels, dependencies,
parent_task_id, priority, ...) and body sections (Description, Acceptance
Criteria as `- [ ] #1 ...`, Implementation Plan, Implementation Notes).
Finished tasks may sit in `completed/`, drafts in `drafts/`, archived ones in
`archive/tasks/` and `archive/drafts/`; each folder becomes a section of
`backlog.md`. Subtasks (`parent_task_id`, or dotted IDs such as task-12.1)
nest under their parent. Every frontmatter key is kept; a duplicate ID is
reported with both files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from charter.config import Config
from charter.errors import CharterError
from charter.importers.writer import ImportResult, PlanSpec, TaskSpec
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
_CHECKLIST_SECTIONS = ("acceptance criteria", "definition of done")
_FILE_ID = re.compile(r"^(?P<id>[A-Za-z]+-\d+(?:\.\d+)*)")


def import_backlog(directory: Path, rel: str, config: Config, out_dir: str) -> ImportResult:
    if not directory.is_dir():
        raise CharterError("not a directory: give the Backlog.md folder (backlog/)", rel)
    result = ImportResult()
    entries: list[tuple[str, TaskSpec, str | None, str, int]] = []  # section, spec, parent, file
    seen: dict[str, str] = {}
    for folder, section, note in _FOLDERS:
        for path in sorted((directory / folder).glob("*.md"), key=_natural):
            file_rel = f"{rel.rstrip('/')}/{folder}/{path.name}"
            read = _read_task(path, file_rel, note, result.diagnostics)
            if read is None:
                continue
            spec, parent, line = read
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
    result.plans.append(
        PlanSpec(
            path=f"{out_dir}/backlog.md",
            id="backlog",
            title="Backlog",
            source=rel,
            intro=f"Imported from `{rel}` by `charter import backlog`. This plan is now the "
            "source: edit it, not the task files.",
            sections=list(sections.items()),
        )
    )
    return result


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
) -> tuple[TaskSpec, str | None, int] | None:
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
    return spec, parent, fm.key_lines.get("id", 1)


def _read_body(lines: list[str], spec: TaskSpec) -> None:
    """Checklist sections become checklist items; every other section a block, verbatim."""
    title, body = "", list[str]()
    for line in [*lines, "## "]:
        if line.startswith("## "):
            if title.lower() in _CHECKLIST_SECTIONS:
                rest = []
                for item in body:
                    check = _CHECK.match(item)
                    if check:
                        spec.items.append((check.group("mark") in "xX", check.group("text")))
                    elif not _MARKER.match(item):
                        rest.append(item)
                if "\n".join(rest).strip():
                    spec.blocks.append((title, "\n".join(rest)))
            elif "\n".join(body).strip():
                kept = [b for b in body if not _MARKER.match(b)]
                spec.blocks.append((title or "Notes", "\n".join(kept)))
            title, body = line[3:].strip(), []
        else:
            body.append(line)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()
