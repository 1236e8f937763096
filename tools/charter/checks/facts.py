"""What a check needs to remember of one file, as plain data (CH-F-9).

A check after one plan edit should re-read that plan and no other. Each file's
share of the check is therefore kept apart, as data that JSON can hold:

- the findings of the rules that read only that file (`LOCAL` below), with
  their severities applied, and the file's citations for the evidence rules;
- a small summary for the rules that compare files: the IDs it defines and
  where, each task's dependencies and where they are written, the task a
  session log names, the `source` an imported plan replaces, and whether it
  holds tasks without IDs (which `mirrors` copies match by text).

The rules that compare files (`CROSS`) run on stand-in tasks rebuilt from
those summaries: the same functions as a full check, over records that carry
only what those functions read, so the findings are the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

try:  # as in charter.repo: blake2b without hashlib loading OpenSSL
    from _blake2 import blake2b
except ImportError:  # an interpreter without the module
    from hashlib import blake2b

from charter.checks.mirror_rules import anonymous_tasks
from charter.model import Diagnostic, Field, Plan, SessionLog, Task
from charter.repo import RepoModel
from charter.world import CitationRow

# The rules whose findings depend on more than one file: duplicate IDs, unknown
# dependencies, cycles, sessions naming unknown tasks, checklist mirrors.
CROSS = frozenset({"CH002", "CH006", "CH007", "CH012", "CH018"})

# One task's row in the summary: ID, line, column, dependencies, and the line and
# column CH006 points at (the depends field's, else the task's).
TaskRow = tuple[str | None, int, int, tuple[str, ...], int, int]


@dataclass(frozen=True)
class FileFacts:
    """One file's share of a check."""

    rel: str
    kind: str  # "plan", "session" or "mirror"
    digest: str
    findings: tuple[Diagnostic, ...]  # the LOCAL rules' findings in this file
    citations: tuple[CitationRow, ...]
    tasks: int
    source: str | None  # the file an imported plan replaces (repo.without_replaced)
    rows: tuple[TaskRow, ...]  # tasks that have an ID or dependencies, in file order
    session_task: tuple[str, int] | None  # the task a session log names, and its line
    anonymous: bool  # holds tasks without an ID that CH018 matches by text

    def stand_in_tasks(self) -> tuple[Task, ...]:
        """Tasks carrying only what the CROSS rules read of them."""
        return tuple(
            Task(
                task_id,
                "",
                self.rel,
                line,
                col,
                "checklist",
                None,
                fields=(Field("depends", "", dep_line, dep_col - 1, dep_col - 1),)
                if depends
                else (),
                depends=depends,
            )
            for task_id, line, col, depends, dep_line, dep_col in self.rows
        )

    summary: str = ""  # a hash of what the CROSS rules read of this file (`summarised`)

    def summarised(self) -> FileFacts:
        """These facts with their summary hash filled in."""
        text = repr((self.kind, self.source, self.rows, self.session_task, self.anonymous))
        digest = blake2b(text.encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()
        return replace(self, summary=digest)

    def to_data(self) -> list[Any]:
        return [
            self.kind,
            self.digest,
            [[d.path, d.line, d.col, d.code, d.message, d.severity] for d in self.findings],
            [[*row[:3], list(row[3]), row[4], [list(e) for e in row[5]]] for row in self.citations],
            self.tasks,
            self.source,
            [[*row[:3], list(row[3]), *row[4:]] for row in self.rows],
            list(self.session_task) if self.session_task else None,
            self.anonymous,
            self.summary,
        ]

    @classmethod
    def from_data(cls, rel: str, data: Any) -> FileFacts:
        """The facts `to_data` wrote; ValueError, TypeError or KeyError when they are not.

        The cache is sealed and keyed on charter's own code, so its shape is the one
        `to_data` writes: this checks the containers, not every value (50,000 rows)."""
        kind, digest, findings, citations, tasks, source, rows, session_task, anonymous, summary = (
            data
        )
        if not (isinstance(kind, str) and isinstance(digest, str) and isinstance(summary, str)):
            raise ValueError("not a file's facts")
        return cls(
            rel,
            kind,
            digest,
            tuple(Diagnostic(*f) for f in findings),
            tuple(
                (p, i, t, tuple(own), done, tuple(tuple(e) for e in cited))
                for p, i, t, own, done, cited in citations
            ),
            tasks,
            source if isinstance(source, str) else None,
            tuple((i, line, col, tuple(deps), dl, dc) for i, line, col, deps, dl, dc in rows),
            (str(session_task[0]), int(session_task[1])) if session_task else None,
            bool(anonymous),
            summary,
        )


def facts_of(
    rel: str,
    kind: str,
    digest: str,
    model: Plan | SessionLog,
    findings: Iterable[Diagnostic],
    citations: Iterable[CitationRow],
) -> FileFacts:
    """The facts of one parsed file, given its LOCAL findings and citations."""
    if isinstance(model, SessionLog):
        named_id = model.task
        named = (named_id, model.frontmatter_lines.get("task", 1)) if named_id else None
        return FileFacts(
            rel, kind, digest, tuple(sorted(findings)), (), 0, None, (), named, False
        ).summarised()
    rows: list[TaskRow] = []
    count = 0
    for task in model.walk():
        count += 1
        if task.id is None and not task.depends:
            continue
        field = task.field("depends") if task.depends else None
        dep_line, dep_col = (field.line, field.start + 1) if field else (task.line, task.col)
        rows.append((task.id, task.line, task.col, task.depends, dep_line, dep_col))
    source = model.frontmatter.get("source")
    return FileFacts(
        rel,
        kind,
        digest,
        tuple(sorted(findings)),
        tuple(citations),
        count,
        source if isinstance(source, str) else None,
        tuple(rows),
        None,
        bool(anonymous_tasks(model)),
    ).summarised()


def one_file_repo(template: RepoModel, model: Plan | SessionLog, kind: str) -> RepoModel:
    """A repository holding only `model`, for the rules that read one file at a time."""
    plans = (model,) if kind == "plan" and isinstance(model, Plan) else ()
    sessions = (model,) if isinstance(model, SessionLog) else ()
    mirrors = (model,) if kind == "mirror" and isinstance(model, Plan) else ()
    return RepoModel(
        template.root, template.config, plans, sessions, template.today, mirrors, template.cache
    )
