"""A hand-written handoff doc, read back as a plan.

Teams steer agents with handoff notes such as

    ## New Autonomy Backlog Created
    - EPIC 6 `#74` Autonomous Mission Runtime
      - `#75` `6.1 Mission model + state machine`
    ## Recommended Next Execution Order
    1. EPIC 2 (`#65`) first:
    2. Then EPIC 6:

Every list item naming a task ID defines that task (its first mention does;
later mentions are references). Nested items are subtasks. A done mark (✅)
on the item ticks it like a checkbox. A task's status is, in order of
precedence: a parenthesised status on its own line (`(closed)`), the words of
an enclosing item without an ID ("EPIC 1 is implemented and closed:"), the
section heading ("What Is Already Done"). An ordered list under
a heading about order or sequence chains its steps: each step depends on the
one before. Checklist items and table rows with IDs are read as in any plan.

Every derived field points at the source words it came from, so a diagnostic
lands on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from charter import markdown
from charter.config import Config
from charter.model import Field, Plan, Task
from charter.parse.frontmatter import split_frontmatter
from charter.parse.plans import CHECKBOX_RE, plan_from_source
from charter.parse.source import decode

_BULLET = re.compile(r"^\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])[ \t]+")
_PAREN = re.compile(r"\(([^()]*)\)")
_EPIC = re.compile(r"\bepic\s+(\d+)\b", re.I)
_ORDER_HEADING = re.compile(r"\b(order|sequence)\b", re.I)
_ORDER_WORDS = re.compile(
    r"^(?:then|next|finally|after that)\b[\s,:]*|[\s,:]*\b(?:first|then)\s*:?\s*$", re.I
)
_DONE_MARKS = ("✅", "☑", "✔")


@dataclass
class _Draft:
    id: str
    title: str
    line: int  # 1-based
    col: int
    item: int  # index into the outline's items
    status: Field | None
    checked: bool | None = None  # a done mark (✅) on the item itself
    depends: list[str] = field(default_factory=list)
    children: list[_Draft] = field(default_factory=list)

    def build(self, path: str, parent: str | None) -> Task:
        fields = (self.status,) if self.status is not None else ()
        return Task(
            id=self.id,
            title=self.title,
            path=path,
            line=self.line,
            col=self.col,
            kind="checklist",
            checked=self.checked,
            fields=fields,
            depends=tuple(self.depends),
            parent=parent,
            subtasks=tuple(c.build(path, self.id) for c in self.children),
        )


def parse_handoff(path: str, data: bytes, config: Config) -> Plan:
    source = decode(path, data)
    base = plan_from_source(source, config)
    lines = source.lines
    start = split_frontmatter(lines, path).body_start_line
    outline = markdown.outline("\n".join([""] * (start - 1) + lines[start - 1 :]))
    reader = _Reader(lines, outline, config, {t.id for t in base.walk() if t.id})
    drafts = reader.read()
    tasks = [*base.tasks, *(d.build(path, None) for d in drafts)]
    tasks.sort(key=lambda t: (t.line, t.col))
    return Plan(
        path=path,
        frontmatter=base.frontmatter,
        frontmatter_lines=base.frontmatter_lines,
        has_frontmatter=base.has_frontmatter,
        title=base.title,
        tasks=tuple(tasks),
        problems=base.problems,
    )


class _Reader:
    def __init__(
        self, lines: list[str], outline: markdown.Outline, config: Config, known: set[str]
    ):
        self.lines, self.outline, self.config = lines, outline, config
        self.known = set(known)
        self.id_re = re.compile(rf"(?<![\w-])(?:{config.id_pattern})(?![\w-])")
        self.phrases = sorted(
            ((p, c) for c, ps in config.status_map.items() for p in ps if p.strip()),
            key=lambda pc: -len(pc[0]),
        )
        self.drafts: dict[int, _Draft] = {}  # item index -> task it defines
        self.by_id: dict[str, _Draft] = {}

    def read(self) -> list[_Draft]:
        roots: list[_Draft] = []
        order_steps: list[int] = []
        for index, item in enumerate(self.outline.items):
            heading = self._heading(item.line)
            if (
                heading is not None
                and item.depth == 0
                and item.ordered
                and _ORDER_HEADING.search(heading.text)
            ):
                order_steps.append(index)
            raw = self.lines[item.line] if item.line < len(self.lines) else ""
            if CHECKBOX_RE.match(raw):
                continue  # checklist items are the plan parser's
            for draft in self._define(index, raw):
                parent = self._parent_draft(index)
                (parent.children if parent is not None else roots).append(draft)
        self._chain(order_steps)
        return roots

    def _define(self, index: int, raw: str) -> list[_Draft]:
        item = self.outline.items[index]
        bullet = _BULLET.match(raw)
        text_start = bullet.end() if bullet else 0
        found = [m for m in self.id_re.finditer(raw, text_start) if m.group(0) not in self.known]
        if not found:
            return []
        # A done mark on the item is its checkbox; only its own parenthesis may add a status.
        done = any(mark in raw[text_start:] for mark in _DONE_MARKS)
        status = self._status(index, raw, text_start, own_only=done)
        text = raw[text_start:]
        title = (
            ""
            if len(found) > 1
            else _title(text, found[0].start() - text_start, found[0].end() - text_start)
        )
        drafts = []
        for match in found:
            draft = _Draft(
                match.group(0),
                title,
                item.line + 1,
                match.start() + 1,
                index,
                status,
                True if done else None,
            )
            self.known.add(draft.id)
            self.by_id[draft.id] = draft
            drafts.append(draft)
        self.drafts[index] = drafts[0]
        return drafts

    def _parent_draft(self, index: int) -> _Draft | None:
        parent = self.outline.items[index].parent
        while parent is not None:
            if parent in self.drafts:
                return self.drafts[parent]
            parent = self.outline.items[parent].parent
        return None

    def _heading(self, line: int) -> markdown.Heading | None:
        before = [h for h in self.outline.headings if h.line < line]
        return before[-1] if before else None

    def _status(self, index: int, raw: str, text_start: int, own_only: bool) -> Field | None:
        line = self.outline.items[index].line
        for paren in _PAREN.finditer(raw, text_start):
            found = self._phrase_in(raw, paren.start(1), paren.end(1))
            if found is not None:
                return Field("status", raw[found[0] : found[1]], line + 1, found[0], found[1])
        if own_only:
            return None
        parent = self.outline.items[index].parent
        while parent is not None:
            if parent not in self.drafts:
                pline = self.outline.items[parent].line
                praw = self.lines[pline]
                bullet = _BULLET.match(praw)
                found = self._phrase_in(praw, bullet.end() if bullet else 0, len(praw))
                if found is not None:
                    return Field("status", praw[found[0] : found[1]], pline + 1, found[0], found[1])
            else:
                return self.drafts[parent].status
            parent = self.outline.items[parent].parent
        heading = self._heading(line)
        if heading is not None:
            hraw = self.lines[heading.line]
            found = self._phrase_in(hraw, 0, len(hraw))
            if found is not None:
                return Field("status", hraw[found[0] : found[1]], heading.line + 1, *found)
        return None

    def _phrase_in(self, raw: str, start: int, end: int) -> tuple[int, int] | None:
        """The earliest status phrase (longest at a tie) as whole words in raw[start:end]."""
        best: tuple[int, int] | None = None
        for phrase, _column in self.phrases:
            words = r"[\s_-]+".join(re.escape(w) for w in phrase.split())
            match = re.compile(rf"(?<!\w){words}(?!\w)", re.I).search(raw, start, end)
            if match and (best is None or match.start() < best[0]):
                best = (match.start(), match.end())
        return best

    def _chain(self, steps: list[int]) -> None:
        """Each step of an execution order depends on the step before it."""
        epics: dict[str, str] = {}
        for draft in self.by_id.values():
            epic = _EPIC.match(draft.title)
            if epic:
                epics.setdefault(epic.group(1), draft.id)
        previous: list[str] = []
        for index in steps:
            item = self.outline.items[index]
            ids: list[str] = []
            for number in range(item.line, item.end):
                raw = self.lines[number] if number < len(self.lines) else ""
                ids += [m.group(0) for m in self.id_re.finditer(raw)]
                ids += [epics[e] for e in _EPIC.findall(raw) if e in epics]
            current = [i for i in dict.fromkeys(ids) if i in self.by_id]
            for task_id in current:
                deps = self.by_id[task_id].depends
                deps += [p for p in previous if p != task_id and p not in deps]
            if current:
                previous = current


def _title(text: str, id_start: int, id_end: int) -> str:
    """The item's words without the ID (and the code span or parentheses around it)."""
    before, after = text[:id_start], text[id_end:]
    for mark in ("`", "**", "__"):  # the code span or bold around the ID: `#64`, **#219**
        if before.endswith(mark) and after.startswith(mark):
            before, after = before[: -len(mark)], after[len(mark) :]
    if before.rstrip().endswith("(") and after.lstrip().startswith(")"):
        before, after = before.rstrip()[:-1], after.lstrip()[1:]
    title = (before.rstrip() + " " + after.lstrip()).replace("`", "")
    title = _ORDER_WORDS.sub("", " ".join(title.split()))
    return title.strip(" :")
