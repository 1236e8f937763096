"""Plans: frontmatter plus tasks, written as checklist items or as table rows.

    - [ ] **ST-B-001** Investigate snapshot regression
      - Status: In Progress
      - Evidence: `.runs/ST-B-001/manifest.json`

    | ID | Title | Owner | Status |
    | ST-B-002 | Trial reduced ceilings | Ingestion | Done - 2025-12-22 |

Every task and field keeps its line and the columns of its value, so checks
can point at it and edits can replace exactly those bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from charter import markdown
from charter.config import Config
from charter.model import Diagnostic, Evidence, Field, Plan, Task
from charter.parse.frontmatter import split_frontmatter
from charter.parse.source import Source, decode
from charter.parse.tables import split_row

_BULLET = r"^(?P<indent>\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])[ \t]+)"
CHECKBOX_RE = re.compile(_BULLET + r"\[(?P<mark>[ xX])\](?:[ \t]+|$)(?P<text>.*)$")
FIELD_ITEM_RE = re.compile(
    _BULLET
    + r"(?:\*\*|__)?(?P<key>[A-Za-z][A-Za-z /_-]{0,30}?)(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]*"
)

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
    "dependencies": "depends",
    "blocked by": "depends",
    "deps": "depends",
    "level": "level",
    "autonomy": "level",
    "autonomy level": "level",
    "acceptance": "acceptance",
    "acceptance criteria": "acceptance",
    "evidence": "evidence",
    "files": "files",
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
_FIELD_KEYS = "|".join(sorted((re.escape(k) for k in FIELD_ALIASES), key=len, reverse=True))
# A second field on the same line: "Acceptance: ...; Evidence: `path`".
_INLINE_SPLIT = re.compile(rf"[;|]\s*(?:\*\*)?(?P<key>{_FIELD_KEYS})(?:\*\*)?\s*:\s*", re.I)
# An Evidence: clause at the end of a checklist item's own line.
_INLINE_EVIDENCE = re.compile(r"(?:^|\s)(?:\*\*)?Evidence(?:\*\*)?\s*:\s*", re.I)

ID_COLUMNS = ("id", "task id", "task", "key", "ticket", "issue", "bug id", "test id", "编号")
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
    after: list[str] = field(default_factory=list)  # the previous step of an in-order list

    def build(self, path: str, config: Config, parent: str | None) -> Task:
        subtasks = tuple(c.build(path, config, self.id or parent) for c in self.children)
        evidence = tuple(e for f in self.fields if f.name == "evidence" for e in parse_evidence(f))
        named = [d for f in self.fields if f.name == "depends" for d in parse_ids(f.value, config)]
        depends = tuple(dict.fromkeys([*named, *self.after]))
        return Task(
            id=self.id,
            title=self.title,
            path=path,
            line=self.line,
            col=self.col,
            kind="checklist" if self.kind == "checklist" else "table",
            checked=self.checked,
            fields=tuple(self.fields),
            evidence=evidence,
            depends=depends,
            parent=parent,
            subtasks=subtasks,
            checkbox_col=self.checkbox_col,
        )


def parse_plan(path: str, data: bytes, config: Config) -> Plan:
    source = decode(path, data)
    return plan_from_source(source, config)


def plan_from_source(source: Source, config: Config) -> Plan:
    path, lines = source.path, source.lines
    problems = list(source.problems)
    fm = split_frontmatter(lines, path)
    problems.extend(fm.problems)
    body_lines = [""] * (fm.body_start_line - 1) + lines[fm.body_start_line - 1 :]
    outline = markdown.outline("\n".join(body_lines))
    if outline.too_deep_line is not None:
        problems.append(
            Diagnostic(
                path,
                outline.too_deep_line + 1,
                1,
                "CH017",
                f"nesting deeper than {markdown.MAX_NESTING // 2} levels: "
                "content below this point was not read",
            )
        )
    roots = _checklist_tasks(path, lines, outline, config)
    plan_id = fm.data.get("id")
    step_prefix = f"{plan_id}-" if isinstance(plan_id, str) and plan_id else None
    roots.extend(_table_tasks(path, lines, outline, config, problems, step_prefix))
    roots.sort(key=lambda b: b.line)
    _chain_in_order(roots, lines, outline)
    tasks = tuple(b.build(path, config, None) for b in roots)
    title = fm.data.get("title")
    if not isinstance(title, str):
        title = next((h.text.strip() for h in outline.headings if h.level == 1), None)
    return Plan(
        path=path,
        frontmatter=fm.data,
        frontmatter_lines=fm.key_lines,
        has_frontmatter=fm.present,
        title=title,
        tasks=tasks,
        problems=tuple(problems),
    )


def match_task_id(text: str, config: Config) -> tuple[str | None, str]:
    """Split an item's text into (ID, title). IDs may be bold, code, bracketed or bare.

    Two later forms are read when none of those leads the text: an explicit
    `<!-- id: 8 -->` comment (agent task lists write these), then an ID opening a
    bold title (`**DEF-002 Fix P2WPKH**`).
    """
    stripped = text.strip()
    for pattern in (
        r"\*\*(?P<id>{id})\*\*",
        r"__(?P<id>{id})__",
        r"`(?P<id>{id})`",
        r"\[(?P<id>{id})\]",
        r"(?P<id>{id})(?![\w-])",
    ):
        match = re.match(pattern.format(id=config.id_pattern), stripped)
        if match:
            rest = stripped[match.end() :].lstrip(" \t:.-–—)")
            return match.group("id"), rest.strip()
    comment = _ID_COMMENT.search(stripped)
    if comment:
        rest = stripped[: comment.start()] + stripped[comment.end() :]
        return comment.group("id"), rest.strip()
    bold = re.match(_BOLD_LEAD.format(id=config.id_pattern), stripped)
    if bold:
        return bold.group("id"), (bold.group("rest") + stripped[bold.end() :]).strip()
    return None, stripped


def _checklist_tasks(
    path: str, lines: list[str], outline: markdown.Outline, config: Config
) -> list[_Builder]:
    builders: dict[int, _Builder] = {}
    roots: list[_Builder] = []
    items = outline.items
    for index, item in enumerate(items):
        raw = lines[item.line] if item.line < len(lines) else ""
        check = CHECKBOX_RE.match(raw)
        owner = _nearest_task(index, items, builders)
        if check is None:
            field_match = FIELD_ITEM_RE.match(raw)
            if field_match and owner is not None:
                owner.fields.extend(_fields_from_line(raw, field_match, item.line + 1))
            continue
        text = check.group("text")
        task_id, title = match_task_id(text, config)
        if task_id is None and owner is None and not config.anonymous_tasks:
            continue
        builder = _Builder(
            id=task_id,
            title=title,
            line=item.line + 1,
            col=len(check.group("indent")) + 1,
            kind="checklist",
            checked=check.group("mark") in "xX",
            checkbox_col=check.start("mark"),
        )
        inline = _INLINE_EVIDENCE.search(text)
        if inline:
            start = check.start("text") + inline.end()
            value = raw[start:].rstrip()
            builder.fields.append(
                Field("evidence", value, item.line + 1, start, start + len(value))
            )
            builder.title = _INLINE_EVIDENCE.split(title, maxsplit=1)[0].rstrip(" .;")
        builders[index] = builder
        if owner is None:
            roots.append(builder)
        else:
            owner.children.append(builder)
    return roots


def _nearest_task(
    index: int, items: list[markdown.ListItem], builders: dict[int, _Builder]
) -> _Builder | None:
    parent = items[index].parent
    while parent is not None:
        if parent in builders:
            return builders[parent]
        parent = items[parent].parent
    return None


def _fields_from_line(raw: str, match: re.Match[str], line: int) -> list[Field]:
    name = FIELD_ALIASES.get(match.group("key").strip().lower())
    if name is None:
        return []
    found: list[Field] = []
    start = match.end()
    for extra in _INLINE_SPLIT.finditer(raw, start):
        found.append(_field(name, raw, start, extra.start(), line))
        name, start = FIELD_ALIASES[extra.group("key").lower()], extra.end()
    found.append(_field(name, raw, start, len(raw), line))
    return found


def _field(name: str, raw: str, start: int, end: int, line: int) -> Field:
    value = raw[start:end]
    stripped = value.rstrip()
    lead = len(stripped) - len(stripped.lstrip())
    return Field(name, stripped.strip(), line, start + lead, start + len(stripped))


def _table_tasks(
    path: str,
    lines: list[str],
    outline: markdown.Outline,
    config: Config,
    problems: list[Diagnostic],
    step_prefix: str | None = None,
) -> list[_Builder]:
    found: list[_Builder] = []
    if not config.table_tasks:
        return found
    for table in outline.tables:
        header = split_row(lines[table.header])
        names = [c.text.strip().strip("*_`").strip().lower() for c in header]
        id_col = next((names.index(n) for n in ID_COLUMNS if n in names), None)
        # A `#` column numbers a plan's steps: step 3 of plan LS is task LS-3.
        step_col = names.index("#") if step_prefix and "#" in names else None
        if id_col is None and step_col is None:
            continue
        title_col = next(
            (names.index(n) for n in TITLE_COLUMNS if n in names and names.index(n) != id_col), None
        )
        for row_line in [*table.rows, *_rows_after_comments(lines, table.end)]:
            raw = lines[row_line]
            cells = split_row(raw)
            if len(cells) != len(header):
                problems.append(
                    Diagnostic(
                        path,
                        row_line + 1,
                        1,
                        "CH015",
                        f"table row has {len(cells)} cells, the header has {len(header)}",
                    )
                )
            for cell in cells:
                if cell.gfm_split:
                    problems.append(
                        Diagnostic(
                            path,
                            row_line + 1,
                            cell.start + 1,
                            "CH015",
                            "'|' inside a code span: GitHub splits the cell here; write it as \\|",
                            "warning",
                        )
                    )
            task_id, from_col = None, id_col
            if id_col is not None and id_col < len(cells):
                task_id, _ = match_task_id(cells[id_col].text, config)
            if task_id is None and step_col is not None and step_col < len(cells):
                step = cells[step_col].text.strip().strip("*_`")
                if step.isdigit():
                    task_id, from_col = f"{step_prefix}{step}", step_col
            if task_id is None or from_col is None or not config.id_re.fullmatch(task_id):
                continue
            checked = next(
                (
                    c.text.strip() in ("[x]", "[X]")
                    for c in cells
                    if c.text.strip() in ("[ ]", "[x]", "[X]")
                ),
                None,
            )
            named_col = title_col if title_col is not None or from_col == id_col else id_col
            title = (
                cells[named_col].text.strip()
                if named_col is not None and named_col < len(cells)
                else ""
            )
            id_cell = cells[from_col]
            id_col_1 = id_cell.start + len(id_cell.text) - len(id_cell.text.lstrip()) + 1
            builder = _Builder(task_id, title, row_line + 1, id_col_1, "table", checked, None)
            for col, cell in enumerate(cells[: len(names)]):
                name = FIELD_ALIASES.get(names[col])
                if name is None or col in (id_col, from_col) or name == "title":
                    continue
                value = cell.text.strip()
                lead = len(cell.text) - len(cell.text.lstrip())
                builder.fields.append(
                    Field(
                        name, value, row_line + 1, cell.start + lead, cell.start + lead + len(value)
                    )
                )
            found.append(builder)
    return found


# "execute in order", "in sequence", "in the following order"; not "in order to", and not
# "sequentially", which titles use ("Implement Tasks Sequentially" is a story, not an order).
IN_ORDER_RE = re.compile(
    r"\bin\s+(?:this\s+|that\s+|the\s+following\s+|strict\s+)?(?:order|sequence)\b"
    r"(?!\s+to\b|\s+of\b)",
    re.I,
)


def _chain_in_order(roots: list[_Builder], lines: list[str], outline: markdown.Outline) -> None:
    """Top-level tasks in a section whose heading says to execute them in order, or in a
    list or table right after a sentence saying so, each wait on the one before."""
    regions: list[tuple[int, int]] = []  # 1-based, half-open
    headings = outline.headings
    for index, heading in enumerate(headings):
        if IN_ORDER_RE.search(heading.text):
            end = next(
                (h.line for h in headings[index + 1 :] if h.level <= heading.level), len(lines)
            )
            regions.append((heading.line + 1, end + 1))
    for index, raw in enumerate(lines):
        stripped = raw.strip()
        if stripped.endswith(":") and IN_ORDER_RE.search(stripped) and stripped[0] not in "|-*#":
            end = index + 1
            while end < len(lines) and (lines[end].strip() == "" or end == index + 1):
                end += 1
            while end < len(lines) and lines[end].strip():
                end += 1
            regions.append((index + 1, end + 1))
    for start, end in regions:
        previous: _Builder | None = None
        for builder in roots:
            if not start < builder.line < end:
                continue
            if previous is not None and previous.id and builder.id and previous.id != builder.id:
                builder.after.append(previous.id)
            previous = builder


def _rows_after_comments(lines: list[str], end: int) -> list[int]:
    """Rows that continue a table after an HTML comment line.

    markdown-it ends a table at a line such as `<!-- ST-B-004 parked -->`, and
    the rows after it would silently stop being tasks; a person reads them as
    the same table.
    """
    rows: list[int] = []
    index, skipped = end, False
    while index < len(lines):
        text = lines[index].strip()
        if text.startswith("<!--") and text.endswith("-->"):
            skipped = True
        elif text.startswith("|") and skipped:
            rows.append(index)
        else:
            break
        index += 1
    return rows


def parse_ids(value: str, config: Config) -> list[str]:
    if value.strip().lower() in _NONE_VALUES:
        return []
    bounded = re.compile(rf"(?<![\w-])(?:{config.id_pattern})(?![\w-])")
    return [m.group(0) for m in bounded.finditer(value)]


def parse_evidence(f: Field) -> list[Evidence]:
    """Paths named by an Evidence field: `code spans`, [links](path), or bare words with / or ."""
    value = f.value
    if value.strip().lower() in _NONE_VALUES:
        return []
    found: list[tuple[int, str]] = []
    spans = [(m.start(), m.group(1).strip()) for m in _BACKTICK.finditer(value)]
    spans += [(m.start(), m.group(1).strip()) for m in _MD_LINK.finditer(value)]
    if spans:
        found = spans
    else:
        position = 0
        for word in re.split(r"[\s,;]+", value):
            position = value.find(word, position)
            # A leading dot is part of the path (.runs/x.json); a trailing one ends the sentence.
            found.append((position, word.strip("()[]<>\"'").rstrip(".:")))
    result: list[Evidence] = []
    for position, candidate in sorted(found):
        if not looks_like_path(candidate):
            continue
        sha = _SHA.search(value, position)
        next_start = min((p for p, _ in found if p > position), default=len(value))
        digest = sha.group(1).lower() if sha and sha.start() < next_start else None
        result.append(Evidence(candidate, f.line, digest))
    return result


def looks_like_path(text: str) -> bool:
    if not text or " " in text or "://" in text or text.startswith(("#", "@", "$")):
        return False
    if not any(ch.isalnum() for ch in text):
        return False  # a bare "/" from prose such as "345 files / 4253 tests"
    return "/" in text or bool(re.search(r"\.[A-Za-z0-9]{1,8}$", text))
