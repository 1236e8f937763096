"""The handoff from cached per-plan facts and rows is byte for byte the full render.

After random edits to a generated repository and to the demo, `charter handoff`
(which re-reads only the plans that changed and reuses every other plan's
facts and rows) writes exactly what a fresh render from a repository loaded
without any cache gives; and after one edit it re-reads one plan.
"""

from __future__ import annotations

import difflib
import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from charter.config import Config, load_config
from charter.handoff import incremental
from charter.handoff.incremental import Work, gather
from charter.handoff.regenerate import (
    ROWS_TEMPLATE,
    TEMPLATE,
    check_handoff,
    render_facts,
    render_gathered,
    render_handoff,
    write_handoff,
)
from charter.handoff.rows import numbers_apart
from charter.handoff.table import Damaged
from charter.repo import load_repo, read_snapshot
from charter.templating import PACKAGE_TEMPLATES
from tests.conftest import CORPORA, REPO_ROOT
from tests.sessions.helpers import POLICY, write

STATUSES = ("Todo", "Backlog", "In Progress", "Review", "Blocked", "Done", "Won't do")
PRIORITIES = ("", "P0", "P1", "high", "low", "P3")


def _task_lines(rng: random.Random, prefix: str, number: int, ids: list[str]) -> list[str]:
    tid = f"{prefix}-{number}"
    status = rng.choice(STATUSES)
    lines = [f"- [{'x' if status == 'Done' else ' '}] **{tid}** Task {number} of {prefix}"]
    lines.append(f"  - Status: {status}")
    if status == "Blocked" and rng.random() < 0.7:
        lines.append(f"  - Blocked reason: waits on vendor {number}")
    if status == "Done" and rng.random() < 0.8:
        lines.append(f"  - Evidence: `{rng.choice(['docs/evidence/run.txt', '.runs/*/x.json'])}`")
    if priority := rng.choice(PRIORITIES):
        lines.append(f"  - Priority: {priority}")
    if rng.random() < 0.2:
        lines.append("  - Level: L2")
    if ids and rng.random() < 0.4:
        deps = rng.sample(ids, min(len(ids), rng.randint(1, 2)))
        if rng.random() < 0.1:
            deps.append("ZZ-404")  # in no plan
        lines.append(f"  - Depends: {', '.join(deps)}")
    if rng.random() < 0.25:  # an epic with issues under it
        for sub in range(1, rng.randint(2, 3)):
            sub_status = rng.choice(STATUSES[:3])
            lines.append(f"  - [ ] **{tid}{sub:02d}** Issue {sub} of {tid}")
            lines.append(f"    - Status: {sub_status}")
    ids.append(tid)
    return lines


def _plan(rng: random.Random, prefix: str, tasks: int, ids: list[str]) -> str:
    lines = ["---", f"id: {prefix}", f"title: Plan {prefix}", "---", f"# Plan {prefix}", ""]
    for number in range(1, tasks + 1):
        lines += _task_lines(rng, prefix, number, ids)
    if rng.random() < 0.3:
        lines += ["", "| ID | Title | Status |", "|----|-------|--------|"]
        lines += [f"| {prefix}-T{n} | Table task {n} | {rng.choice(STATUSES)} |" for n in (1, 2)]
    lines += ["", "- [ ] A task without an ID", ""]
    return "\n".join(lines)


def _session(number: int, task: str, status: str) -> str:
    return (
        f"---\nid: s-{number}\ndate: 2026-02-{number:02d}\nagent: codex\ntask: {task}\n"
        f"level: L1\nstatus: {status}\n---\n\n## Outcome\n\nSession {number} did its part.\n"
    )


def _synthetic(tmp_path: Path) -> Config:
    rng = random.Random(23)
    root = tmp_path / "generated"
    write(root, "charter.toml", '[tool.charter]\nid_pattern = "[A-Z]+-T?\\\\d+"\n')
    write(root, "Makefile", "session-start:\n\t@true\ncheck:\n\t@true\n")
    write(root, "docs/agents/AUTONOMY.md", POLICY)
    write(root, "docs/evidence/run.txt", "ok\n")
    ids: list[str] = []
    for n in range(12):
        prefix = "".join(chr(65 + int(d)) for d in f"{n:02d}")
        write(root, f"docs/plans/area-{n % 3}/plan-{n:02d}.md", _plan(rng, prefix, 8, ids))
    for n in range(1, 5):
        write(
            root,
            f"docs/agents/sessions/2026-02-{n:02d}_session-{n:04d}.md",
            _session(n, rng.choice(ids), "active" if n == 4 else "done"),
        )
    return load_config(root)


def _custom_templates(tmp_path: Path) -> Config:
    """A repository whose row template does sums with the number, and whose handoff
    template lists the done tasks itself: both must still match a full render."""
    config = _synthetic(tmp_path)
    rows = (PACKAGE_TEMPLATES / ROWS_TEMPLATE).read_text("utf-8")
    rows = rows.replace("{{ item.number }}. ", "{{ item.number * 10 }}. ")
    write(config.root, f"templates/{ROWS_TEMPLATE}", rows)
    main = (PACKAGE_TEMPLATES / TEMPLATE).read_text("utf-8")
    main = main.replace(
        "{{ rows.done }}", "{% for t in done %}\n- {{ t.id }} {{ t.title }}\n{% endfor %}"
    )
    write(config.root, f"templates/{TEMPLATE}", main)
    return config


def _demo(tmp_path: Path) -> Config:
    root = tmp_path / "demo"
    shutil.copytree(REPO_ROOT / "examples" / "demo", root)
    return load_config(root)


def _plans(config: Config) -> list[Path]:
    return sorted((config.root / "docs" / "plans").rglob("*.md"))


Edit = Callable[[Config, random.Random], None]


def _flip_status(config: Config, rng: random.Random) -> None:
    plan = rng.choice(_plans(config))
    lines = plan.read_text("utf-8").split("\n")
    at = [n for n, line in enumerate(lines) if "Status:" in line or line.startswith("| ")]
    if at:
        n = rng.choice(at)
        for old in STATUSES:
            if old in lines[n]:
                lines[n] = lines[n].replace(old, rng.choice(STATUSES), 1)
                break
    plan.write_text("\n".join(lines), "utf-8")


def _touch(config: Config, rng: random.Random) -> None:
    plan = rng.choice(_plans(config))
    plan.write_text(plan.read_text("utf-8") + "\nA note that changes no task.\n", "utf-8")


def _retitle(config: Config, rng: random.Random) -> None:
    plan = rng.choice(_plans(config))
    text = plan.read_text("utf-8")
    plan.write_text(text.replace("** ", "** Renamed ", 1), "utf-8")


def _new_plan(config: Config, rng: random.Random) -> None:
    prefix = "NEW" + chr(65 + rng.randrange(26))
    text = _plan(rng, prefix, 3, [])
    write(config.root, f"docs/plans/{prefix.lower()}.md", text)


def _drop_plan(config: Config, rng: random.Random) -> None:
    plans = _plans(config)
    if len(plans) > 1:
        rng.choice(plans).unlink()


def _mention_elsewhere(config: Config, rng: random.Random) -> None:
    """An ID of one plan mentioned in another: the loaded repository resolves it."""
    plans = _plans(config)
    source, other = rng.sample(plans, 2) if len(plans) > 1 else (plans[0], plans[0])
    first = next(
        (line for line in source.read_text("utf-8").split("\n") if line.startswith("- [")), None
    )
    if first is not None:
        other.write_text(other.read_text("utf-8") + "\n" + first + "\n  - Status: Done\n")


def _end_session(config: Config, rng: random.Random) -> None:
    for log in sorted((config.root / "docs" / "agents" / "sessions").glob("*.md")):
        text = log.read_text("utf-8")
        if "status: active" in text:
            log.write_text(text.replace("status: active", "status: done"), "utf-8")
            return


EDITS: list[Edit] = [
    _flip_status,
    _touch,
    _retitle,
    _new_plan,
    _drop_plan,
    _mention_elsewhere,
    _end_session,
    _flip_status,
    _flip_status,
]


def _full(config: Config) -> str:
    return render_handoff(load_repo(config, use_cache=False))


@pytest.mark.parametrize(
    "make", [_synthetic, _custom_templates, _demo], ids=["generated", "custom", "demo"]
)
def test_the_cached_handoff_is_the_full_render_after_random_edits(
    tmp_path: Path, make: Callable[[Path], Config]
) -> None:
    config = make(tmp_path)
    rng = random.Random(2026)
    write_handoff(config, force=True)
    path = config.path(config.handoff)
    assert path.read_text("utf-8") == _full(config)
    for step, edit in enumerate(rng.sample(EDITS * 2, len(EDITS) * 2)):  # each edit twice
        edit(config, rng)
        expected = _full(config)
        before = path.read_text("utf-8")
        changed = before != expected
        checked = check_handoff(config)
        assert checked.up_to_date is not changed, (step, edit.__name__)
        rel = config.handoff
        lines = before.splitlines(keepends=True), expected.splitlines(keepends=True)
        assert checked.diff == "".join(difflib.unified_diff(*lines, f"a/{rel}", f"b/{rel}"))
        write_handoff(config, force=True)
        assert path.read_text("utf-8") == expected, (step, edit.__name__)
        assert check_handoff(config).up_to_date


def test_one_edit_reads_one_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _synthetic(tmp_path)
    write_handoff(config, force=True)
    plans = _plans(config)
    edited = plans[5]
    edited.write_text(edited.read_text("utf-8").replace("Task 3 of", "Task three of"), "utf-8")

    def no_model_cache(*_: object) -> None:
        raise AssertionError("decoded the parsed models of plans that did not change")

    monkeypatch.setattr(incremental, "ModelCache", no_model_cache)
    work = Work()
    gathered = gather(read_snapshot(config), work)
    gathered.facts()
    sessions = 4
    assert work.read == [edited.relative_to(config.root).as_posix()]
    assert work.from_cache == len(plans) - 1 + sessions
    assert not work.full_load
    write_handoff(config)
    assert config.path(config.handoff).read_text("utf-8") == _full(config)


def test_an_edit_that_changes_no_fact_renders_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _synthetic(tmp_path)
    write_handoff(config, force=True)
    _touch(config, random.Random(1))

    def no_render(*_: object) -> str:
        raise AssertionError("rendered although no fact changed")

    from charter.handoff import regenerate

    monkeypatch.setattr(regenerate, "render_facts", no_render)
    assert check_handoff(config).up_to_date
    assert write_handoff(config) is False


def test_the_cached_form_is_released_once_decoded(tmp_path: Path) -> None:
    config = _synthetic(tmp_path)
    write_handoff(config, force=True)
    gathered = gather(read_snapshot(config))
    assert any(f.data is not None for f in gathered.found)
    first = gathered.facts()
    # Decoded once, the cached lists are dropped (the render's peak memory) and a
    # second call gives the same facts from what was decoded.
    assert all(f.data is None and f.facts is not None for f in gathered.found)
    assert gathered.facts() == first
    assert render_facts(first, config, gathered.plan_digests()) == _full(config)


def _damage_columns(column: int, value: object) -> Callable[[list[object]], None]:
    """Damage the first task's facts in column `column` (its tasks' facts are kept as
    JSON text, decoded when first looked up)."""

    def damage(data: list[object]) -> None:
        text = data[-1]
        assert isinstance(text, str)
        columns = json.loads(text)
        columns[column][0] = value
        data[-1] = json.dumps(columns)

    return damage


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data.__setitem__(-1, '[["not", "columns"]]'),
        lambda data: data.__setitem__(-1, "[[not JSON"),
        lambda data: data.__setitem__(1, [7]),  # an ID that is a number
        lambda data: data.__setitem__(2, []),  # fewer columns than IDs
        _damage_columns(7, "3"),  # a line that is text
        _damage_columns(8, 42),  # a title that is a number
        _damage_columns(2, [7]),  # a dependency that is a number
        _damage_columns(5, "yes"),  # done, as text
        _damage_columns(4, True),  # a rank that is a boolean
        _damage_columns(9, "Elsewhere"),  # a column that is not the one read at once
        lambda data: data.__setitem__(3, "many"),  # the count of tasks without an ID
    ],
)
def test_a_damaged_facts_entry_is_read_again(
    tmp_path: Path, damage: Callable[[list[object]], None]
) -> None:
    config = _synthetic(tmp_path)
    write_handoff(config, force=True)
    snapshot = read_snapshot(config)
    gathered = gather(snapshot)
    # An entry whose digest matches but whose facts do not decode: the whole repository
    # is read instead, never a crash.
    damaged = next(f for f in gathered.found if f.read.kind == "plan" and f.facts is None)
    damage(damaged.data)
    # Its IDs and columns are checked when the facts are assembled, the rest of its
    # tasks' facts when first looked up (charter.handoff.table).
    facts, text = render_gathered(gathered, config)
    assert text == _full(config)
    if not gathered.work.full_load:  # the render needed none of the damaged facts
        (plan,) = (p for p in facts.tasks.plans if p.path == damaged.read.rel)
        with pytest.raises(Damaged):
            plan.tasks()
    # Without the kept rows and order every task is rendered: the repository is read.
    for kept in config.path(".charter/cache").glob("handoff-*order*.cache"):
        kept.unlink()
    for kept in config.path(".charter/cache").glob("handoff-rows-*.cache"):
        kept.unlink()
    gathered = gather(read_snapshot(config))
    damage(next(f for f in gathered.found if f.read.kind == "plan" and f.facts is None).data)
    facts, text = render_gathered(gathered, config)
    assert gathered.work.full_load
    assert text == _full(config)


@pytest.mark.parametrize(
    ("body", "apart"),
    [
        ("{{ item.number }}. {{ item.title }}", True),
        ("{{ item.title }} (no number)", True),
        ("{{ item.number + 1 }}", False),
        ("{{ item.number | string }}", False),
        ("{% if item.number > 3 %}late{% endif %}", False),
        ("{{ item['number'] }}", False),
        ("{{ item }}", False),
        ("{% set other = item %}{{ other.number }}", False),
    ],
)
def test_a_row_is_kept_without_its_number_only_when_it_just_prints_it(
    body: str, apart: bool
) -> None:
    import jinja2

    source = f"{{% macro order_row(item, epic_starts) %}}{body}{{% endmacro %}}"
    assert numbers_apart(jinja2.Environment().parse(source)) is apart


CONFIGURED = REPO_ROOT / "tests" / "adoption" / "corpora"  # each corpus's charter.toml


@pytest.mark.parametrize("name", sorted(p.stem for p in CONFIGURED.glob("*.toml")))
def test_the_cached_handoff_of_a_real_corpus_is_the_full_render(tmp_path: Path, name: str) -> None:
    if not (CORPORA / name).is_dir():
        pytest.skip(f"../shared/corpora/{name} is not here")
    root = tmp_path / name
    shutil.copytree(CORPORA / name, root)
    shutil.copy(CONFIGURED / f"{name}.toml", root / "charter.toml")
    config = load_config(root)
    full = _full(config)
    for _ in range(2):  # facts worked out, then read back from the cache
        gathered = gather(read_snapshot(config))
        facts = gathered.facts()
        assert render_facts(facts, config, gathered.plan_digests()) == full
