"""The Markdown board of charter's own template, written without Jinja2.

`templates/board.md.j2` renders 50,000 rows in seconds through Jinja2 (one
context dict per row, filters called through the sandbox). When a repository
does not override the template, this module writes the same bytes directly:
row by row, each line a pure function of its row, so that an edit can also
replace a few lines of a board already written (charter.board.patch). A test
renders both ways on the demo, generated repositories and every golden board.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from charter.board.render import (
    MD_TEMPLATE,
    BoardRow,
    _grouped_by_epic,
    _normalise,
    _relative,
    board_context,
)
from charter.config import Config
from charter.repo import RepoModel
from charter.templating import (
    PACKAGE_TEMPLATES,
    md_cell,
    md_code,
    md_href,
    render_template,
    template_path,
)

TITLE = "Task board"
_GLOB_CHARS = "*?["


def is_default_template(config: Config) -> bool:
    """Whether the board renders from charter's own template (no override in the repo)."""
    return template_path(config, MD_TEMPLATE) == PACKAGE_TEMPLATES / MD_TEMPLATE


class RowWriter:
    """One board row as its Markdown table line, links relative to the board's folder."""

    def __init__(self, config: Config, epics: bool, claims: bool):
        base = config.board.rpartition("/")[0]
        self.base = base
        self.epics = epics
        self.claims = claims
        self._plans: dict[str, tuple[str, str]] = {}  # plan -> (cell text, link)
        self._evidence: dict[str, str] = {}

    def line(self, r: BoardRow) -> str:
        plan = self._plans.get(r.plan)
        if plan is None:
            plan = self._plans[r.plan] = (md_cell(r.plan), _relative(r.plan, self.base))
        parts = [f"| {md_cell(r.id)} |"]
        if self.epics:
            parts.append(f" {md_cell(r.epic)} |")
        parts.append(f" {md_cell(r.title)} | {md_cell(r.owner)} |")
        if self.claims:
            parts.append(f" {md_cell(r.claimed_by)} | {md_cell(r.claimed_until)} |")
        href = md_href(f"{plan[1]}#L{r.line}")
        evidence = ", ".join(self._evidence_cell(e) for e in r.evidence)
        parts.append(f" [{plan[0]}:{r.line}]({href}) | {evidence} |")
        return "".join(parts).rstrip()  # as _normalise leaves every line

    def _evidence_cell(self, path: str) -> str:
        cell = self._evidence.get(path)
        if cell is None:
            text = md_cell(md_code(path))
            if any(c in path for c in _GLOB_CHARS):
                cell = text
            else:
                cell = f"[{text}]({md_href(_relative(path, self.base))})"
            self._evidence[path] = cell
        return cell


def ordered_columns(config: Config, rows: Sequence[BoardRow]) -> dict[str, list[BoardRow]]:
    """The rows by column, in the board's order (epics grouped when some row is a subtask)."""
    by_column: dict[str, list[BoardRow]] = {name: [] for name in config.columns}
    epics = any(r.epic for r in rows)
    for r in _grouped_by_epic(rows) if epics else rows:
        by_column.setdefault(r.column, []).append(r)
    return by_column


def _top(config: Config, total: int, plan_count: int, counts: Mapping[str, int]) -> list[str]:
    """The board's lines above its columns: title, summary and the count of each column."""
    plans = ", ".join(md_code(p) for p in config.plans)
    lines = [
        f"# {TITLE}",
        "",
        f"{total} task{'' if total == 1 else 's'} from {plan_count} "
        f"plan{'' if plan_count == 1 else 's'}. Edit tasks in {plans} or with `charter task`; "
        "this file is regenerated from them.",
        "",
        "| Column | Tasks |",
        "|---|---:|",
    ]
    lines += [f"| {md_cell(name)} | {count} |" for name, count in counts.items()]
    return lines


def _table_head(epics: bool, claims: bool) -> tuple[str, str]:
    """A column's table header line and rule line."""
    header = "| ID |" + (" Epic |" if epics else "") + " Title | Owner |"
    header += (" Claimed by | Until |" if claims else "") + " Plan | Evidence |"
    rule = "|---|" + ("---|" if epics else "") + "---|---|" + ("---|---|" if claims else "")
    return header, rule + "---|---|"


def assemble(
    config: Config,
    total: int,
    plan_count: int,
    columns: Mapping[str, list[str]],
    epics: bool,
    claims: bool,
) -> str:
    """The board's body from each column's row lines (as `RowWriter.line` writes them)."""
    lines = _top(config, total, plan_count, {name: len(rows) for name, rows in columns.items()})
    header, rule = _table_head(epics, claims)
    for name, rows in columns.items():
        lines += ["", f"## {name} ({len(rows)})", ""]
        if rows:
            lines += [header, rule, *rows]
        else:
            lines.append("_No tasks._")
    text = "\n".join(lines) + "\n"
    # Row lines are one line each with no trailing space (`RowWriter.line`), so only a
    # column name can need what _normalise does; skipping it saves 5 MB of copying.
    if any(_unclean(name) for name in columns):
        return _normalise(text)
    return text


def assemble_pieces(
    config: Config,
    total: int,
    plan_count: int,
    columns: Mapping[str, tuple[int, Sequence[bytes | memoryview]]],
    epics: bool,
    claims: bool,
) -> list[bytes | memoryview] | None:
    """`assemble`'s bytes, in pieces: each column's rows given as their count and pieces of
    whole lines, each with its newline (slices of a board already written, kept uncopied);
    None when a column's name needs what _normalise does (then `assemble` it is)."""
    if any(_unclean(name) for name in columns):
        return None
    counts = {name: count for name, (count, _rows) in columns.items()}
    head = "\n".join(_top(config, total, plan_count, counts)) + "\n"
    header, rule = _table_head(epics, claims)
    table = f"{header}\n{rule}\n".encode()
    pieces: list[bytes | memoryview] = [head.encode("utf-8")]
    for name, (count, rows) in columns.items():
        pieces.append(f"\n## {name} ({count})\n\n".encode())
        if count:
            pieces.append(table)
            pieces.extend(rows)
        else:
            pieces.append(b"_No tasks._\n")
    return pieces


def _unclean(name: str) -> bool:
    return "\n" in name or "\r" in name or name != name.rstrip()


def render_markdown(config: Config, plan_count: int, rows: Sequence[BoardRow]) -> str:
    """The body `templates/board.md.j2` renders for `rows` (charter's own template only)."""
    epics = any(r.epic for r in rows)
    claims = any(r.claimed_by for r in rows)
    writer = RowWriter(config, epics, claims)
    columns = {
        name: [writer.line(r) for r in items]
        for name, items in ordered_columns(config, rows).items()
    }
    return assemble(config, len(rows), plan_count, columns, epics, claims)


def board_markdown(repo: RepoModel, rows: Sequence[BoardRow]) -> str:
    """The Markdown board's body: without Jinja2 for charter's own template, else through
    the repository's override."""
    config = repo.config
    if is_default_template(config):
        return render_markdown(config, len(repo.plans), rows)
    context = board_context(repo, rows, config.board)
    return _normalise(render_template(config, MD_TEMPLATE, **context))
