"""Where teams keep governance documents: one cheap walk, then naming conventions.

The walk skips what is never governance (dependencies, build output, caches,
VCS data, hidden folders other than the agent folders teams use) and stops
after a bounded number of entries, so it stays cheap on any repository.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_ENTRIES = 60_000
MAX_DEPTH = 8
_SKIP = frozenset(
    {
        "node_modules",
        "vendor",
        "third_party",
        "dist",
        "build",
        "target",
        "out",
        "venv",
        "env",
        "site-packages",
        "__pycache__",
        "coverage",
    }
)
# Hidden folders where agents and task tools keep their documents.
_HIDDEN_KEPT = frozenset(
    {".agent", ".agents", ".kiro", ".taskmaster", ".claude", ".codex", ".planning"}
)
# A workflow's own state folders, where only the named files are plans (`.planning/ROADMAP.md`);
# the rest is its research, verification and archive (`.planning/milestones/v1.0-phases/...`).
_NAMED_ONLY = frozenset({".planning"})

# Folders whose Markdown files are plans, task lists or backlog items.
PLAN_FOLDERS = frozenset(
    {
        "plans",
        "plan",
        "planning",
        "roadmap",
        "backlog",
        "tasks",
        "todo",
        "milestones",
        "project_management",
        "project-management",
        "exec-plans",  # ExecPlans: living plans whose Progress section is a checklist
        "execplans",
        "exec_plans",
    }
)
# Single files that hold a plan, wherever they sit.
PLAN_FILES = re.compile(
    r"^((exec[-_]?)?plans?|roadmap|tasks?|todos?|backlog|milestones|checklist|task[-_ ]?list)\.md$",
    re.I,
)
# Blanks to copy, not plans: `_template.md`, `plan-template.md`, anything in `templates/`.
TEMPLATE_FILES = re.compile(r"(^|[-_.])template\.(md|markdown)$", re.I)
TEMPLATE_FOLDERS = frozenset({"template", "templates", "_templates"})
BOARD_FILES = re.compile(r"(task[-_ ]?board|kanban).*\.md$", re.I)
SPEC_TASKS = re.compile(r"(^|/)(\.kiro/)?specs/[^/]+/tasks\.md$")
SESSION_FOLDERS = ("sessions", "session-logs", "session_logs")
HANDOFF_FILES = re.compile(r"(^|[-_])(session[-_])?(handoff|handover)([-_].*)?\.md$", re.I)
HANDOFF_FOLDERS = frozenset({"handoff", "handoffs", "handover", "handovers"})
TASKMASTER_JSON = ".taskmaster/tasks/tasks.json"
TASKMASTER_TEXT = re.compile(r"^\.taskmaster/tasks/task_\d+\.txt$")
_DOC_EXT = (".md", ".markdown")


@dataclass
class Located:
    plans: list[str] = field(default_factory=list)  # files read as plans
    handoffs: list[str] = field(default_factory=list)  # hand-written handoff docs
    templates: list[str] = field(default_factory=list)  # blanks beside the plans, left out
    sessions: dict[str, int] = field(default_factory=dict)  # session folder -> log count
    taskmaster: bool = False
    walked: int = 0
    truncated: bool = False


def locate(root: Path) -> Located:
    found = Located()
    for rel in _walk(root, found):
        name = rel.rsplit("/", 1)[-1]
        parts = rel.split("/")[:-1]
        if rel == TASKMASTER_JSON:
            found.taskmaster = True
            continue
        if TASKMASTER_TEXT.match(rel):
            found.plans.append(rel)
            continue
        if not name.lower().endswith(_DOC_EXT) or name.lower() in ("readme.md", "changelog.md"):
            continue
        if TEMPLATE_FILES.search(name) or any(p.lower() in TEMPLATE_FOLDERS for p in parts):
            found.templates.append(rel)
            continue
        if parts and parts[0] in _NAMED_ONLY:
            if PLAN_FILES.match(name):
                found.plans.append(rel)
            continue
        session_dir = _session_folder(parts)
        if HANDOFF_FILES.search(name) or any(p.lower() in HANDOFF_FOLDERS for p in parts):
            found.handoffs.append(rel)
        elif session_dir is not None:
            found.sessions[session_dir] = found.sessions.get(session_dir, 0) + 1
        elif any(p.lower() in PLAN_FOLDERS for p in parts):
            found.plans.append(rel)  # every file of the folder: detection writes folder/**/*.md
        elif SPEC_TASKS.search(rel) or BOARD_FILES.search(name):
            found.plans.append(rel)
        elif PLAN_FILES.match(name) and "/specs/" not in f"/{rel}":
            found.plans.append(rel)  # (a spec folder's plan.md describes a design, not tasks)
    found.plans.sort()
    found.handoffs.sort()
    return found


def _session_folder(parts: list[str]) -> str | None:
    for number, part in enumerate(parts):
        if part.lower() in SESSION_FOLDERS:
            return "/".join(parts[: number + 1])
    return None


def _walk(root: Path, found: Located) -> list[str]:
    files: list[str] = []
    pending: list[tuple[str, str, int]] = [(str(root), "", 0)]
    while pending:
        folder, rel, depth = pending.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    found.walked += 1
                    if found.walked > MAX_ENTRIES:
                        found.truncated = True
                        return files
                    name = entry.name
                    if entry.is_dir(follow_symlinks=False):
                        if depth >= MAX_DEPTH or name in _SKIP:
                            continue
                        if name.startswith(".") and name not in _HIDDEN_KEPT:
                            continue
                        pending.append((entry.path, f"{rel}{name}/", depth + 1))
                    elif entry.is_file(follow_symlinks=False):
                        files.append(rel + name)
        except OSError:
            continue
    return files
