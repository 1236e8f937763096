"""What a check needs to remember of one file, as plain data (CH-F-9).

A check after one plan edit should re-read that plan and no other. Each file's
share of the check is therefore kept apart, as data that JSON can hold:

- the findings of the rules that read only that file (`LOCAL` below), with
  their severities applied, and the file's citations for the evidence rules;
- a small summary for the rules that compare files: the IDs it defines, with
  each task's title (CH002 tells two tasks from two mentions of one by their
  titles, charter.mentions) and where, each task's dependencies and where
  they are written, the task a session log names, the `source` an imported
  plan replaces, and whether it holds tasks without IDs (which `mirrors`
  copies match by text).

The rules that compare files (`CROSS`) run on stand-in tasks rebuilt from
those summaries: the same functions as a full check, over records that carry
only what those functions read, so the findings are the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import chain
from typing import Any

from charter import rulecodes
from charter.checks.mirror_rules import anonymous_tasks
from charter.fasthash import blake2b
from charter.model import Diagnostic, Evidence, Field, Plan, SessionLog, Task
from charter.model_codec import Malformed, decode_diagnostic
from charter.repo import RepoModel
from charter.world import CitationRow

# The rules whose findings depend on more than one file: duplicate IDs, unknown
# dependencies, cycles, sessions naming unknown tasks, checklist mirrors. Every other
# rule that reads only plans and logs looks at one file at a time (a test holds them to
# it: tests/checks/test_incremental.py).
CROSS = frozenset(
    {
        rulecodes.DUPLICATE_TASK_ID,
        rulecodes.UNKNOWN_DEPENDENCY,
        rulecodes.DEPENDENCY_CYCLE,
        rulecodes.SESSION_UNKNOWN_TASK,
        rulecodes.CHECKLIST_MIRROR,
    }
)

# One task's row in the summary: ID, title (of a task with an ID; "" otherwise), line,
# column, dependencies, the line and column CH006 points at (the depends field's, else
# the task's), its kind, its other fields as (name, value) and its evidence paths (which
# of two mentions of an ID repeat or reword one task: charter.mentions).
TaskRow = tuple[
    str | None,
    str,
    int,
    int,
    tuple[str, ...],
    int,
    int,
    str,
    tuple[tuple[str, str], ...],
    tuple[str, ...],
]
_ROW_WIDTH = 10


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
    # Tasks that have an ID or dependencies, in file order, as `to_data` writes them: most
    # checks replay the rules that compare files and never look at them (`rows`). None in
    # facts recalled from the last check's memo: `rows_loader` reads them from the cache.
    rows_data: list[Any] | None
    session_task: tuple[str, int] | None  # the task a session log names, and its line
    anonymous: bool  # holds tasks without an ID that CH018 matches by text
    reviewed: bool  # says `Reviewed:` (the plan or a task): CH031 has something to look at

    def stand_in_tasks(self) -> tuple[Task, ...]:
        """Tasks carrying only what the CROSS rules read of them."""
        return tuple(
            Task(
                task_id,
                title,
                self.rel,
                line,
                col,
                "table" if kind == "table" else "checklist",
                None,
                fields=_stand_in_fields(line, fields, bool(depends), dep_line, dep_col),
                evidence=tuple(Evidence(path, line) for path in evidence),
                depends=depends,
            )
            for task_id, title, line, col, depends, dep_line, dep_col, kind, fields, evidence in (
                self.rows()
            )
        )

    def rows(self) -> tuple[TaskRow, ...]:
        """The task rows; Malformed when what the cache held is not what `to_data` wrote."""
        if self.rows_data is not None:
            if self.rows_data and _types(self.rows_data) == {tuple}:
                return tuple(self.rows_data)  # built by `facts_of` in this run: no JSON's lists
            return _task_rows(self.rows_data)
        if self.rows_loader is None:
            raise Malformed("facts without their task rows")
        return _task_rows(self.rows_loader())

    def ids(self) -> list[str]:
        """The task IDs this file defines, in file order (with repeats)."""
        return [row[0] for row in self.rows() if row[0] is not None]

    summary: str = ""  # a hash of what the CROSS rules read of this file (`summarised`)
    rows_loader: Callable[[], list[Any]] | None = field(default=None, compare=False, repr=False)

    def summarised(self) -> FileFacts:
        """These facts with their summary hash filled in."""
        text = repr((self.kind, self.source, self.rows_data, self.session_task, self.anonymous))
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
            self.rows_data,
            list(self.session_task) if self.session_task else None,
            self.anonymous,
            self.summary,
            self.reviewed,
        ]

    @classmethod
    def from_data(cls, rel: str, data: Any) -> FileFacts:
        """The facts `to_data` wrote; Malformed (a ValueError) when they are not.

        A cache file is believed only when sealed by this user (charter.sealed), but its
        contents are still checked, column by column in C where there are many rows."""
        if type(data) is not list or len(data) != 11:
            raise Malformed("not a file's facts")
        kind, digest, findings, citations, tasks, source, rows, named, anonymous = data[:9]
        summary, reviewed = data[9:]
        if not (
            plain_facts(kind, digest, summary, tasks, source, anonymous, reviewed, findings)
            and type(citations) is list
            and type(rows) is list
        ):
            raise Malformed("not a file's facts")
        return cls(
            rel,
            kind,
            digest,
            tuple(decode_diagnostic(f) for f in findings),
            _citation_rows(citations),
            tasks,
            source,
            rows,
            session_task(named),
            anonymous,
            reviewed,
            summary,
        )


def _types(values: Iterable[Any]) -> set[type]:
    return set(map(type, values))


def _stand_in_fields(
    line: int, fields: tuple[tuple[str, str], ...], depends: bool, dep_line: int, dep_col: int
) -> tuple[Field, ...]:
    """The fields in their order, the depends one where CH006 points (the task's own place
    when its dependencies come from elsewhere, an in-order chain)."""
    where = (dep_line, dep_col - 1, dep_col - 1)
    built = tuple(
        Field(name, value, *where) if name == "depends" else Field(name, value, line, 0, 0)
        for name, value in fields
    )
    if depends and not any(name == "depends" for name, _ in fields):
        built = (Field("depends", "", *where), *built)
    return built


def _task_rows(rows: list[Any]) -> tuple[TaskRow, ...]:
    if not _types(rows) <= {list} or not set(map(len, rows)) <= {_ROW_WIDTH}:
        raise Malformed("not task rows")
    columns = list(zip(*rows, strict=True)) if rows else [()] * _ROW_WIDTH
    ids, titles, lines, cols, depends, dep_lines, dep_cols, kinds, fields, evidence = columns
    pairs = list(chain.from_iterable(fields))
    valid = (
        _types(ids) <= {str, type(None)}
        and _types(titles) <= {str}
        and _types(kinds) <= {str}
        and _types(chain(lines, cols, dep_lines, dep_cols)) <= {int}
        and _types(chain(depends, fields, evidence)) <= {list}
        and _types(chain.from_iterable(chain(depends, evidence))) <= {str}
        and _types(pairs) <= {list}
        and set(map(len, pairs)) <= {2}
        and _types(chain.from_iterable(pairs)) <= {str}
    )
    if not valid:
        raise Malformed("not task rows")
    return tuple(
        (i, title, line, col, tuple(deps), dl, dc, kind, tuple((n, v) for n, v in fs), tuple(ev))
        for i, title, line, col, deps, dl, dc, kind, fs, ev in rows
    )


def _citation_rows(rows: list[Any]) -> tuple[CitationRow, ...]:
    built: list[CitationRow] = []
    for row in rows:
        if type(row) is not list or len(row) != 6:
            raise Malformed("not a citation")
        path, task_id, title, own, done, cited = row
        valid = (
            type(path) is str
            and (task_id is None or type(task_id) is str)
            and type(title) is str
            and type(own) is list
            and _types(own) <= {str}
            and type(done) is bool
            and type(cited) is list
            and all(
                type(e) is list
                and len(e) == 3
                and type(e[0]) is str
                and type(e[1]) is int
                and (e[2] is None or type(e[2]) is str)
                for e in cited
            )
        )
        if not valid:
            raise Malformed("not a citation")
        built.append(
            (path, task_id, title, tuple(own), done, tuple((e[0], e[1], e[2]) for e in cited))
        )
    return tuple(built)


def session_task(value: Any) -> tuple[str, int] | None:
    if value is None:
        return None
    if type(value) is not list or len(value) != 2:
        raise Malformed("not a session's task")
    task, line = value
    if type(task) is not str or type(line) is not int:
        raise Malformed("not a session's task")
    return task, line


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
            rel, kind, digest, tuple(sorted(findings)), (), 0, None, [], named, False, False
        ).summarised()
    # Each row as `rows` gives it (a TaskRow), so the rules that compare files read this
    # run's rows as they are; `to_data` writes them as JSON's lists.
    rows: list[TaskRow] = []
    count = 0
    for task in model.walk():
        count += 1
        if task.id is None and not task.depends:
            continue
        field = task.field("depends") if task.depends else None
        dep_line, dep_col = (field.line, field.start + 1) if field else (task.line, task.col)
        has_id = task.id is not None
        rows.append(
            (
                task.id,
                task.title if has_id else "",
                task.line,
                task.col,
                task.depends,
                dep_line,
                dep_col,
                task.kind,
                tuple([(f.name, f.value) for f in task.fields]) if has_id else (),
                tuple([e.path for e in task.evidence]) if has_id else (),
            )
        )
    source = model.frontmatter.get("source")
    return FileFacts(
        rel,
        kind,
        digest,
        tuple(sorted(findings)),
        tuple(citations),
        count,
        source if isinstance(source, str) else None,
        rows,
        None,
        bool(anonymous_tasks(model)),
        _says_reviewed(model),
    ).summarised()


def says_reviewed(repo: RepoModel) -> bool:
    """Whether a plan says `Reviewed:` (World.reviews), from the loaded models."""
    return any(_says_reviewed(plan) for plan in repo.plans)


def _says_reviewed(plan: Plan) -> bool:
    """What CH031 looks for (claim_rules._reviews): a `reviewed` frontmatter key or task field."""
    if plan.frontmatter.get("reviewed") is not None:
        return True
    return any(task.field("reviewed") is not None for task in plan.walk())


def one_file_repo(template: RepoModel, model: Plan | SessionLog, kind: str) -> RepoModel:
    """A repository holding only `model`, for the rules that read one file at a time."""
    plans = (model,) if kind == "plan" and isinstance(model, Plan) else ()
    sessions = (model,) if isinstance(model, SessionLog) else ()
    mirrors = (model,) if kind == "mirror" and isinstance(model, Plan) else ()
    return RepoModel(
        template.root, template.config, plans, sessions, template.today, mirrors, template.cache
    )


def plain_facts(
    kind: Any,
    digest: Any,
    summary: Any,
    tasks: Any,
    source: Any,
    anonymous: Any,
    reviewed: Any,
    findings: Any,
) -> bool:
    """Whether a cached file's scalar facts have the types `FileFacts` holds."""
    return (
        type(kind) is str
        and type(digest) is str
        and type(summary) is str
        and type(tasks) is int
        and (source is None or type(source) is str)
        and type(anonymous) is bool
        and type(reviewed) is bool
        and type(findings) is list
    )
