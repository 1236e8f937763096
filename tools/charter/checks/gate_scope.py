"""The edit gate's reading of one edit: the plan and the few files that mention its IDs.

A task edit changes the fields of one task in one plan; its IDs, titles,
subtasks and dependencies read back as before (charter.tasks.edit verifies
that). So the errors it can bring into that plan come from:

- the rules that read one file at a time (all but checks.facts.CROSS), run
  over the plan alone, before and after;
- duplicate IDs (CH002) and checklist mirrors (CH018), which compare the
  mentions of one ID across files: run over the plan and every plan or mirror
  whose bytes hold one of its IDs (a numbered step `| 3 |` of a plan with
  `id: LS` is LS-3 without those bytes: a file holding `LS` counts too);
- unknown dependencies, cycles and sessions naming unknown tasks read only
  IDs and dependencies, which did not change: their findings stay as they were.

At 50,000 tasks that is one plan parsed instead of the whole repository run
through every rule twice. An edit outside these bounds (a dependency changed,
an imported plan, handoff documents read as plans, many files sharing its IDs)
gets None, and the gate reads the whole repository as `charter check` does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from charter import rulecodes
from charter.checks.engine import repo_findings
from charter.checks.facts import CROSS, one_file_repo
from charter.checks.gate_piece import split_rules
from charter.checks.registry import Rule
from charter.config import Config
from charter.files import mirror_listing
from charter.model import Diagnostic, Plan
from charter.parse.splice import piece_scope
from charter.repo import FileRead, RepoModel, parse_file
from charter.tasks.edit import EditedPlan, PlanBytes, declares_plan_id
from charter.tasks.holding import common_prefix, holding

# Rules comparing files whose findings an edit of fields can change.
_COMPARED = frozenset({rulecodes.DUPLICATE_TASK_ID, rulecodes.CHECKLIST_MIRROR})
# More files than this sharing the plan's IDs: the whole repository is read instead.
MAX_RELATED = 64


def scoped_errors(
    config: Config, rules: Sequence[Rule], edit: EditedPlan, today: date
) -> tuple[list[Diagnostic], list[Diagnostic]] | None:
    """The errors `rules` find in the edited plan before and after the edit, as a check of
    the whole repository would; None when this edit needs the whole repository."""
    before, after = edit.before, edit.after
    # The tasks the edit parsed again (charter.parse.splice); the rest are the same tasks.
    piece_before, piece_after = piece_scope(before, after)
    if config.handoff_plans or _shape(piece_before) != _shape(piece_after):
        return None
    if _source(before) or _source(after):
        return None
    files = _files(config, edit.plans)
    if before.path not in {read.rel for read in files}:
        return None
    related = _related(files, before)
    if related is None:
        return None
    others = {
        read.rel: parse_file(read.rel, read.data or b"", config, read.kind) for read in related
    }
    if any(isinstance(m, Plan) and _source(m) for m in others.values()):
        return None
    template = RepoModel(config.root, config, (), (), today, (), False)
    per_task, whole = split_rules(config, [r for r in rules if r.code not in CROSS])
    compared = [r for r in rules if r.code in _COMPARED]

    def errors(version: Plan, piece: Plan) -> list[Diagnostic]:
        found = repo_findings(whole, one_file_repo(template, version, "plan"))
        found |= repo_findings(per_task, one_file_repo(template, piece, "plan"))
        if compared and (others or config.mirrors):
            plans = tuple(
                version if read.rel == version.path else others[read.rel]
                for read in files
                if read.kind == "plan" and (read.rel == version.path or read.rel in others)
            )
            mirrors = tuple(
                others[read.rel] for read in files if read.kind == "mirror" and read.rel in others
            )
            sub = RepoModel(config.root, config, plans, (), today, mirrors, False)  # type: ignore[arg-type]
            found |= repo_findings(compared, sub)
        return sorted(d for d in found if d.severity == "error" and d.path == version.path)

    return errors(before, piece_before), errors(after, piece_after)


def _files(config: Config, plans: PlanBytes) -> list[FileRead]:
    """The plans as the edit read them, and the mirrors (`mirrors`), read now."""
    files = [FileRead(rel, "plan", data, None) for rel, data in plans]
    for rel, full in mirror_listing(config, {rel for rel, _ in plans}):
        try:
            files.append(FileRead(rel, "mirror", Path(full).read_bytes(), None))
        except OSError:
            continue  # no tasks to compare: as a check, which reads it as a problem alone
    return files


def _shape(plan: Plan) -> list[tuple[object, ...]]:
    """What the rules comparing files read of a plan, besides fields and statuses."""
    return [(t.id, t.title, t.kind, t.parent, t.depends) for t in plan.walk()]


def _source(plan: Plan) -> bool:
    source = plan.frontmatter.get("source")
    return isinstance(source, str) and source != plan.path


def _related(files: Sequence[FileRead], plan: Plan) -> list[FileRead] | None:
    """The other plans and mirrors whose bytes may define one of `plan`'s IDs."""
    needles: set[bytes] = set()
    steps: dict[bytes, Callable[[bytes], bool]] = {}  # a plan's ID -> has its `id:` line
    for task in plan.walk():
        if task.id is None:
            continue
        needles.add(task.id.encode("utf-8"))
        prefix, _, step = task.id.rpartition("-")
        if prefix and step.isdigit():
            name = prefix.encode("utf-8")
            if name not in steps:
                steps[name] = declares_plan_id(name)
    found: list[FileRead] = []
    # IDs of one plan mostly share a prefix (`ST-B-`): a file without it holds none of them.
    # (The plan's own name, `P0` of P0-1, is no filter: `Priority: P0` is in every plan.)
    shared = common_prefix(list(needles))
    filtered = len(shared) > 1
    # A file holding an ID or declaring a name holds what they all begin with: one search
    # through every file's bytes at once finds the candidates (charter.tasks.holding).
    key = common_prefix([*needles, *steps]) if needles else b""
    candidates = [files[n] for n in holding([read.data for read in files], key)]
    for read in candidates:
        if read.kind == "session" or read.rel == plan.path or read.data is None:
            continue
        data = read.data
        holds = (not filtered or shared in data) and any(needle in data for needle in needles)
        if holds or any(declares(data) for declares in steps.values()):
            found.append(read)
            if len(found) > MAX_RELATED:
                return None
    return found
