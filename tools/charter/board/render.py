"""The task board as text: Markdown (from a template), CSV, and an optional HTML page.

Pure functions of the parsed repository: no clock, no file reads beyond the
templates (the optional HTML page, from charter.board.html, adds charts from
the plans' git history). Rows are sorted naturally by ID (ST-B-2 before ST-B-10), then by
plan and line; output is LF and UTF-8, so rendering the same plans twice gives
the same bytes.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from charter.board.memo import encoded, remember, stamp_digest
from charter.config import Config
from charter.model import Task
from charter.repo import RepoModel
from charter.sorting import natural_key
from charter.stamps import KEY, companion_key, header_line
from charter.status import column_of

CSV_HEADER = ("ID", "Title", "Column", "Owner", "Plan", "Depends", "Evidence", "Updated")
# Added only when some task is claimed (board_claims): no claims, no column churn.
CSV_CLAIM_HEADER = ("Claimed by", "Claimed until")
MD_TEMPLATE = "board.md.j2"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class BoardRow:
    id: str
    title: str
    column: str
    status: str
    owner: str
    plan: str  # the plan's path, relative to the repository root
    line: int
    depends: tuple[str, ...]
    evidence: tuple[str, ...]
    updated: str
    claimed_by: str = ""  # the agent holding the task's claim (charter.board.claimed)
    claimed_until: str = ""  # the expiry that claim records
    epic: str = ""  # the ID of the task this one is a subtask of


@dataclass(frozen=True)
class BoardParts:
    """The rendered board before it is stamped: bodies by output path."""

    rows: tuple[BoardRow, ...]
    markdown: str  # body of the Markdown board, without its header line
    csv: str
    html: str | None = None  # body of the HTML page, when one was asked for


def board_rows(
    repo: RepoModel, claimed: Mapping[str, tuple[str, str]] | None = None
) -> list[BoardRow]:
    """Every task with an ID and, when `anonymous_tasks` is on, every top-level task
    without one (after the others, in plan order). Checklist steps nested in a task
    without IDs of their own belong to that task, not to the board. `claimed`: task ID
    -> (agent, expiry) of the claims to show."""
    config = repo.config
    tasks = [t for t in repo.resolution.tasks if t.id]  # one row per ID: its latest mention
    if config.anonymous_tasks:
        tasks += [t for plan in repo.plans for t in plan.tasks if not t.id]
    columns: dict[tuple[str | None, bool | None], str] = {}  # statuses repeat: map each once
    rows = [_row(task, config, columns) for task in tasks]
    if claimed:
        rows = [
            replace(r, claimed_by=claimed[r.id][0], claimed_until=claimed[r.id][1])
            if r.id in claimed
            else r
            for r in rows
        ]
    rows.sort(key=lambda r: (not r.id, natural_key(r.id), r.plan, r.line))
    return rows


def shows_claims(rows: Sequence[BoardRow]) -> bool:
    return any(r.claimed_by for r in rows)


def _row(
    task: Task, config: Config, columns: dict[tuple[str | None, bool | None], str]
) -> BoardRow:
    values = field_values(task)
    stated = values.get("status")
    task_status = stated if stated is not None else task.implied_status
    key = (task_status, task.checked)
    column = columns.get(key)
    if column is None:
        column = columns[key] = column_of(task, config)
    status = task_status or ""
    updated = values.get("updated") or ""
    if not updated:
        found = _DATE.search(status)
        updated = found.group(0) if found else ""
    return BoardRow(
        id=task.id or "",
        title=" ".join(task.title.split()),
        column=column,
        status=status,
        owner=values.get("owner") or "",
        plan=task.path,
        line=task.line,
        depends=task.depends,
        evidence=tuple(dict.fromkeys([e.path for e in task.evidence])) if task.evidence else (),
        updated=updated,
        epic=task.parent or "",
    )


def field_values(task: Task) -> dict[str, str]:
    """The task's fields by name, the first of a repeated name winning as `Task.value` does:
    one pass over the fields instead of one per name asked (50,000 rows notice)."""
    return {f.name: f.value for f in reversed(task.fields)}


def render_csv(rows: Sequence[BoardRow]) -> str:
    """RFC 4180 quoting (fields with a comma, quote or line break are quoted), LF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    claims = shows_claims(rows)
    writer.writerow(CSV_HEADER + (CSV_CLAIM_HEADER if claims else ()))
    for r in rows:
        writer.writerow(csv_cells(r, claims))
    return out.getvalue()


def csv_cells(r: BoardRow, claims: bool) -> tuple[str, ...]:
    """One row's CSV cells (with the claim columns when the board shows claims)."""
    claim = (r.claimed_by, r.claimed_until) if claims else ()
    return (
        r.id,
        r.title,
        r.column,
        r.owner,
        r.plan,
        "; ".join(r.depends),
        "; ".join(r.evidence),
        r.updated,
        *claim,
    )


def board_context(repo: RepoModel, rows: Sequence[BoardRow], output: str) -> dict[str, Any]:
    """Template variables; links are relative to `output` (a path from the repo root)."""
    config = repo.config
    base = posixpath.dirname(output)
    plan_links: dict[str, str] = {}
    evidence_links: dict[str, dict[str, Any]] = {}  # many rows cite one file
    by_column: dict[str, list[dict[str, Any]]] = {name: [] for name in config.columns}
    epics = any(r.epic for r in rows)
    for r in _grouped_by_epic(rows) if epics else rows:
        plan_link = plan_links.get(r.plan)
        if plan_link is None:
            plan_link = plan_links[r.plan] = _relative(r.plan, base)
        by_column.setdefault(r.column, []).append(
            {
                "id": r.id,
                "title": r.title,
                "owner": r.owner,
                "status": r.status,
                "plan": r.plan,
                "line": r.line,
                "plan_href": f"{plan_link}#L{r.line}",
                "depends": list(r.depends),
                "updated": r.updated,
                "claimed_by": r.claimed_by,
                "claimed_until": r.claimed_until,
                "epic": r.epic,
                "evidence": [_evidence_link(e, base, evidence_links) for e in r.evidence],
            }
        )
    columns = [
        {"name": name, "count": len(items), "rows": items} for name, items in by_column.items()
    ]
    return {
        "title": "Task board",
        "total": len(rows),
        "columns": columns,
        "plan_count": len(repo.plans),
        "plans": list(config.plans),
        "claims": shows_claims(rows),
        "epics": epics,
    }


def _grouped_by_epic(rows: Sequence[BoardRow]) -> list[BoardRow]:
    """The rows with each epic's subtasks right after it (or where it would be), in ID
    order otherwise: a column then reads epic by epic. A stable sort on the epic's key."""
    return sorted(rows, key=lambda r: (natural_key(r.epic or r.id), r.epic != ""))


def _evidence_link(path: str, base: str, seen: dict[str, dict[str, Any]]) -> dict[str, Any]:
    link = seen.get(path)
    if link is None:
        href = None if _GLOB.search(path) else _relative(path, base)
        link = seen[path] = {"path": path, "href": href}
    return dict(link)  # a copy each: a template may not change one row through another


def _relative(target: str, base: str) -> str:
    """`target` relative to folder `base`, both relative to the repo root. posixpath.relpath
    would do, but it consults the working directory on every call: 50k rows notice."""
    parts = [p for p in target.split("/") if p not in ("", ".")]
    folder = [p for p in base.split("/") if p not in ("", ".")]
    common = 0
    while common < min(len(parts), len(folder)) and parts[common] == folder[common]:
        common += 1
    return "/".join([".."] * (len(folder) - common) + parts[common:]) or "."


def header_note(config: Config) -> str:
    plans = ", ".join(config.plans)
    return (
        f"generated by charter; do not edit. Edit the plans ({plans}) or use `charter task`, "
        "then run `charter board`"
    )


def companion_name(owner: str, other: str) -> str:
    """How the file at `owner` names `other` in its stamp: relative to its folder."""
    return posixpath.relpath(other, posixpath.dirname(owner) or ".")


def stamped_markdown(config: Config, parts: BoardParts, extra: dict[str, str] | None = None) -> str:
    """The Markdown board with its header: generated-by note, its hash and the CSV's."""
    body = parts.markdown
    header = stamp_header(config, stamp_digest(body), stamp_digest(parts.csv), extra)
    text = header + body
    # Its bytes, from the body's (encoded once for its hash): the write and the memo's hash
    # need them, and encoding the whole text again costs as much.
    remember(text, header.encode("utf-8") + encoded(body))
    return text


def stamp_header(
    config: Config, body_digest: str, csv_digest: str, extra: dict[str, str] | None = None
) -> str:
    """The Markdown board's stamp line, from the hashes (charter.stamps.digest) of its body
    and of the CSV."""
    csv_name = companion_name(config.board, config.board_csv)
    attrs = {KEY: body_digest, companion_key(csv_name): csv_digest}
    attrs.update(extra or {})
    return header_line(attrs, header_note(config))


def _normalise(text: str) -> str:
    """LF line ends, no trailing blank lines, one final newline: a template saved with
    CRLF or a stray blank line must not make the output differ between machines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n") + "\n"
