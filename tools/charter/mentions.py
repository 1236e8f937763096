"""One task, many mentions: which copy of a task ID speaks for it.

Real repositories mention a task in several places: an Active table and a
Delivered table, a board and a plan, three copies of one checklist, a handoff
naming what a plan defines. Every mention with the same ID is the same task,
unless the two describe different work (titles sharing less than half their
words: spec-kit's `T001` of two features, a ticket copied and reworded under
one number); only that is a conflict (CH002). A table row repeated word for
word in one file is no second mention but a copy left behind (CH002 too).

The task's standing is its most recent mention's, chosen in this order:

1. a mention that states something (a status, a checkbox, a finished
   section) beats one that states nothing;
2. a mention in a later-dated file beats an earlier one (a date in the file
   name, `2026-01-07-session.md`, or an `updated`/`date` frontmatter key);
3. a closed mention in a finished section or archive (a "Completed"/"Delivered"
   heading, an `archive` file) beats an open one: work moves there when done;
4. otherwise the first mention in plan order (path, line) speaks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from charter.model import Plan, Task
from charter.status import Standings

_DATE = re.compile(r"(20\d\d)-?([01]\d)-?([0-3]\d)")
_ARCHIVE = re.compile(r"archive|done|completed|delivered|history", re.I)
# Letters of alphabetic scripts; a CJK ideograph or kana (U+3040-U+9FFF) is a word of its
# own: those scripts write no spaces, so a whole phrase would otherwise count as one word.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"


@functools.cache
def _word() -> re.Pattern[str]:
    """A word of a title: compiled when first needed (2 ms: Unicode's letters), as two
    mentions' titles are compared only when one ID names two tasks."""
    return re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])[^\W\d_]){{3,}}")


_DATE_KEYS = ("updated", "last_updated", "last-updated", "date", "created")


@dataclass(frozen=True)
class Resolution:
    """Every ID's speaking mention, and the mentions that are different tasks."""

    tasks: tuple[Task, ...]  # one per ID (in first-mention order), then tasks without an ID
    winners: Mapping[str, Task]
    conflicts: tuple[tuple[Task, Task], ...]  # (a second task, the first one with its ID)
    repeats: tuple[tuple[Task, Task], ...] = ()  # (a row repeated in its file, its first copy)


def resolve(plans: Iterable[Plan], standings: Standings) -> Resolution:
    plans = tuple(plans)
    dates = {plan.path: _plan_date(plan) for plan in plans}
    groups: dict[str, list[Task]] = {}
    order: list[Task] = []
    for plan in plans:
        for task in plan.walk():
            if task.id is None:
                order.append(task)
            elif task.id in groups:
                groups[task.id].append(task)
            else:
                groups[task.id] = [task]
                order.append(task)
    winners: dict[str, Task] = {}
    conflicts: list[tuple[Task, Task]] = []
    repeats: list[tuple[Task, Task]] = []
    for task_id, mentions in groups.items():
        first = mentions[0]
        same = [first]
        for other in mentions[1:]:
            if different_work(first, other):
                conflicts.append((other, first))
                continue
            copy = next((t for t in same if repeated_row(t, other)), None)
            if copy is not None:
                repeats.append((other, copy))
            same.append(other)
        ranked = [
            (_precedence(t, standings, dates.get(t.path, "")), -n, t) for n, t in enumerate(same)
        ]
        winners[task_id] = max(ranked, key=lambda r: (r[0], r[1]))[2]
    tasks = tuple(winners[t.id] if t.id is not None else t for t in order)
    return Resolution(tasks, winners, tuple(conflicts), tuple(repeats))


def repeated_row(a: Task, b: Task) -> bool:
    """Two rows of one file saying the same thing cell for cell: one was copied, not moved."""
    return (
        a.kind == b.kind == "table"
        and a.path == b.path
        and a.line != b.line
        and a.title == b.title
        and [(f.name, f.value) for f in a.fields] == [(f.name, f.value) for f in b.fields]
    )


def different_work(a: Task, b: Task) -> bool:
    """Titles that share less than half their words (of three letters or more, any
    case; each CJK character a word): two tasks, not two mentions of one. A title
    holding all the other's words (a short mention of a longer title) or a missing
    title says nothing. Two mentions citing one piece of evidence are one task, reworded."""
    if {e.path for e in a.evidence} & {e.path for e in b.evidence}:
        return False
    words_a, words_b = _words(a.title), _words(b.title)
    if not words_a or not words_b or words_a <= words_b or words_b <= words_a:
        return False
    return len(words_a & words_b) * 2 < len(words_a | words_b)


# Verdicts a hand-over or review writes beside a task it names ("TC-7 (Idempotency):
# ✅ APPROVED"): they say how the task stands, not what it is.
_VERDICTS = frozenset({"approved", "rejected", "passed", "failed", "fixed", "done"}) | {
    *("complete", "completed", "verified", "pending", "blocked", "skipped", "new", "fix", "still")
}


def _words(title: str) -> set[str]:
    return {w.lower() for w in _word().findall(title)} - _VERDICTS


def _precedence(task: Task, standings: Standings, date: str) -> tuple[bool, str, bool]:
    """Rules 1-3 of the module's docstring; the caller breaks ties by position (rule 4)."""
    states = task.status is not None or task.checked is not None
    finished_here = standings.is_closed(task) and (
        (task.implied_status is not None and task.value("status") is None)
        or bool(_ARCHIVE.search(task.path.rsplit("/", 1)[-1]))
    )
    return states, date, finished_here


def _plan_date(plan: Plan) -> str:
    name = plan.path.rsplit("/", 1)[-1]
    match = _DATE.search(name)
    if match:
        return "".join(match.groups())
    for key in _DATE_KEYS:
        value = plan.frontmatter.get(key)
        if value is not None:
            found = _DATE.search(str(value))
            if found:
                return "".join(found.groups())
    return ""
