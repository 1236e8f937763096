"""Rules about tasks: identity, evidence, dependencies, status and checkbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from charter.model import Diagnostic, Task
from charter.repo import RepoModel
from charter.status import column_of, is_closed, is_done

_GLOB_CHARS = set("*?[")


def duplicate_task_id(repo: RepoModel) -> Iterator[Diagnostic]:
    for task_id, tasks in repo.task_index().items():
        if len(tasks) < 2:
            continue
        first = tasks[0]
        for task in tasks[1:]:
            yield Diagnostic(
                task.path,
                task.line,
                task.col,
                "CH002",
                f"duplicate task ID {task_id}: first defined at {first.path}:{first.line}",
            )


def done_without_evidence(repo: RepoModel) -> Iterator[Diagnostic]:
    if not repo.config.require_evidence:
        return
    for task in repo.tasks():
        if is_done(task, repo.config) and not task.evidence:
            label = task.id or f"'{task.title[:60]}'"
            yield Diagnostic(
                task.path,
                task.line,
                task.col,
                "CH003",
                f"{label} is done but names no evidence: add 'Evidence: `path`'",
            )


def evidence_path(repo: RepoModel) -> Iterator[Diagnostic]:
    root = repo.root.resolve()
    for task in repo.tasks():
        done = is_done(task, repo.config)
        for evidence in task.evidence:
            resolved = _resolve(root, evidence.path)
            if resolved is None or not _inside(resolved, root):
                yield Diagnostic(
                    task.path,
                    evidence.line,
                    1,
                    "CH005",
                    f"evidence {evidence.path} is outside the repository",
                )
            elif done and not _exists(root, evidence.path):
                yield Diagnostic(
                    task.path, evidence.line, 1, "CH004", f"evidence {evidence.path} does not exist"
                )


def _resolve(root: Path, text: str) -> Path | None:
    try:
        path = Path(text)
        return (path if path.is_absolute() else root / path).resolve()
    except (OSError, ValueError, RuntimeError):
        return None


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _exists(root: Path, text: str) -> bool:
    if _GLOB_CHARS & set(text):
        try:
            return next(iter(root.glob(text.lstrip("/"))), None) is not None
        except (ValueError, NotImplementedError):
            return False
    return (root / text).exists()


def unknown_dependency(repo: RepoModel) -> Iterator[Diagnostic]:
    known = repo.task_index()
    for task in repo.tasks():
        field = task.field("depends")
        for dep in task.depends:
            if dep not in known:
                line = field.line if field else task.line
                col = (field.start + 1) if field else task.col
                yield Diagnostic(
                    task.path,
                    line,
                    col,
                    "CH006",
                    f"{task.id or 'task'} depends on unknown task {dep}",
                )


def dependency_cycle(repo: RepoModel) -> Iterator[Diagnostic]:
    index = repo.task_index()
    graph = {
        tid: sorted({d for t in ts for d in t.depends if d in index}) for tid, ts in index.items()
    }
    reported: set[frozenset[str]] = set()
    for cycle in _cycles(graph):
        members = frozenset(cycle)
        if members in reported:
            continue
        reported.add(members)
        start = min(cycle)
        rotated = cycle[cycle.index(start) :] + cycle[: cycle.index(start)]
        task = index[start][0]
        yield Diagnostic(
            task.path,
            task.line,
            task.col,
            "CH007",
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
    for task in repo.tasks():
        field = task.field("status")
        if field is None or not field.value or config.column_for_status(field.value) is not None:
            continue
        yield Diagnostic(
            task.path,
            field.line,
            field.start + 1,
            "CH008",
            f"unknown status {field.value!r} for {task.id or 'task'}: map it to one of "
            f"{', '.join(config.columns)} in [tool.charter.status_map]",
        )


def checkbox_status_mismatch(repo: RepoModel) -> Iterator[Diagnostic]:
    config = repo.config
    for task in repo.tasks():
        field = task.field("status")
        if task.checked is None or field is None:
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
        yield Diagnostic(task.path, task.line, task.col, "CH009", f"{task.id or 'task'}: {message}")


def parent_done_open_subtasks(repo: RepoModel) -> Iterator[Diagnostic]:
    config = repo.config
    for task in repo.tasks():
        if not task.subtasks or not is_done(task, config):
            continue
        open_subs = [s for s in task.subtasks if not is_closed(s, config)]
        if open_subs:
            names = ", ".join(s.id or f"line {s.line}" for s in open_subs[:5])
            more = f" and {len(open_subs) - 5} more" if len(open_subs) > 5 else ""
            yield Diagnostic(
                task.path,
                task.line,
                task.col,
                "CH010",
                f"{task.id or 'task'} is done but has open subtasks: {names}{more}",
            )


def task_column(task: Task, repo: RepoModel) -> str:
    return column_of(task, repo.config)
