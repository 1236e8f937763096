"""Session logs: frontmatter (id, task, level, ...) and sections by heading."""

from __future__ import annotations

from charter import markdown
from charter.model import Diagnostic, Section, SessionLog
from charter.parse.frontmatter import split_frontmatter
from charter.parse.source import decode
from charter.rulecodes import NESTING_TOO_DEEP


def parse_session(path: str, data: bytes) -> SessionLog:
    source = decode(path, data)
    lines = source.lines
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
                NESTING_TOO_DEEP,
                "nesting too deep: content below this point was not read",
            )
        )
    sections: list[Section] = []
    headings = outline.headings
    for index, heading in enumerate(headings):
        end = headings[index + 1].line if index + 1 < len(headings) else len(lines)
        body = "\n".join(lines[heading.line + 1 : end])
        sections.append(Section(heading.text.strip(), heading.level, heading.line + 1, body))
    return SessionLog(
        path=path,
        frontmatter=fm.data,
        frontmatter_lines=fm.key_lines,
        has_frontmatter=fm.present,
        sections=tuple(sections),
        problems=tuple(problems),
        text="\n".join(lines[fm.body_start_line - 1 :]),
        body_line=fm.body_start_line,
    )
