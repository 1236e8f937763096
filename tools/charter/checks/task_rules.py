"""Rules about tasks: identity, evidence, dependencies, status and checkbox."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path

from charter.checks import evidence_convention
from charter.checks.evidence_facts import facts_for
from charter.checks.id_scope import one_numbering
from charter.checks.path_claims import RepoEntries, claimed_paths, is_bare_name, is_claim
from charter.model import Diagnostic, Task
from charter.repo import RepoModel
from charter.rulecodes import (
    CHECKBOX_STATUS_MISMATCH,
    DEPENDENCY_CYCLE,
    DUPLICATE_TASK_ID,
    EVIDENCE_MISSING,
    EVIDENCE_OUTSIDE_REPO,
    PARENT_DONE_OPEN_SUBTASKS,
    UNKNOWN_DEPENDENCY,
    UNKNOWN_STATUS,
)
from charter.world import World

_GLOB_CHARS = set("*?[")


def duplicate_task_id(repo: RepoModel) -> Iterator[Diagnostic]:
    """Two different tasks sharing an ID; mentions of one task are no duplicates
    (charter.mentions says which are which)."""
    strict = repo.config.require_frontmatter
    for task, first in repo.resolution.conflicts:
        if not one_numbering(first.path, task.path, strict=strict):
            continue  # per-unit numbering: another unit's task of that number (checks.id_scope)
        yield Diagnostic(
            task.path,
            task.line,
            task.col,
            DUPLICATE_TASK_ID,
            f"duplicate task ID {task.id}: {task.title[:50]!r} here, but "
            f"{first.title[:50]!r} at {first.path}:{first.line}; give one of them another ID",
        )
    for task, first in repo.resolution.repeats:
        yield Diagnostic(
            task.path,
            task.line,
            task.col,
            DUPLICATE_TASK_ID,
            f"task {task.id} is listed twice: this row repeats line {first.line} cell for cell; "
            "delete one of the two rows",
        )


def done_without_evidence(repo: RepoModel) -> Iterator[Diagnostic]:
    """CH003, read the way each document writes its evidence (checks.evidence_convention)."""
    return evidence_convention.done_without_evidence(repo)


def evidence_findings(world: World, code: str) -> Iterator[Diagnostic]:
    """CH004's or CH005's share of one `evidence_path` pass made for both rules."""
    found = world.shared("evidence-path", lambda: list(evidence_path(world)))
    return (d for d in found if d.code == code)


def evidence_path(
    world: World, codes: Collection[str] = (EVIDENCE_MISSING, EVIDENCE_OUTSIDE_REPO)
) -> Iterator[Diagnostic]:
    """CH004 (a done task's evidence is missing) and CH005 (evidence outside the repository).

    `codes` narrows the work to one rule's: CH004 alone looks only at done
    tasks, and resolves a path (a system call per component) only when it is
    missing, to tell CH005's cases apart.
    """
    outside_wanted, missing_wanted = EVIDENCE_OUTSIDE_REPO in codes, EVIDENCE_MISSING in codes
    root = world.root.resolve()
    facts = facts_for(world)
    real: dict[str, str | None] = {}  # path -> its resolved form, for paths and their folders
    # Many tasks name the same manifest: each path is looked for and placed once.
    exists_of: dict[str, bool] = {}
    outside_of: dict[str, bool] = {}
    entries = RepoEntries(root)
    claims_of: dict[str, list[str]] = {}  # what each evidence text claims, read once
    for task in world.citations:
        done = task.done
        if not (outside_wanted or (done and missing_wanted)):
            continue
        for evidence in task.evidence:
            claimed = claims_of.get(evidence.path)
            if claimed is None:
                claimed = claims_of[evidence.path] = _claims(evidence.path, entries)
            for text in claimed:
                missing = None
                if done and missing_wanted:
                    if text not in exists_of:
                        # A remembered, unchanged file exists (inside the repository).
                        exists_of[text] = (
                            facts.entry(text) is not None
                            or _exists(root, text)
                            or (is_bare_name(text) and entries.has_file_named(text))
                        )
                    missing = not exists_of[text]
                if not (outside_wanted or missing):
                    continue
                if text not in outside_of:
                    if facts.entry(text) is not None:
                        outside_of[text] = False
                    else:
                        resolved = _resolve(root, text, real)
                        outside_of[text] = resolved is None or not _inside(resolved, str(root))
                if outside_of[text]:
                    if outside_wanted:
                        yield Diagnostic(
                            task.path,
                            evidence.line,
                            1,
                            EVIDENCE_OUTSIDE_REPO,
                            f"evidence {text} is outside the repository",
                        )
                elif missing:
                    yield Diagnostic(
                        task.path,
                        evidence.line,
                        1,
                        EVIDENCE_MISSING,
                        f"evidence {text} does not exist",
                    )
    facts.save()


def _claims(text: str, entries: RepoEntries) -> list[str]:
    """The paths an evidence text claims: none for a branch, a version, a word (path_claims)."""
    found = claimed_paths(text)
    if found is None:
        return []
    return [p for p in found if is_claim(p, entries.top_level)]


def _resolve(root: Path, text: str, real: dict[str, str | None]) -> str | None:
    """`(root / text).resolve()` as a string, or None when it cannot be resolved."""
    full = os.path.join(root, text)
    return _resolve_path(full) if "\0" in text else _real_path(full, real)


def _real_path(path: str, real: dict[str, str | None]) -> str | None:
    """`_resolve_path(path)`, remembering each folder on the way.

    Resolving costs a system call per path component, and evidence paths share
    most of theirs: a folder is resolved once, then only the last component is
    looked at (and resolved in full when it is a symlink).
    """
    if path in real:
        return real[path]
    folder, name = os.path.split(path)
    if name in ("", ".", "..") or not folder or folder == path:
        result = _resolve_path(path)
    else:
        real_folder = _real_path(folder, real)
        candidate = os.path.join(real_folder, name) if real_folder is not None else None
        if candidate is not None and os.path.islink(candidate):
            candidate = _resolve_path(candidate)
        result = candidate
    real[path] = result
    return result


def _resolve_path(text: str) -> str | None:
    try:
        return str(Path(text).resolve())
    except (OSError, ValueError, RuntimeError):
        return None


def _inside(path: str, root: str) -> bool:
    path, root = os.path.normcase(path), os.path.normcase(root)
    return path == root or path.startswith(root if root.endswith(os.sep) else root + os.sep)


def _exists(root: Path, text: str) -> bool:
    if _GLOB_CHARS & set(text):
        try:
            return next(iter(root.glob(text.lstrip("/"))), None) is not None
        except (ValueError, NotImplementedError):
            return False
    if text.endswith(("/", "/.")):  # a Path drops these; the operating system does not
        return (root / text).exists()
    return os.path.exists(os.path.join(root, text))


def unknown_dependency(repo: RepoModel) -> Iterator[Diagnostic]:
    """CH006: a dependency no task defines, among IDs of a scheme the tasks use.

    A story that depends on `ADR-0027` where no task ID starts with `ADR` waits on a
    decision record (or another tracker's item), not on a task charter lost track of.
    In documents that are not charter's own, where any line opening with an ID may
    look like a task (a review's "- [x] ADR-0041 defines the API"), a scheme counts
    only when the task itself or one of its found dependencies uses it.
    """
    rows = (dependency_row(task) for task in repo.tasks() if task.depends)
    known = repo.task_index()
    everywhere = id_schemes(known) if repo.config.require_frontmatter else None
    return unknown_dependencies(rows, known, everywhere)


# A task with dependencies as CH006 reads it: its file, ID, dependencies, and the line and
# column of its depends field (the task's own when its dependencies come from elsewhere).
DependencyRow = tuple[str, str | None, Sequence[str], int, int]


def dependency_row(task: Task) -> DependencyRow:
    field = task.field("depends")
    line = field.line if field else task.line
    col = (field.start + 1) if field else task.col
    return task.path, task.id, task.depends, line, col


def unknown_dependencies(
    rows: Iterable[DependencyRow], known: Collection[str], everywhere: Collection[str] | None
) -> Iterator[Diagnostic]:
    """CH006 over `rows`, given every task ID the plans define (`known`) and, in charter's
    own documents (require_frontmatter), their schemes (`everywhere`): the one reading of
    the rule, for a loaded repository and for the incremental check's index alike."""
    for path, task_id, depends, line, col in rows:
        if not depends:
            continue
        schemes = everywhere
        if schemes is None:
            schemes = {_scheme(d) for d in depends if d in known}
            schemes.add(_scheme(task_id or ""))
        for dep in depends:
            if dep not in known and _scheme(dep) in schemes:
                yield Diagnostic(
                    path,
                    line,
                    col,
                    UNKNOWN_DEPENDENCY,
                    f"{task_id or 'task'} depends on unknown task {dep}",
                )


def id_schemes(known: Iterable[str]) -> set[str]:
    """The schemes of these task IDs (`_scheme`)."""
    return {_scheme(task_id) for task_id in known}


_SCHEME = re.compile(r"[^\W\d_]+")


def _scheme(task_id: str) -> str:
    """The letters an ID opens with (`ST` of ST-14-04, `T` of 007-T004, "" of #65)."""
    found = _SCHEME.search(task_id)
    return found.group().upper() if found else ""


def dependency_cycle(repo: RepoModel) -> Iterator[Diagnostic]:
    index = repo.task_index()
    edges = ((t.id, t.depends) for t in repo.tasks() if t.depends and t.id is not None)

    def first_mention(task_id: str) -> tuple[str, int, int]:
        task = index[task_id][0]
        return task.path, task.line, task.col

    return dependency_cycles(edges, index, first_mention)


def dependency_cycles(
    edges: Iterable[tuple[str | None, Sequence[str]]],
    known: Collection[str],
    place: Callable[[str], tuple[str, int, int]],
) -> Iterator[Diagnostic]:
    """CH007 over the tasks with an ID and dependencies (`edges`), given every task ID the
    plans define; a cycle is reported where `place` says its first ID is first mentioned."""
    # Only tasks with dependencies can be on a cycle; a task without any is a leaf either way.
    sets: dict[str, set[str]] = {}
    for task_id, depends in edges:
        if depends and task_id is not None:
            deps = {d for d in depends if d in known}
            if deps:
                sets.setdefault(task_id, set()).update(deps)
    graph = {tid: sorted(deps) for tid, deps in sets.items()}
    reported: set[frozenset[str]] = set()
    for cycle in _cycles(graph):
        members = frozenset(cycle)
        if members in reported:
            continue
        reported.add(members)
        start = min(cycle)
        rotated = cycle[cycle.index(start) :] + cycle[: cycle.index(start)]
        path, line, col = place(start)
        yield Diagnostic(
            path,
            line,
            col,
            DEPENDENCY_CYCLE,
            "dependency cycle: " + " -> ".join([*rotated, start]),
        )


def _cycles(graph: dict[str, list[str]]) -> Iterator[list[str]]:
    """One cycle per strongly connected component with a cycle (iterative, no recursion limit)."""
    color: dict[str, int] = {}
    for start in sorted(graph):
        if color.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = []
        on_path: set[str] = set()
        while stack:
            node, i = stack.pop()
            if i == 0:
                color[node] = 1
                path.append(node)
                on_path.add(node)
            children = graph.get(node, [])
            if i < len(children):
                stack.append((node, i + 1))
                child = children[i]
                if child in on_path:
                    yield path[path.index(child) :]
                elif not color.get(child):
                    stack.append((child, 0))
            else:
                color[node] = 2
                path.pop()
                on_path.discard(node)


def unknown_status(repo: RepoModel) -> Iterator[Diagnostic]:
    config = repo.config
    for task, field in repo.standings.stated:
        if not field.value or config.column_for_status(field.value) is not None:
            continue
        yield Diagnostic(
            task.path,
            field.line,
            field.start + 1,
            UNKNOWN_STATUS,
            f"unknown status {field.value!r} for {task.id or 'task'}: map it to one of "
            f"{', '.join(config.columns)} in [tool.charter.status_map]",
        )


def checkbox_status_mismatch(repo: RepoModel) -> Iterator[Diagnostic]:
    config = repo.config
    for task, field in repo.standings.stated:
        if task.checked is None:
            continue
        column = config.column_for_status(field.value)
        if column is None:
            continue
        if task.checked and column not in config.closed_columns:
            message = f"checkbox is [x] but status {field.value!r} means {column}"
        elif not task.checked and column == config.done_column:
            message = f"checkbox is [ ] but status {field.value!r} means {column}"
        else:
            continue
        yield Diagnostic(
            task.path,
            task.line,
            task.col,
            CHECKBOX_STATUS_MISMATCH,
            f"{task.id or 'task'}: {message}",
        )


# Checklists a done task may leave open: offered, not promised ("## Pacing checklist
# (suggested)", "## Optional", "## Follow-ups", "## Future ideas").
_NOT_PROMISED = re.compile(
    r"\b(?:suggested|optional|examples?|follow[- ]?ups?|future|ideas)\b", re.I
)


def parent_done_open_subtasks(repo: RepoModel) -> Iterator[Diagnostic]:
    standings = repo.standings
    texts: dict[str, list[str]] = {}
    for task in standings.done:
        if not task.subtasks:
            continue
        open_subs = [s for s in task.subtasks if not standings.is_closed(s)]
        if open_subs:  # steps in a section of their own that offers them
            lines = texts.get(task.path) or texts.setdefault(task.path, _lines(repo, task.path))
            own = _heading(lines, task)
            open_subs = [
                s
                for s in open_subs
                if (heading := _heading(lines, s)) == own or not _NOT_PROMISED.search(heading)
            ]
        if open_subs:
            names = ", ".join(s.id or f"line {s.line}" for s in open_subs[:5])
            more = f" and {len(open_subs) - 5} more" if len(open_subs) > 5 else ""
            yield Diagnostic(
                task.path,
                task.line,
                task.col,
                PARENT_DONE_OPEN_SUBTASKS,
                f"{task.id or 'task'} is done but has open subtasks: {names}{more}",
            )


def _lines(repo: RepoModel, path: str) -> list[str]:
    try:
        return (repo.root / path).read_text("utf-8", "replace").splitlines()
    except OSError:
        return []


def _heading(lines: list[str], task: Task) -> str:
    """The nearest Markdown heading above the task's line ("" when there is none)."""
    for text in reversed(lines[: task.line - 1]):
        if text.startswith("#"):
            return text
    return ""
