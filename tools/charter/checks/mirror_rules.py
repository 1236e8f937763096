"""CH018 checklist-mirror: copies of one task must agree on whether it is done.

Teams copy checklists: a plan, a task list, an agent's task file (`mirrors`
in the config names the copies that are not plans). When the same task ID
appears in several files, every copy that states a checkbox or a status must
say the same. Checklists without IDs are matched by their text, between files
that are copies of each other: one names the other's path, or both have the
same name once a `tasks-` prefix is dropped (`tasks/tasks-0303-x.md` and
`.agent/task/0303-x.md`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from charter.checks.id_scope import same_scope
from charter.config import Config
from charter.mentions import different_work
from charter.model import Diagnostic, Plan, Task
from charter.repo import RepoModel
from charter.rulecodes import CHECKLIST_MIRROR

_MD_END = re.compile(r"\.md\b")
_PATH_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@~+/-")
_STEM_PREFIX = re.compile(r"^(?:tasks?[-_])", re.I)
_NOISE = re.compile(r"[`*_~]+")
# File names many unrelated folders share: a shared name alone does not make two files copies.
_GENERIC_STEMS = {
    "readme",
    "index",
    "tasks",
    "task",
    "todo",
    "notes",
    "plan",
    "current-task",
    "checklist",
    "handover",
    "summary",
}


def checklist_mirror(repo: RepoModel) -> Iterator[Diagnostic]:
    config = repo.config
    mirrors = mirror_docs(repo)
    docs = [*repo.plans, *mirrors]
    mirror_paths = {m.path for m in mirrors}
    yield from _by_id(repo.task_index(), mirrors, mirror_paths, config)
    yield from _by_text(repo.root, docs, mirrors, config)


def mirror_docs(repo: RepoModel) -> list[Plan]:
    """The mirror files `mirrors` names, loaded (and cached) with the plans."""
    return list(repo.mirrors)


def _state(task: Task, config: Config) -> tuple[str | None, bool] | None:
    """(column from the status, closed?) as the copy states it; None when it states nothing."""
    if task.status:
        column = config.column_for_status(task.status)
        if column is not None:
            return column, column in config.closed_columns
    if task.checked is not None:
        return None, task.checked
    return None


def _agree(a: tuple[str | None, bool], b: tuple[str | None, bool]) -> bool:
    if a[0] is not None and b[0] is not None:
        return a[0] == b[0]
    return a[1] == b[1]


def _describe(task: Task, state: tuple[str | None, bool]) -> str:
    if state[0] is not None:
        return f"{state[0]} (status {task.status!r})"
    return "[x]" if state[1] else "[ ]"


def _finding(here: Task, there: Task, label: str, config: Config) -> Diagnostic | None:
    mine, theirs = _state(here, config), _state(there, config)
    if mine is None or theirs is None or _agree(mine, theirs):
        return None
    return Diagnostic(
        here.path,
        here.line,
        here.col,
        CHECKLIST_MIRROR,
        f"{label} is {_describe(here, mine)} here but {_describe(there, theirs)} in its copy at "
        f"{there.path}:{there.line}",
    )


def _by_id(
    index: dict[str, list[Task]], mirrors: list[Plan], mirror_paths: set[str], config: Config
) -> Iterator[Diagnostic]:
    # The plans' shared index, plus the mirrors' tasks: an ID with one task has no copy to
    # disagree with, so only IDs seen twice are looked at (most of 50,000, in a large repo).
    in_mirrors: dict[str, list[Task]] = {}
    for mirror in mirrors:
        for task in mirror.walk():
            if task.id is not None:
                in_mirrors.setdefault(task.id, []).append(task)
    for task_id in [*index, *(i for i in in_mirrors if i not in index)]:
        tasks = [*index.get(task_id, ()), *in_mirrors.get(task_id, ())]
        if len(tasks) < 2:
            continue
        by_path: dict[str, Task] = {}
        for task in tasks:  # in file order: each file's first copy that states something
            if _state(task, config) is not None:
                by_path.setdefault(task.path, task)
        if len(by_path) < 2:
            continue
        # The reference copy: the first plan that states something, else the first mirror.
        ordered = sorted(by_path.values(), key=lambda t: (t.path in mirror_paths, t.path))
        for position, task in enumerate(ordered[1:], 1):
            # Same-named files in different folders number their own tasks (checks.id_scope);
            # a line naming the ID for other work ("[x] PR-31 criteria are testable" in a
            # review) is no copy of the task.
            reference = next(
                (
                    t
                    for t in ordered[:position]
                    if same_scope(t.path, task.path) and not different_work(t, task)
                ),
                None,
            )
            if reference is None:
                continue
            finding = _finding(task, reference, task_id, config)
            if finding is not None:
                yield finding


def _by_text(
    root: Path, docs: list[Plan], mirrors: list[Plan], config: Config
) -> Iterator[Diagnostic]:
    if not mirrors:
        return
    refs: dict[str, set[str]] = {}

    def references(doc: Plan) -> set[str]:
        if doc.path not in refs:
            try:
                text = (root / doc.path).read_text("utf-8", "replace")
            except OSError:
                text = ""
            refs[doc.path] = _md_paths(text)
        return refs[doc.path]

    anonymous = {doc.path: _anonymous(doc) for doc in docs}
    seen: set[frozenset[str]] = set()
    for mirror in mirrors:
        if not anonymous[mirror.path]:
            continue
        for other in docs:
            pair = frozenset((mirror.path, other.path))
            if other.path == mirror.path or pair in seen or not anonymous[other.path]:
                continue
            seen.add(pair)
            if not _copies(mirror, other, references):
                continue
            # Report in the mirror, pointing at the plan (or at the other mirror).
            here, there = (mirror, other)
            for key, task in anonymous[here.path].items():
                twin = anonymous[there.path].get(key)
                if twin is not None:
                    finding = _finding(task, twin, f"'{task.title[:60]}'", config)
                    if finding is not None:
                        yield finding


def anonymous_tasks(doc: Plan) -> dict[str, Task]:
    """The tasks without an ID that a copy of `doc` is matched on, by their text."""
    return _anonymous(doc)


def _anonymous(doc: Plan) -> dict[str, Task]:
    """Tasks without an ID by their normalised text; text seen twice in one file is skipped."""
    found: dict[str, Task] = {}
    doubled: set[str] = set()
    for task in doc.walk():
        if task.id is not None:
            continue
        key = " ".join(_NOISE.sub("", task.title).lower().split()).rstrip(" .;:")
        if not key:
            continue
        if key in found:
            doubled.add(key)
        found.setdefault(key, task)
    return {k: v for k, v in found.items() if k not in doubled}


def _copies(a: Plan, b: Plan, references: Callable[[Plan], set[str]]) -> bool:
    if b.path in references(a) or a.path in references(b):
        return True
    stem = _stem(a.path)
    return stem == _stem(b.path) and stem not in _GENERIC_STEMS


def _stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return _STEM_PREFIX.sub("", name).lower()


def _md_paths(text: str) -> set[str]:
    """Every `something/like/this.md` a text names, without a leading ./ (scanned back from
    each `.md`: one regex over the whole text backtracks badly on 700 KB snapshots)."""
    found = set()
    for match in _MD_END.finditer(text):
        start = match.start()
        while start > 0 and text[start - 1] in _PATH_CHARS:
            start -= 1
        token = text[start : match.end()]
        while token.startswith("./"):
            token = token[2:]
        if len(token) > 3:
            found.add(token)
    return found
