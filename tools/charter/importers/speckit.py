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
# Words and arrows that state an order between tasks (see `_note_waits`).
_ORDER = re.compile(
    r"\b(?:depends? on|after|requires|blocked by|waits? for|before|blocks"
    r"|(?:in )?(?:the )?same file as)\b|<-|->|→|←",
    re.I,
)
_SAME_FILE = "\0same-file"
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
    features = [path.parent.name or "tasks" for path in files]
    numbers = [_number(f) for f in features]
    for path, feature, number in zip(files, features, numbers, strict=True):
        file_rel = (
            rel if directory.is_file() else f"{base}/{path.relative_to(directory).as_posix()}"
        )
        # The feature's number keeps its IDs apart from other features' T001; two features
        # with one number (001-login, 001-search) are told apart by their whole folder name.
        prefix = ""
        if prefix_ids:
            unique = number is not None and numbers.count(number) == 1
            prefix = f"{number}-" if unique else f"{slug(feature)}-"
        plan = _read_tasks(path, file_rel, feature, prefix, result.diagnostics)
        plan.path = f"{out_dir}/speckit-{slug(feature)}.md"
        result.plans.append(plan)
    return result


def _number(feature: str) -> str | None:
    match = re.match(r"\d+(?=-|$)", feature)
    return match.group(0) if match else None


def _read_tasks(
    path: Path, file_rel: str, feature: str, prefix: str, diagnostics: list[Diagnostic]
) -> PlanSpec:
    source = decode(file_rel, path.read_bytes())
    lines = source.lines
    title = feature
    sections: list[tuple[str, list[TaskSpec]]] = [("Tasks", [])]
    tasks: dict[str, tuple[TaskSpec, int]] = {}
    stack: list[tuple[int, TaskSpec, str]] = []  # (indent, task, ID as written) of open items
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
            _note_waits(raw, number, stack[-1][2] if stack else None, waits)
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
        _note_waits(item.group("rest"), number, item.group("id"), waits)
        indent = len(item.group("indent").expandtabs(4))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        (stack[-1][1].subtasks if stack else sections[-1][1]).append(spec)
        stack.append((indent, spec, item.group("id")))
    order = {task_id[len(prefix) :]: position for position, task_id in enumerate(tasks)}
    for line, dependents, dependencies in _settle_same_file(waits, order):
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
    """The order a line states in prose, as (line, tasks that wait, tasks they wait for).

    'T010 (service) <- depends on T008 + T009', 'T038 Wire router (after T037)':
    the tasks before the keyword (or the item the text belongs to) wait for those
    after it. 'T002 before T003', 'T005 blocks T006', 'T008 -> T009 -> T012': the
    tasks after the keyword or arrow wait. 'same file as T002': the two cannot run
    together, and the one listed later waits (settled in `_settle_same_file`). Each
    side is the clause around its keyword: a parenthesis, ';', '. ' or the next
    keyword ends it.
    """
    found = list(_ORDER.finditer(text))
    # 'T010 <- depends on T008': marks with nothing but spaces between read as the last one.
    marks = [
        m
        for i, m in enumerate(found)
        if i + 1 == len(found) or re.search(r"\w", text[m.end() : found[i + 1].start()])
    ]
    subject: list[str] = []  # the last keyword's two sides, for one that follows it
    objects: list[str] = []
    for index, match in enumerate(marks):
        left_end = match.start()
        left_start = marks[index - 1].end() if index else 0
        right_end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        between = re.split(r"[();]|\.\s", text[left_start:left_end])
        # Without a clause break since the last keyword, what lies between is that one's
        # object ('after T037 and before T045'): the item itself is this one's subject.
        chained = index and _is_arrow(marks[index - 1].group(0)) and _is_arrow(match.group(0))
        carried = bool(index) and len(between) == 1 and not chained
        right = re.split(r"[();]|\.\s", text[match.end() : right_end])[0]
        after = _IDS.findall(right)
        # No clause break since the last keyword: what lies between was its object ('after
        # T037 and before T045': the item is the subject again), or, when it had none, its
        # subject goes on ('T001, T002 -> parallel, both before T003').
        carried_subject = [] if objects else subject
        before = carried_subject if carried else _IDS.findall(between[-1])
        subject, objects = before, after
        word = match.group(0).lower()
        if "same file" in word:
            if own and after:
                waits.append((line, [_SAME_FILE, own], after))
            continue
        if not before and not own and not index:
            before = _IDS.findall(text[:left_end])  # 'Sequential: T004 (after T001)'
        if word in ("before", "blocks", "->", "→"):
            waiting, first = after, before or ([own] if own else [])
        else:
            waiting, first = before or ([own] if own else []), after
        if waiting and first:
            waits.append((line, waiting, first))


def _is_arrow(mark: str) -> bool:
    return mark in ("->", "→", "<-", "←")


def _settle_same_file(
    waits: list[tuple[int, list[str], list[str]]], order: dict[str, int]
) -> list[tuple[int, list[str], list[str]]]:
    """'same file as' pairs as waits: of two tasks that edit one file, the later-listed waits."""
    settled = []
    for line, dependents, dependencies in waits:
        if not dependents or dependents[0] != _SAME_FILE:
            settled.append((line, dependents, dependencies))
            continue
        own = dependents[1]
        for other in dependencies:
            if other not in order or own not in order:
                settled.append((line, [own], [other]))  # reported as unknown below
            elif order[other] < order[own]:
                settled.append((line, [own], [other]))
            elif order[other] > order[own]:
                settled.append((line, [other], [own]))
    return settled
