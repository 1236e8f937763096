"""What the rules that look past the plans need: the repository, and the tasks that cite evidence.

The evidence rules (CH004, CH005, CH019-CH023) and the git rules (CH024-CH027)
read files and git as they are now, so they run on every check. Of the plans
they need only each citing task's place, label, standing and evidence. A check
whose plans and logs did not change runs them from a remembered copy of that
(`charter.checks.memo`) and never loads the tasks themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from charter.config import Config
from charter.model import Evidence

T = TypeVar("T")
# A Citation as plain values, as `charter.checks.memo` stores it: pickling tuples is
# several times faster than pickling the objects.
CitationRow = tuple[
    str, str | None, str, tuple[str, ...], bool, tuple[tuple[str, int, str | None], ...]
]

LABEL_CHARS = 60  # how much of an unnamed task's title a message quotes


@dataclass(frozen=True)
class Citation:
    """A task that names evidence, as far as the evidence rules look at it."""

    path: str  # the plan holding the task
    task_id: str | None
    title: str  # its first LABEL_CHARS characters
    own_ids: tuple[str, ...]  # the task's ID and its subtasks': runs for these are its own
    done: bool
    evidence: tuple[Evidence, ...]

    @property
    def label(self) -> str:
        return self.task_id or f"'{self.title}'"

    def row(self) -> CitationRow:
        cited = tuple((e.path, e.line, e.sha256) for e in self.evidence)
        return (self.path, self.task_id, self.title, self.own_ids, self.done, cited)

    @classmethod
    def from_row(cls, row: CitationRow) -> Citation:
        path, task_id, title, own_ids, done, cited = row
        return cls(path, task_id, title, own_ids, done, tuple(Evidence(*e) for e in cited))


class World:
    """The repository on disk, with the citations of its tasks (computed when first asked)."""

    def __init__(
        self,
        root: Path,
        config: Config,
        cache: bool,
        citations: Callable[[], Sequence[Citation]],
        reviews: bool | None = None,
        some: bool = False,
    ):
        self.root = root
        self.config = config
        self.cache = cache  # whether rules may remember facts under .charter/cache/
        self._cite = citations
        # Whether a plan or task says `Reviewed:` (CH031 reads git only then); None: not
        # known, the rule looks at the plans itself.
        self.reviews = reviews
        # Only some plans' citations (a check after an edit, checks.world_replay): what is
        # remembered of the others' evidence is kept, not pruned.
        self.some = some
        self._shared: dict[str, Any] = {}

    @cached_property
    def citations(self) -> tuple[Citation, ...]:
        return tuple(self._cite())

    def shared(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` once per check: rules that share one scan (of git, of the evidence
        files) ask for it by key; it lives and dies with this object."""
        memo = self._shared
        if key not in memo:
            memo[key] = compute()
        return memo[key]  # type: ignore[no-any-return]
