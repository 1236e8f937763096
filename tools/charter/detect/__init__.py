"""Discovery: the configuration a repository without one would need.

When a repository has no `[tool.charter]` and no charter.toml, `check`,
`board`, `task next` and `handoff` run with what this finds: the governance
documents where teams keep them (charter.detect.locate) and how they are
written (charter.detect.layout). Explicit configuration always wins; a
repository laid out as charter's own (`docs/plans/` with frontmatter) keeps
the defaults. `charter detect` shows the guesses with their evidence, and
`charter init --detect` writes them as charter.toml.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from charter.config import DEFAULT_ID_PATTERN, Config, config_from_table, load_config
from charter.detect.layout import Layout, learn
from charter.detect.locate import PLAN_FOLDERS, SPEC_TASKS, TASKMASTER_TEXT, Located, locate
from charter.io import find_root

DEFAULT_HANDOFF = "docs/SESSION_HANDOFF.md"
DETECTED_HANDOFF = "docs/charter/SESSION_HANDOFF.md"
# Where charter looks, as a person reads it (the warning when nothing is found).
LOOKED = (
    "docs/plans/, plans/, planning/, tasks/, backlog/, roadmap/, exec-plans/ folders; PLAN.md, "
    "PLANS.md, EXECPLAN.md, ROADMAP.md, TASKS.md, TODO.md, BACKLOG.md (also in .planning/); "
    "specs/*/tasks.md, .kiro/specs/*/tasks.md; "
    "*task-board*.md, *TaskBoard*.md; sessions/ folders; HANDOFF.md, SESSION_HANDOFF.md, "
    "*handover*.md"
)


@dataclass
class Detection:
    root: Path
    located: Located
    layout: Layout
    table: dict[str, Any]  # the [tool.charter] keys detection would write
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (key, evidence)
    native: bool = False  # charter's own layout: the defaults fit

    @property
    def found(self) -> bool:
        return bool(self.located.plans or self.located.handoffs or self.native)

    def warning(self) -> str | None:
        if self.found:
            return None
        return (
            f"charter: no plans found in {self.root} (no charter configuration, and none of "
            f"the usual places holds any). Looked for: {LOOKED}. Point charter at your plans "
            'with charter.toml (plans = ["path/**/*.md"]) or run `charter init --detect` '
            "after adding them."
        )


def detect(root: Path) -> Detection:
    located = locate(root)
    located.plans = [p for p in located.plans if not _generated(root / p)]
    located.handoffs = [p for p in located.handoffs if not _generated(root / p)]
    if _native(root):
        # charter's own layout: its default places fit; only how tasks are written is learned.
        plans = [p for p in located.plans if p.startswith("docs/plans/")]
        layout = learn(root, [*plans, *located.handoffs])
        table: dict[str, Any] = {}
        reasons = [("plans", "docs/plans/ holds plans with frontmatter: charter's defaults")]
        _handoff_keys(located, table, reasons)
        _learned_keys(layout, table, reasons)
        return Detection(root, located, layout, table, reasons, native=True)
    layout = learn(root, [*located.plans, *located.handoffs])
    table = {}
    reasons = []
    if located.plans:
        table["plans"] = _globs(located.plans)
        reasons.append(("plans", f"{len(located.plans)} file(s) by name or folder"))
        folders = [g[: -len("**/*.md")] for g in table["plans"] if g.endswith("/**/*.md")]
        if folders:
            table["exclude"] = ["**/README.md", "**/CHANGELOG.md"]  # about a folder, not tasks
            # blanks to copy kept beside the plans (docs/exec-plans/_template.md)
            table["exclude"] += [
                t for t in located.templates if any(t.startswith(f) for f in folders)
            ]
    else:
        table["plans"] = []
    _handoff_keys(located, table, reasons)
    if located.sessions:
        folder, count = max(located.sessions.items(), key=lambda kv: (kv[1], kv[0]))
        table["sessions"] = folder
        reasons.append(("sessions", f"{count} session log(s) in {folder}/"))
    table["require_frontmatter"] = layout.require_frontmatter
    reasons.append(
        (
            "require_frontmatter",
            f"{layout.with_frontmatter} of {layout.files} file(s) open with frontmatter",
        )
    )
    _learned_keys(layout, table, reasons)
    if located.taskmaster:
        reasons.append(
            (
                "import",
                "Task Master's .taskmaster/tasks/tasks.json: run `charter import "
                "taskmaster .taskmaster/tasks/tasks.json` to turn it into plans",
            )
        )
    return Detection(root, located, layout, table, reasons)


def _learned_keys(layout: Layout, table: dict[str, Any], reasons: list[tuple[str, str]]) -> None:
    """The ID scheme and whether checklist items without IDs are tasks, with evidence."""
    if layout.id_pattern != DEFAULT_ID_PATTERN:
        table["id_pattern"] = layout.id_pattern
        for shape, (count, example) in layout.id_shapes.items():
            if shape != DEFAULT_ID_PATTERN:
                reasons.append(
                    (
                        "id_pattern",
                        f"{shape}: {count} ID(s), e.g. {example.path}:{example.line}: "
                        f"{example.text}",
                    )
                )
    if layout.anonymous_tasks:
        table["anonymous_tasks"] = True
        first = layout.anonymous_example
        where = f", e.g. {first.path}:{first.line}: {first.text}" if first else ""
        reasons.append(
            (
                "anonymous_tasks",
                f"{layout.checklist_items - layout.checklist_with_id} of {layout.checklist_items} "
                f"checklist item(s) have no ID{where}",
            )
        )


def _handoff_keys(located: Located, table: dict[str, Any], reasons: list[tuple[str, str]]) -> None:
    """Hand-written handoff docs read as plans; charter's own handoff written elsewhere."""
    if located.handoffs:
        table["handoff_plans"] = located.handoffs
        table["handoff"] = DETECTED_HANDOFF
        reasons.append(
            (
                "handoff_plans",
                f"hand-written handoff docs ({len(located.handoffs)}); charter's "
                f"own handoff goes to {DETECTED_HANDOFF} so it never overwrites them",
            )
        )


def _generated(path: Path) -> bool:
    """A file charter generated (its header says so): output, not a document to read."""
    try:
        with open(path, "rb") as handle:
            return handle.read(64).startswith(b"<!-- charter:generated")
    except OSError:
        return True


def _native(root: Path) -> bool:
    plans = root / "docs" / "plans"
    if not plans.is_dir():
        return False
    for path in sorted(plans.rglob("*.md"))[:20]:
        try:
            with open(path, "rb") as handle:
                if handle.read(4).startswith(b"---"):
                    return True
        except OSError:
            continue
    return False


def _globs(paths: list[str]) -> list[str]:
    """Folders as `folder/**/*.md`, single files as themselves; fewest globs that name
    exactly the found files' folders."""
    globs: list[str] = []
    folders: set[str] = set()
    for rel in paths:
        parts = rel.split("/")
        if TASKMASTER_TEXT.match(rel):
            glob = ".taskmaster/tasks/task_*.txt"
        elif SPEC_TASKS.search(rel):
            glob = "/".join(parts[:-2]) + "/*/tasks.md"
        else:
            index = next((n for n, p in enumerate(parts[:-1]) if p.lower() in PLAN_FOLDERS), None)
            glob = rel if index is None else "/".join(parts[: index + 1]) + "/**/*.md"
        if glob not in folders:
            folders.add(glob)
            globs.append(glob)
    return sorted(globs)


def config_for_repo(repo_dir: Path | None) -> tuple[Config, Detection | None]:
    """The configuration charter runs with: the repository's own, else the detected one."""
    config = load_config(repo_dir)
    if config.source is not None:
        return config, None
    root = find_root(repo_dir or Path.cwd())
    detection = detect(root)
    if not detection.table:
        return config, detection
    detected = config_from_table(root, detection.table, root / "charter.toml")
    return replace(detected, source=None), detection
