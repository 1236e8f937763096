"""`charter import speckit specs/`: spec-kit `tasks.md` files as plans.

spec-kit writes `specs/<NNN-feature>/tasks.md`:

    ## Phase 3: User Story 1 - Browse (Priority: P1)
    - [ ] T012 [P] [US1] Create model in src/models/user.py
    - [X] **T020a** [US2] Add filter
    T010 (service) <- depends on T008 + T009

Each feature becomes `speckit-<NNN-feature>.md`, one section per phase. Every
feature numbers its tasks from T001, so IDs carry the feature number (009-T012)
when more than one feature is imported. `[P]` becomes `Parallel: yes`, `[US1]`
`Story: US1`; a struck-through marker (`~~DEFERRED~~`) becomes the status.
Dependencies are read from lines that name tasks, then "depends on" (or
"after", "requires", "blocked by"), then the tasks they wait for.
"""

from __future__ import annotations

import re
from pathlib import Path

from charter.config import Config
from charter.errors import CharterError
from charter.importers.writer import ImportResult, PlanSpec, TaskSpec, slug
from charter.model import Diagnostic
from charter.parse.source import decode

_TASK_ID = r"T\d+[a-z]?"
_ITEM = re.compile(
    rf"^(?P<indent>\s*)[-*+]\s+\[(?P<mark>[ xX])\]\s+(?:\*\*|`)?(?P<id>{_TASK_ID})(?:\*\*|`)?"
    r"(?![\w-])[:.]?\s*(?P<rest>.*)$"
)
_MARK = re.compile(r"^\[(?P<mark>P|US\d+|[A-Z][A-Za-z]*\d*)\]\s*")
_STRUCK = re.compile(r"~~(?P<word>[A-Z][A-Z _-]+)~~")
_WAITS = re.compile(r"\b(?:depends? on|after|requires|blocked by|before)\b", re.I)
_IDS = re.compile(rf"(?<![\w-]){_TASK_ID}(?![\w-])")
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


def import_speckit(directory: Path, rel: str, config: Config, out_dir: str) -> ImportResult:
    if directory.is_file():
        files = [directory]
        base = rel
    elif directory.is_dir():
        files = sorted(directory.glob("*/tasks.md"))
        if (directory / "tasks.md").is_file():
            files.insert(0, directory / "tasks.md")
        base = rel.rstrip("/")
    else:
        raise CharterError("no such file or directory", rel)
    if not files:
        raise CharterError(
            "no */tasks.md under this folder (spec-kit keeps specs/<feature>/tasks.md)", rel
        )
    result = ImportResult()
    prefix_ids = len(files) > 1
    for path in files:
        feature = path.parent.name if path != directory else path.parent.name or "tasks"
        file_rel = (
            rel if directory.is_file() else f"{base}/{path.relative_to(directory).as_posix()}"
        )
        number = re.match(r"\d+", feature)
        prefix = (
            f"{number.group(0)}-"
            if prefix_ids and number
            else (f"{slug(feature).upper()}-" if prefix_ids else "")
        )
        plan = _read_tasks(path, file_rel, feature, prefix, result.diagnostics)
        plan.path = f"{out_dir}/speckit-{slug(feature)}.md"
        result.plans.append(plan)
    return result


def _read_tasks(
    path: Path, file_rel: str, feature: str, prefix: str, diagnostics: list[Diagnostic]
) -> PlanSpec:
    source = decode(file_rel, path.read_bytes())
    lines = source.lines
    title = feature
    sections: list[tuple[str, list[TaskSpec]]] = [("Tasks", [])]
    tasks: dict[str, tuple[TaskSpec, int]] = {}
    stack: list[tuple[int, TaskSpec]] = []  # (indent, task) of open checklist items
    waits: list[tuple[int, list[str], list[str]]] = []  # (line, dependents, dependencies)
    fence: str | None = None
    for number, raw in enumerate(lines, 1):
        match_fence = _FENCE.match(raw)
        if fence is not None or match_fence:
            if fence is None and match_fence:
                fence = match_fence.group(1)
            elif match_fence and match_fence.group(1)[0] == fence[0]:  # type: ignore[index]
                fence = None
            _note_waits(raw, number, None, waits)
            continue
        heading = _HEADING.match(raw)
        if heading:
            text = heading.group("text")
            if heading.group("hashes") == "#":
                title = re.sub(r"^Tasks:\s*", "", text) or feature
            elif heading.group("hashes") == "##":
                sections.append((text, []))
            stack.clear()
            continue
        item = _ITEM.match(raw)
        if item is None:
            _note_waits(raw, number, stack[-1][1].id if stack else None, waits)
            continue
        spec = _task(item, prefix)
        own = prefix + item.group("id")
        if own in tasks:
            diagnostics.append(
                Diagnostic(
                    file_rel,
                    number,
                    1,
                    "SK001",
                    f"{item.group('id')} is listed twice (first at line "
                    f"{tasks[own][1]}); both are imported",
                )
            )
        tasks.setdefault(own, (spec, number))
        _note_waits(item.group("rest"), number, own, waits)
        indent = len(item.group("indent").expandtabs(4))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        (stack[-1][1].subtasks if stack else sections[-1][1]).append(spec)
        stack.append((indent, spec))
    for line, dependents, dependencies in waits:
        for dependent in dependents:
            target = tasks.get(prefix + dependent)
            if target is None:
                continue
            for dep in dependencies:
                dep_id = prefix + dep
                if dep_id not in tasks:
                    diagnostics.append(
                        Diagnostic(
                            file_rel,
                            line,
                            1,
                            "SK002",
                            f"{dependent} waits for {dep}, which this tasks.md does not list",
                            "warning",
                        )
                    )
                elif dep_id != target[0].id and dep_id not in target[0].depends:
                    target[0].depends.append(dep_id)
    return PlanSpec(
        path="",
        id=f"speckit-{slug(feature)}",
        title=title,
        source=file_rel,
        intro=f"Imported from `{file_rel}` by `charter import speckit`. This plan is now the "
        "source: edit it, not tasks.md.",
        sections=[s for s in sections if s[1]],
    )


def _task(item: re.Match[str], prefix: str) -> TaskSpec:
    rest = item.group("rest")
    parallel, stories, others = False, [], []
    while True:
        mark = _MARK.match(rest)
        if mark is None:
            break
        value = mark.group("mark")
        if value == "P":
            parallel = True
        elif value.startswith("US"):
            stories.append(value)
        else:
            others.append(value)
        rest = rest[mark.end() :]
    struck = _STRUCK.search(rest)
    spec = TaskSpec(
        prefix + item.group("id"),
        rest.strip(),
        status=struck.group("word").strip().capitalize() if struck else None,
        checked=item.group("mark") in "xX",
    )
    if parallel:
        spec.fields.append(("Parallel", "yes"))
    if stories:
        spec.fields.append(("Story", ", ".join(stories)))
    if others:
        spec.fields.append(("Tags", ", ".join(others)))
    return spec


def _note_waits(
    text: str, line: int, own: str | None, waits: list[tuple[int, list[str], list[str]]]
) -> None:
    """Dependencies a line states in prose.

    'T010 (service) <- depends on T008 + T009': T010 waits for T008 and T009;
    'T001, T002 before T003': T003 waits for both. The tasks on each side are
    those of the clause around the keyword (a parenthesis or ';' ends a
    clause); a side with none takes every ID before the keyword, or the
    checklist item the text belongs to.
    """
    for match in _WAITS.finditer(text):
        left_clause = re.split(r"[();]", text[: match.start()])[-1]
        right_clause = re.split(r"[();]|\.\s", text[match.end() :])[0]
        before = _IDS.findall(left_clause) or _IDS.findall(text[: match.start()])
        after = _IDS.findall(right_clause)
        if match.group(0).lower() == "before":
            before, after = after, before
        if not after:
            continue
        own_id = own.rsplit("-", 1)[-1] if own else None
        dependents = before or ([own_id] if own_id else [])
        if dependents:
            waits.append((line, dependents, after))
