"""Where a task ID is unique: per-unit documents number their tasks afresh.

spec-kit writes `specs/001-x/tasks.md` and `specs/002-y/tasks.md`, each from
T001; audit packs write `packs/a/cohesion-audit.report.md` and
`packs/b/cohesion-audit.report.md`, each from CH-0001. Files of one name in
different folders are one kind of document kept per unit (feature, pack,
milestone), so the same ID in two of them names two tasks: not a duplicate
(CH002) and not two copies of one task (CH018). Copies of one checklist have
different names (`tasks/tasks-0303-x.md`, `.agent/task/0303-x.md`), and so do a
board and its archives: an ID repeated there is still one task.

In documents that are not charter's own (frontmatter not required), two
different titles under one ID in different folders are not enough to call
them a duplicate: other tools number per pack, seam or session folder
(`packs/a/slice-2.md` and `baseline.md` both define `S2`), and handoffs and
QA notes in other folders name a task in their own words or language. Only
IDs given twice in one file or one folder (a board and its archives) are
reported there.
"""

from __future__ import annotations


def same_scope(a: str, b: str) -> bool:
    """Whether an ID in file `a` and the same ID in file `b` name one task."""
    folder_a, _, name_a = a.rpartition("/")
    folder_b, _, name_b = b.rpartition("/")
    return not (name_a == name_b and folder_a != folder_b)


def one_numbering(a: str, b: str, *, strict: bool) -> bool:
    """Whether two different titles under one ID, in files `a` and `b`, are a duplicate ID:
    anywhere in one scope for charter's own plans (`strict`), in one folder otherwise."""
    if strict:
        return same_scope(a, b)
    return a.rpartition("/")[0] == b.rpartition("/")[0]
