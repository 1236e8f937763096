"""CH003 done-without-evidence, read the way each document writes its evidence.

Documents put proof of done work in different places: an `Evidence:` field
bullet, an `Evidence:` clause at the end of the item, inside the Acceptance
line (`Acceptance: ...; Evidence: ...`), in a sibling bullet of a ticked
`[x] Status:` line, in an Evidence, Output or Links column of a table, as a
link in a Notes cell. A done task that holds proof in any of those places is
not reported, even when the proof is no path (`Evidence: final diff`).

Where the plans are not charter's own (`require_frontmatter = false`), a
done task is reported only when the section it sits in (the lines between
two headings) follows the evidence convention: something in it names
evidence. A session log's to-do list, a review checklist or a standard's
"implemented:" list never names evidence; a ticked box there is how that
document is written, and charter, being unsure, says nothing.

The message names a fix that works for the task's shape: a field bullet, an
inline clause, the table's own evidence column, or a new Evidence column.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from charter.model import Diagnostic, Task
from charter.parse.source import decode
from charter.parse.tables import split_row
from charter.repo import RepoModel

# "Evidence: x" (bold or not), and an Evidence column's header cell.
_LABELLED = re.compile(r"(?<![\w-])evidence(?:\*\*|__)?\s*[:：=]\s*\S", re.I)
_LABEL = re.compile(r"(?<![\w-])evidence(?:\*\*|__)?\s*[:：=|]|\|\s*(?:\*\*)?evidence\b", re.I)
_CHECKBOX = re.compile(r"^\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])\s+\[[^\]]\]")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s|$)")
_ITEM = re.compile(r"^(?P<indent>\s*(?:>\s*)*)(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_LINK = re.compile(r"\]\((?!#)[^)\s]+\)|https?://\S+")
_PATHISH = re.compile(r"`[^`\s]*[/.][^`\s]*`|(?<![\w/])[\w.-]+/[\w./-]*\.[A-Za-z]\w{0,7}\b")
_COMMIT = re.compile(r"(?<![\w-])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}(?![\w-])")
_PR = re.compile(r"(?:^|\s|\()(?:PR\s*)?#\d+\b", re.I)
# Table columns that hold a task's proof, by what their header says.
_EVIDENCE_COLUMN = re.compile(
    r"evidence|proof|output|artifact|deliverable|result|report|verif|link|\bpr\b|commit", re.I
)
# Columns whose presence says the table records proof for every done row.
_CONVENTION_COLUMN = re.compile(r"evidence|proof|output|artifact", re.I)
_NONE_VALUES = {"", "-", "—", "–", "none", "n/a", "na", "tbd", "todo", "pending", "(pending)"}


def done_without_evidence(repo: RepoModel) -> Iterator[Diagnostic]:
    if not repo.config.require_evidence:
        return
    strict = repo.config.require_frontmatter
    texts: dict[str, list[str]] = {}
    for task in repo.standings.done:
        if task.evidence or _evidence_field_written(task):
            continue
        if task.path not in texts:
            texts[task.path] = _read_lines(repo, task.path)
        lines = texts[task.path]
        unit = _Unit.of(task, lines)
        if unit.has_proof():
            continue
        if not strict and not unit.section_names_evidence():
            continue
        label = task.id or f"'{task.title[:60]}'"
        yield Diagnostic(
            task.path,
            task.line,
            task.col,
            "CH003",
            f"{label} is done but names no evidence: {unit.fix(task)}",
        )


def _evidence_field_written(task: Task) -> bool:
    """An Evidence field with something in it: the proof is where the convention puts it,
    even when it is no path (`Evidence: final diff`, `Evidence: PR #339`)."""
    return any(
        f.name == "evidence" and f.value.strip().strip("*_`").lower() not in _NONE_VALUES
        for f in task.fields
    )


def _read_lines(repo: RepoModel, path: str) -> list[str]:
    try:
        return decode(path, (repo.root / path).read_bytes()).lines
    except OSError:
        return []


def _proof_in(text: str) -> bool:
    return bool(
        _LABELLED.search(text)
        or _LINK.search(text)
        or _PATHISH.search(text)
        or _COMMIT.search(text)
        or _PR.search(text)
    )


@dataclass
class _Unit:
    """The lines around one task that may hold its proof, and the section it sits in."""

    task: Task
    lines: list[str]
    own: list[str]  # the task's own text: its item (with nested lines) or its row
    around: list[str]  # the enclosing list item, when the task is nested in one
    section: range  # 0-based lines from the heading above to the next heading
    header: list[str]  # a table task's header cells (stripped)
    cells: list[str]  # a table task's cells

    @classmethod
    def of(cls, task: Task, lines: list[str]) -> _Unit:
        index = task.line - 1
        section = _section(lines, index)
        if task.kind == "table" and index < len(lines):
            header_line = _table_header(lines, index)
            header = [c.text.strip().strip("*_`").strip() for c in split_row(header_line)]
            cells = [c.text.strip() for c in split_row(lines[index])]
            return cls(task, lines, [lines[index]], [], section, header, cells)
        own = [lines[i] for i in _item_span(lines, index)]
        # A ticked line nested in a plain item ('- Subtask: X' over '- [x] Status: done') is
        # that item's state: the item's other bullets hold its proof. A nested task with an
        # ID answers for itself.
        # A step without an ID ticked under a task is part of that task: the task's own
        # evidence covers it.
        parent = _enclosing_item(lines, index)
        around = []
        if parent is not None and (task.id is None or not _CHECKBOX.match(lines[parent])):
            span = _item_span(lines, parent)
            around = [lines[parent], *(lines[i] for i in span if not _CHECKBOX.match(lines[i]))]
        return cls(task, lines, own, around, section, [], [])

    def has_proof(self) -> bool:
        if self.task.kind == "table":
            return any(
                _cell_proves(name.lower(), cell)
                for name, cell in zip(self.header, self.cells, strict=False)
            )
        own = "\n".join(self.own)
        if _LABELLED.search(own) or _LINK.search(own):
            return True
        # Proof in a field the parser keeps (Acceptance, Notes, Deliverable) or in the
        # enclosing item, such as a ticked `Status:` line's sibling Acceptance bullet.
        fields = " ".join(f.value for f in self.task.fields if f.name != "status")
        if _LABELLED.search(fields) or _LABELLED.search("\n".join(self.around)):
            return True
        return self.section_block_evidence()

    def section_names_evidence(self) -> bool:
        if any(_CONVENTION_COLUMN.search(h) for h in self.header):
            return True  # the task's table keeps a column for its proof
        if self.task.kind == "table":
            return any(_LABEL.search(self.lines[i]) for i in self.section)
        # A checklist section follows the convention when at least half its items name evidence.
        items = [self.lines[i] for i in self.section if _CHECKBOX.match(self.lines[i])]
        named = sum(1 for line in items if _LABELLED.search(line))
        return named * 2 >= len(items) > 0

    def section_block_evidence(self) -> bool:
        """An `**Evidence**:` paragraph in the section, outside any list item: the proof of
        the section's checklist, written once below it."""
        return any(
            _LABEL.search(self.lines[i])
            and not _ITEM.match(self.lines[i])
            and not self.lines[i].lstrip().startswith("|")
            for i in self.section
        )

    def fix(self, task: Task) -> str:
        command = f"`charter task done {shlex.quote(task.id)} --evidence PATH`" if task.id else None
        if task.kind == "table":
            named = next((h for h in self.header if _EVIDENCE_COLUMN.search(h)), None)
            if named is not None and named.lower().startswith("evidence"):
                return f"put the path in its {named} cell" + (f" ({command})" if command else "")
            if named is not None:
                return f"put the path or link in its '{named}' cell"
            return "add an Evidence column to its table and put the path there" + (
                f", then {command}" if command else ""
            )
        if self._inline_convention():
            return "end the item with 'Evidence: `path`', as the other items here do"
        bullet = "add a bullet '- Evidence: `path`' under it"
        return bullet + (f", or run {command}" if command else "")

    def _inline_convention(self) -> bool:
        """The section's checklist items carry their evidence at the end of their own line."""
        return any(
            _CHECKBOX.match(self.lines[i]) and _LABELLED.search(self.lines[i]) for i in self.section
        )


def _cell_proves(header: str, cell: str) -> bool:
    """What the author put in an evidence-like column (other than a date or a placeholder),
    or a link, path, commit or PR in a Notes cell."""
    if cell.strip("*_` ").lower() in _NONE_VALUES:
        return False
    if _EVIDENCE_COLUMN.search(header):
        return not _is_date(cell)
    return header in ("notes", "note", "comments") and _proof_in(cell)


def _is_date(text: str) -> bool:
    return bool(re.fullmatch(r"[\d./ -]{8,10}", text.strip()))


def _section(lines: list[str], index: int) -> range:
    start = index
    while start > 0 and not _HEADING.match(lines[start]):
        start -= 1
    end = index + 1
    while end < len(lines) and not _HEADING.match(lines[end]):
        end += 1
    return range(start, end)


def _table_header(lines: list[str], index: int) -> str:
    start = index
    while start > 0 and lines[start - 1].lstrip().lstrip(">").lstrip().startswith("|"):
        start -= 1
    return lines[start]


def _indent(line: str) -> int:
    match = _ITEM.match(line)
    return len(match.group("indent").expandtabs(4)) if match else -1


def _item_span(lines: list[str], index: int) -> range:
    """0-based lines of the list item at `index`: its line and the deeper-indented ones."""
    if index >= len(lines):
        return range(0)
    indent = len(lines[index]) - len(lines[index].lstrip())
    end = index + 1
    while end < len(lines):
        line = lines[end]
        if line.strip() and (len(line) - len(line.lstrip()) <= indent or _HEADING.match(line)):
            break
        end += 1
    return range(index, end)


def _enclosing_item(lines: list[str], index: int) -> int | None:
    """The list item this one is nested in (a less-indented item above), if any."""
    if index >= len(lines):
        return None
    mine = _indent(lines[index])
    if mine <= 0:
        return None
    for above in range(index - 1, -1, -1):
        line = lines[above]
        if not line.strip():
            continue
        if _HEADING.match(line):
            return None
        level = _indent(line)
        if 0 <= level < mine:
            return above
        if level < 0 and len(line) - len(line.lstrip()) == 0:
            return None  # a paragraph at the margin ends the list
    return None
