"""`charter import taskmaster .taskmaster/tasks/tasks.json`: Task Master tasks as plans.

Task Master keeps `{"master": {"tasks": [...]}, "<tag>": {...}}` (older files a
bare `{"tasks": [...]}`). Each tag becomes `taskmaster-<tag>.md`; task 3 becomes
TM-3 and its subtask 2 TM-3.2 (other tags: TM-<TAG>-3). Dependencies are ints
or "1.1" strings; inside a subtask an int names a sibling. Task Master also
writes `task_NNN.txt` beside tasks.json; when those disagree with tasks.json on
a status, that is reported, since one of the two copies is stale.
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

_KNOWN = {
    "id",
    "title",
    "description",
    "details",
    "testStrategy",
    "status",
    "priority",
    "dependencies",
    "subtasks",
    "parentTaskId",
}
_TITLE_KEY = re.compile(r'"title"\s*:\s*("(?:[^"\\]|\\.)*")')
_TXT_STATUS = re.compile(r"^# Status:\s*(?P<status>\S.*?)\s*$")
_TXT_SUBTASK = re.compile(r"^## (?P<id>\d+)\. .*\[(?P<status>[\w-]+)\]\s*$")


def import_taskmaster(
    source: Path, rel: str, config: Config, out_dir: str, prefix: str = "TM"
) -> ImportResult:
    text, data = read_json(source, rel)
    lines = _title_lines(text)
    result = ImportResult()
    for tag, tasks in _tags(data, rel):
        tag_prefix = prefix if tag == "master" else f"{prefix}-{slug(tag).upper()}"
        reader = _TagReader(rel, tag_prefix, lines, result.diagnostics)
        specs = [spec for raw in tasks if (spec := reader.task(raw)) is not None]
        reader.check_dependencies(specs)
        result.plans.append(
            PlanSpec(
                path=f"{out_dir}/taskmaster-{slug(tag)}.md",
                id=f"taskmaster-{slug(tag)}",
                title=f"Task Master: {tag}",
                source=rel,
                sections=[("Tasks", specs)],
                intro=f"Imported from `{rel}` (tag `{tag}`) by `charter import taskmaster`. "
                "This plan is now the source: edit it, not tasks.json.",
            )
        )
        if tag == "master":
            _compare_txt(source.parent, rel, tasks, result.diagnostics)
    return result


def _tags(data: Any, rel: str) -> list[tuple[str, list[Any]]]:
    if isinstance(data, list):
        return [("master", data)]
    if isinstance(data, dict) and isinstance(data.get("tasks"), list):
        return [("master", data["tasks"])]
    if isinstance(data, dict):
        tags = [
            (str(k), v["tasks"])
            for k, v in data.items()
            if isinstance(v, dict) and isinstance(v.get("tasks"), list)
        ]
        if tags:
            return tags
    raise CharterError(
        'not a Task Master tasks.json: expected {"master": {"tasks": [...]}} or {"tasks": [...]}',
        rel,
        1,
    )


def _title_lines(text: str) -> dict[str, int]:
    """Title -> first line it appears on, to point diagnostics into the JSON."""
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = _TITLE_KEY.search(line)
        if match:
            try:
                found.setdefault(json.loads(match.group(1)), number)
            except json.JSONDecodeError:
                continue
    return found


class _TagReader:
    def __init__(self, rel: str, prefix: str, lines: dict[str, int], diagnostics: list[Diagnostic]):
        self.rel, self.prefix, self.lines, self.diagnostics = rel, prefix, lines, diagnostics
        self.where: dict[str, int] = {}  # charter ID -> line in the JSON

    def task(self, raw: Any, parent: str | None = None) -> TaskSpec | None:
        line = self.lines.get(str(raw.get("title", ""))) if isinstance(raw, dict) else None
        number = raw.get("id") if isinstance(raw, dict) else None
        if (
            isinstance(number, bool)
            or not isinstance(number, int | str)
            or not str(number).strip().isdigit()
        ):
            self.diagnostics.append(
                Diagnostic(
                    self.rel,
                    line or 1,
                    1,
                    "TM001",
                    f"a task without a numeric id ({str(raw)[:60]}): not imported",
                )
            )
            return None
        task_id = f"{parent}.{int(number)}" if parent else f"{self.prefix}-{int(number)}"
        if task_id in self.where:
            self.diagnostics.append(
                Diagnostic(
                    self.rel,
                    line or 1,
                    1,
                    "TM002",
                    f"{task_id} is defined twice (first at line {self.where[task_id]})",
                )
            )
        self.where.setdefault(task_id, line or 1)
        spec = TaskSpec(
            task_id,
            str(raw.get("title", "")),
            status=str(raw["status"]) if raw.get("status") else None,
        )
        spec.depends = [self._dependency(d, parent) for d in raw.get("dependencies") or []]
        if raw.get("priority"):
            spec.fields.append(("Priority", str(raw["priority"])))
        for label, key in (
            ("Description", "description"),
            ("Details", "details"),
            ("Test strategy", "testStrategy"),
        ):
            if isinstance(raw.get(key), str) and raw[key].strip():
                spec.blocks.append((label, raw[key]))
        for key, value in raw.items():
            # Keys Task Master may add later are kept, not dropped.
            if key in _KNOWN or value in (None, "", [], {}):
                continue
            if isinstance(value, str | int | float | bool) and "\n" not in str(value):
                spec.fields.append((key[:1].upper() + key[1:], str(value)))
            else:
                text = value if isinstance(value, str) else json.dumps(value, indent=2)
                spec.blocks.append((key, text))
        for sub in raw.get("subtasks") or []:
            child = self.task(sub, task_id)
            if child is not None:
                spec.subtasks.append(child)
        return spec

    def _dependency(self, value: Any, parent: str | None) -> str:
        text = str(value).strip()
        if "." in text:
            return f"{self.prefix}-{text}"
        # Inside a subtask, a bare number names a sibling subtask.
        return f"{parent}.{text}" if parent else f"{self.prefix}-{text}"

    def check_dependencies(self, specs: list[TaskSpec]) -> None:
        for spec in (t for s in specs for t in s.walk()):
            for dep in spec.depends:
                if dep not in self.where:
                    self.diagnostics.append(
                        Diagnostic(
                            self.rel,
                            self.where.get(spec.id or "", 1),
                            1,
                            "TM003",
                            f"{spec.id} depends on {dep}, which tasks.json does not define",
                            "warning",
                        )
                    )


def _compare_txt(
    directory: Path, rel: str, tasks: list[Any], diagnostics: list[Diagnostic]
) -> None:
    """Task Master's generated task_NNN.txt files against tasks.json."""
    by_id = {str(t.get("id")): t for t in tasks if isinstance(t, dict)}
    base = rel.rsplit("/", 1)[0] + "/" if "/" in rel else ""
    for path in sorted(directory.glob("task_*.txt")):
        match = re.fullmatch(r"task_0*(\d+)\.txt", path.name)
        if match is None:
            continue
        txt_rel = base + path.name
        task = by_id.get(match.group(1))
        if task is None:
            diagnostics.append(
                Diagnostic(
                    txt_rel,
                    1,
                    1,
                    "TM004",
                    f"no task {match.group(1)} in tasks.json: this file is "
                    "stale (task-master generate rewrites it)",
                    "warning",
                )
            )
            continue
        subtasks = {str(s.get("id")): s for s in task.get("subtasks") or [] if isinstance(s, dict)}
        try:
            text_lines = path.read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            diagnostics.append(Diagnostic(txt_rel, 1, 1, "TM004", f"cannot read: {exc}", "warning"))
            continue
        for number, line in enumerate(text_lines, 1):
            top = _TXT_STATUS.match(line)
            sub = _TXT_SUBTASK.match(line)
            if top:
                want, label = task.get("status"), f"task {match.group(1)}"
                said = top.group("status")
            elif sub and sub.group("id") in subtasks:
                want = subtasks[sub.group("id")].get("status")
                label, said = f"subtask {match.group(1)}.{sub.group('id')}", sub.group("status")
            else:
                continue
            if want is not None and said != want:
                diagnostics.append(
                    Diagnostic(
                        txt_rel,
                        number,
                        1,
                        "TM004",
                        f"{label} is {said!r} here but {want!r} in {rel}: one copy is stale "
                        "(task-master generate rewrites this file)",
                        "warning",
                    )
                )
