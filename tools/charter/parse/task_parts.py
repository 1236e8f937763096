"""The pieces plans and table rows are both built from: field names, the ID and title
columns, a task under construction (`_Builder`), and how IDs, dependency lists and
evidence are read from text. `charter.parse.plans` and `charter.parse.table_tasks`
both import them from here."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from charter.config import Config
from charter.model import Evidence, Field, Task
from charter.parse import shapes

# Field name as written (lower case) -> canonical name.
FIELD_ALIASES: dict[str, str] = {
    "status": "status",
    "state": "status",
    "owner": "owner",
    "ownerrole": "owner",
    "owner role": "owner",
    "assignee": "owner",
    "depends": "depends",
    "depends on": "depends",
    "depends_on": "depends",
    "dependencies": "depends",
    "blocked by": "depends",
    "blocked_by": "depends",
    "deps": "depends",
    "requires": "depends",
    "prerequisites": "depends",
    "level": "level",
    "autonomy": "level",
    "autonomy level": "level",
    "acceptance": "acceptance",
    "acceptance criteria": "acceptance",
    "done when": "acceptance",
    "evidence": "evidence",
    "files": "files",
    "touches": "touches",  # the paths a task will change (charter overlap)
    "reviewed": "reviewed",  # the commit the task was last reviewed at (rule CH031)
    "reviewed at": "reviewed",
    "priority": "priority",
    "notes": "notes",
    "note": "notes",
    "deliverable": "deliverable",
    "blocked reason": "blocked_reason",
    "blocked": "blocked_reason",
    "reason": "blocked_reason",
    "updated": "updated",
    "title": "title",
    "plan": "plan",
    "planlink": "plan",
    "plan link": "plan",
    # Chinese column headers, as role hand-offs write them.
    "状态": "status",
    "负责人": "owner",
    "优先级": "priority",
    "备注": "notes",
    "依赖": "depends",
}


ID_COLUMNS = (
    "id",
    "task id",
    "task",
    "key",
    "ticket",
    "issue",
    "bug id",
    "test id",
    "ref",
    "story",
    "编号",
)


# Columns that number rows without naming them: rows become tasks without an ID.
NUMBER_COLUMNS = ("#", "no", "no.", "nr", "num", "number", "step", "序号")


TITLE_COLUMNS = (
    "title",
    "name",
    "summary",
    "description",
    "task",
    "item",
    "deliverable",
    "描述",
    "标题",
)


_BACKTICK = re.compile(r"`([^`]+)`")


_MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


_SHA = re.compile(r"sha256[:=]\s*([0-9a-fA-F]{64})")


_NONE_VALUES = {"", "-", "—", "none", "n/a", "na", "tbd"}


_ID_COMMENT = re.compile(r"<!--\s*id:\s*(?P<id>[\w.-]+)\s*-->", re.I)


_BOLD_LEAD = r"\*\*(?P<id>{id})(?![\w-])[ \t:.\-–—]*(?P<rest>[^*]*)\*\*"


@dataclass
class _Builder:
    id: str | None
    title: str
    line: int
    col: int
    kind: str
    checked: bool | None
    checkbox_col: int | None
    fields: list[Field] = field(default_factory=list)
    children: list[_Builder] = field(default_factory=list)
    implied_status: str | None = None
    after: list[str] = field(default_factory=list)  # the previous step of an in-order list

    def build(self, path: str, config: Config, parent: str | None) -> Task:
        owner = self.id or parent
        subtasks = tuple([c.build(path, config, owner) for c in self.children])
        evidence: list[Evidence] = []
        named: list[str] = []
        for f in self.fields:  # one pass: a plan of 50,000 tasks builds every one
            if f.name == "evidence":
                evidence += parse_evidence(f)
            elif f.name == "depends":
                named += parse_ids(f.value, config)
        depends = tuple(dict.fromkeys(named + self.after)) if named or self.after else ()
        return Task(
            id=self.id,
            title=self.title,
            path=path,
            line=self.line,
            col=self.col,
            kind="checklist" if self.kind == "checklist" else "table",
            checked=self.checked,
            fields=tuple(self.fields),
            evidence=tuple(evidence),
            depends=depends,
            parent=parent,
            subtasks=subtasks,
            checkbox_col=self.checkbox_col,
            implied_status=self.implied_status,
        )


def match_task_id(text: str, config: Config) -> tuple[str | None, str]:
    """Split an item's text into (ID, title). IDs may be bold, code, bracketed or bare.

    Two later forms are read when none of those leads the text: an explicit
    `<!-- id: 8 -->` comment (agent task lists write these), then an ID opening a
    bold title (`**DEF-002 Fix P2WPKH**`).
    """
    stripped = text.strip()
    leads, bold_lead = _id_patterns(config.id_pattern)
    for pattern in leads:
        match = pattern.match(stripped)
        if match and not shapes.is_id_range(match.group("id")):
            rest = stripped[match.end() :].lstrip(" \t:.-–—)")
            return match.group("id"), rest.strip()
    comment = _ID_COMMENT.search(stripped)
    if comment:
        rest = stripped[: comment.start()] + stripped[comment.end() :]
        return comment.group("id"), rest.strip()
    bold = bold_lead.match(stripped)
    if bold:
        return bold.group("id"), (bold.group("rest") + stripped[bold.end() :]).strip()
    return None, stripped


@functools.lru_cache(maxsize=8)
def _id_patterns(id_pattern: str) -> tuple[tuple[re.Pattern[str], ...], re.Pattern[str]]:
    """The forms an item's text may lead with its ID in, in the order they are tried,
    and the bold title an ID may open (compiled once per ID pattern: a plan of 50,000
    tasks asks 300,000 times)."""
    leads = (
        r"\*\*(?P<id>{id})\*\*",
        r"__(?P<id>{id})__",
        r"`(?P<id>{id})`",
        r"\[(?P<id>{id})\]",
        r"(?P<id>{id})(?![\w-])",
        # "PR #222", "**Issue #7**": the kind of item before its number.
        r"(?:\*\*|__)?(?:PR|Issue|Ticket|Bug|Story|Epic)\s+(?P<id>{id})(?![\w-])(?:\*\*|__)?",
    )
    compiled = tuple(re.compile(lead.format(id=id_pattern)) for lead in leads)
    return compiled, re.compile(_BOLD_LEAD.format(id=id_pattern))


def parse_ids(value: str, config: Config) -> list[str]:
    if value.strip().lower() in _NONE_VALUES:
        return []
    return [m.group(0) for m in _bounded_id(config.id_pattern).finditer(value)]


@functools.lru_cache(maxsize=8)
def _bounded_id(id_pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{id_pattern})(?![\w-])")


def parse_evidence(f: Field) -> list[Evidence]:
    """Paths named by an Evidence field: `code spans`, [links](path), or bare words with / or ."""
    value = f.value
    if value.strip().lower() in _NONE_VALUES:
        return []
    found: list[tuple[int, str]] = []
    # The patterns only where their first character is: most values are one bare path.
    spans = (
        [(m.start(), m.group(1).strip()) for m in _BACKTICK.finditer(value)] if "`" in value else []
    )
    if "](" in value:
        spans += [(m.start(), m.group(1).strip()) for m in _MD_LINK.finditer(value)]
    if spans:
        found = spans
    else:
        position = 0
        for word in _WORD_BREAK.split(value):
            position = value.find(word, position)
            # A leading dot is part of the path (.runs/x.json); a trailing one ends the sentence.
            found.append((position, word.strip("()[]<>\"'").rstrip(".:")))
    hashed = "sha256" in value
    result: list[Evidence] = []
    for position, candidate in sorted(found):
        if not looks_like_path(candidate):
            continue
        digest = None
        sha = _SHA.search(value, position) if hashed else None
        if sha:
            next_start = min((p for p, _ in found if p > position), default=len(value))
            digest = sha.group(1).lower() if sha.start() < next_start else None
        result.append(Evidence(candidate, f.line, digest))
    return result


_WORD_BREAK = re.compile(r"[\s,;]+")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}$")


def looks_like_path(text: str) -> bool:
    if not text or " " in text or "://" in text or text.startswith(("#", "@", "$")):
        return False
    if not any(ch.isalnum() for ch in text):
        return False  # a bare "/" from prose such as "345 files / 4253 tests"
    return "/" in text or _EXTENSION.search(text) is not None
