"""The execution order after an edit: only the touched components ordered again.

The order kept without some components, merged with those components ordered
again, is the order of everything (with cycles, epics, stalls and missing
tasks); after random edits that join and split components, change priorities,
close tasks and make cycles, the handoff is byte for byte the full render; and
an edit to one plan orders and renders only the tasks it touches.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.cache import CACHE_DIR, load_cache, save_cache
from charter.config import Config
from charter.handoff import order_cache, ordering
from charter.handoff.facts import TaskFacts
from charter.handoff.ordering import OrderWork
from charter.handoff.regenerate import check_handoff, write_handoff
from charter.handoff.rows import NUMBER
from charter.tasks.order import NO_PRIORITY, order_placements
from tests.handoff.test_handoff_incremental import (
    _end_session,
    _flip_status,
    _full,
    _plans,
    _synthetic,
)

# ---- the merge, on random graphs ------------------------------------------------------


def _graph(rng: random.Random) -> dict[str, TaskFacts]:
    count = rng.randint(1, 30)
    ids = [f"T{n}" for n in range(count)]
    parents: dict[str, str] = {}
    for n, tid in enumerate(ids[1:], 1):
        if rng.random() < 0.2:
            parents[tid] = rng.choice(ids[:n])
    tasks = {}
    for n, tid in enumerate(ids):
        depends = (
            tuple(rng.sample(ids, min(count, rng.randint(0, 2)))) if rng.random() < 0.5 else ()
        )
        if rng.random() < 0.1:
            depends += ("GONE-1",)  # in no plan
        subtasks = tuple(t for t, p in parents.items() if p == tid)
        tasks[tid] = TaskFacts(
            tid, parents.get(tid), depends, subtasks,
            rng.choice([0, 1, 2, 3, NO_PRIORITY]), rng.random() < 0.2,
            f"docs/plans/p{n % 3}.md", n + 1,
            f"title {tid}", "Backlog", "", "", "", (), "",
        )  # fmt: skip
    return tasks


def _components(ids: list[str], dependents: dict[str, list[str]]) -> dict[str, int]:
    root = {tid: tid for tid in ids}

    def find(tid: str) -> str:
        while root[tid] != tid:
            tid = root[tid]
        return tid

    for dep, waiting in dependents.items():
        for tid in waiting:
            root[find(dep)] = find(tid)
    roots = sorted({find(tid) for tid in ids})
    return {tid: roots.index(find(tid)) for tid in ids}


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32), st.integers(0, 2**32))
def test_the_kept_order_merged_with_the_touched_components_is_the_whole_order(
    graph_seed: int, pick_seed: int
) -> None:
    rng = random.Random(graph_seed)
    by_id = _graph(rng)
    # Done tasks are closed; some open-looking tasks are blocked (neither open nor done).
    open_ids = [t.id for t in by_id.values() if not t.done and rng.random() < 0.85]
    plan_rank = {f"docs/plans/p{n}.md": n for n in range(3)}
    placements, dependents = order_placements(open_ids, by_id, plan_rank)
    whole = [p.id for p in placements]
    component = _components(open_ids, dependents)
    picker = random.Random(pick_seed)
    touched = {c for c in set(component.values()) if picker.random() < 0.4}
    kept = [p for p in placements if component[p.id] not in touched]
    kept_order = order_cache.Order(
        [p.id for p in kept],
        [p.key for p in kept],
        [p.released for p in kept],
        [component[p.id] for p in kept],
        {},
    )
    again = [tid for tid in open_ids if component[tid] in touched]
    fresh = ordering._order_again(again, by_id, plan_rank, {}, set(open_ids), 1000)
    assert fresh is not None
    assert ordering._merge(kept_order, fresh).ids == whole


def test_a_link_out_of_the_tasks_ordered_again_is_noticed() -> None:
    by_id = _graph(random.Random(5))
    a, b = "A-1", "A-2"
    by_id[a] = TaskFacts(a, None, (), (), 1, False, "p.md", 1, "a", "Backlog", "", "", "", (), "")
    by_id[b] = TaskFacts(b, None, (a,), (), 1, False, "p.md", 2, "b", "Backlog", "", "", "", (), "")
    assert ordering._order_again([b], by_id, {}, {}, {a, b}, 0) is None


# ---- the handoff after random edits ----------------------------------------------------


def _tasks_of(plan: Path) -> list[str]:
    return re.findall(r"\*\*([A-Z]+-T?\d+)\*\*", plan.read_text("utf-8"))


def _all_ids(config: Config) -> list[str]:
    return [tid for plan in _plans(config) for tid in _tasks_of(plan)]


def _add_line_after_task(plan: Path, tid: str, line: str) -> None:
    lines = plan.read_text("utf-8").split("\n")
    at = next(n for n, text in enumerate(lines) if f"**{tid}**" in text)
    indent = re.match(r"\s*", lines[at]).group(0)  # type: ignore[union-attr]
    lines.insert(at + 1, f"{indent}  - {line}")
    plan.write_text("\n".join(lines), "utf-8")


def _link(config: Config, rng: random.Random) -> None:
    """A dependency on a task of another plan: two components become one."""
    plan = rng.choice(_plans(config))
    mine = [t for t in _tasks_of(plan) if "-T" not in t]
    if mine:
        _add_line_after_task(plan, rng.choice(mine), f"Depends: {rng.choice(_all_ids(config))}")


def _unlink(config: Config, rng: random.Random) -> None:
    """Every dependency of one plan dropped: components split."""
    plan = rng.choice(_plans(config))
    text = plan.read_text("utf-8")
    plan.write_text(re.sub(r"\n\s*- Depends: [^\n]*", "", text), "utf-8")


def _cycle(config: Config, rng: random.Random) -> None:
    """Two tasks waiting on each other, across plans."""
    first, second = rng.sample(_plans(config), 2)
    a = [t for t in _tasks_of(first) if "-T" not in t]
    b = [t for t in _tasks_of(second) if "-T" not in t]
    if a and b:
        x, y = rng.choice(a), rng.choice(b)
        _add_line_after_task(first, x, f"Depends: {y}")
        _add_line_after_task(second, y, f"Depends: {x}")


def _reprioritise(config: Config, rng: random.Random) -> None:
    plan = rng.choice(_plans(config))
    text = plan.read_text("utf-8")
    new = rng.choice(["P0", "P3", "low", "high"])
    plan.write_text(re.sub(r"Priority: \S+", f"Priority: {new}", text, count=1), "utf-8")


def _close(config: Config, rng: random.Random) -> None:
    plan = rng.choice(_plans(config))
    text = plan.read_text("utf-8")
    status = rng.choice(["Done", "Blocked", "Won't do", "Todo"])
    plan.write_text(re.sub(r"Status: (Todo|Backlog|In Progress|Review)", f"Status: {status}",
                           text, count=1), "utf-8")  # fmt: skip


def _define_missing(config: Config, rng: random.Random) -> None:
    """The task some plans wait on though it was in no plan appears."""
    (config.root / "docs/plans/zz.md").write_text(
        "---\nid: ZZ\ntitle: ZZ\n---\n# ZZ\n\n- [ ] **ZZ-404** Found at last\n"
        f"  - Status: {rng.choice(['Todo', 'Done'])}\n",
        "utf-8",
    )


def _retitle_epic(config: Config, rng: random.Random) -> None:
    plan = rng.choice(_plans(config))
    text = plan.read_text("utf-8")
    plan.write_text(re.sub(r"(\*\*[A-Z]+-\d+\*\*) ", r"\1 Epic renamed ", text, count=1), "utf-8")


EDITS = [_link, _unlink, _cycle, _reprioritise, _close, _define_missing, _retitle_epic, _link]


@dataclass
class _Counted(OrderWork):
    made: ClassVar[list[OrderWork]] = []

    def __post_init__(self) -> None:
        _Counted.made.append(self)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_incremental_order_is_the_full_render_after_random_edits(
    tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _synthetic(tmp_path)
    rng = random.Random(seed)
    write_handoff(config, force=True)
    monkeypatch.setattr(ordering, "OrderWork", _Counted)
    _Counted.made.clear()
    path = config.path(config.handoff)
    for step in range(16):
        edit = rng.choice(EDITS)
        edit(config, rng)
        expected = _full(config)
        assert check_handoff(config).up_to_date is (path.read_text("utf-8") == expected)
        write_handoff(config, force=True)
        assert path.read_text("utf-8") == expected, (step, edit.__name__)
    # Some of those orders kept components and ordered others again.
    assert any(work.reused and work.ordered for work in _Counted.made)


SOLO = """---
id: SOLO
title: A plan no other plan names
---
# Solo

- [ ] **SOLO-1** First
  - Status: Todo
  - Priority: P2
- [ ] **SOLO-2** Second
  - Status: Todo
  - Depends: SOLO-1
- [ ] **SOLO-3** Third
  - Status: In Progress
"""


def test_one_edit_orders_and_renders_only_what_it_touches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _synthetic(tmp_path)
    solo = config.root / "docs/plans/solo.md"
    solo.write_text(SOLO, "utf-8")
    write_handoff(config, force=True)
    monkeypatch.setattr(ordering, "OrderWork", _Counted)
    _Counted.made.clear()
    solo.write_text(SOLO.replace("Priority: P2", "Priority: P0"), "utf-8")
    write_handoff(config)
    (work,) = _Counted.made
    assert work.ordered == 3  # its three open tasks, in two components
    assert sorted(work.rendered) == ["SOLO-1", "SOLO-2", "SOLO-3"]
    assert work.reused > 20 and not work.everything
    assert config.path(config.handoff).read_text("utf-8") == _full(config)
    # A session log changed, no plan: the order and its rows are all kept.
    _Counted.made.clear()
    _end_session(config, random.Random(0))
    assert write_handoff(config)
    (work,) = _Counted.made
    assert work.ordered == 0 and not work.rendered and not work.everything
    assert config.path(config.handoff).read_text("utf-8") == _full(config)


def _damage_order(stored: dict[str, Any]) -> None:
    stored["keys"][0][0] = "urgent"  # a key that is text


def _drop_one(stored: dict[str, Any]) -> None:
    stored["ids"].pop()


def _damage_rows(stored: dict[str, Any]) -> None:
    for rows in stored["entries"].values():
        for row in rows.values():
            row[0] = row[0].replace(NUMBER, "")  # a row without its number
            return


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("handoff-order.cache", _damage_order),
        ("handoff-order.cache", _drop_one),
        ("handoff-order-rows-*.cache", _damage_rows),
    ],
)
def test_a_damaged_order_cache_is_never_believed(
    tmp_path: Path, name: str, damage: Callable[[dict[str, Any]], None]
) -> None:
    config = _synthetic(tmp_path)
    write_handoff(config, force=True)
    damaged = 0
    for path in sorted((config.root / CACHE_DIR).glob(name)):
        stored = load_cache(path)
        if name.startswith("handoff-order-rows") and not any(stored["entries"].values()):
            continue
        damage(stored)
        save_cache(path, stored)  # sealed again: only its content is wrong
        damaged += 1
        break
    assert damaged
    _flip_status(config, random.Random(4))
    write_handoff(config, force=True)
    assert config.path(config.handoff).read_text("utf-8") == _full(config)


def test_rows_kept_from_another_run_are_not_used_with_this_order(tmp_path: Path) -> None:
    """The order and its rows are two files: a run stopped between them, or two runs at
    once, can leave rows of an older order beside a newer one. A row carries the stamp
    of what it was rendered from, and is used only under the same stamp."""
    config = _synthetic(tmp_path)
    write_handoff(config, force=True)
    folder = config.root / CACHE_DIR
    older = {p: p.read_bytes() for p in folder.glob("handoff-order-rows-*.cache")}
    plan = _plans(config)[3]
    plan.write_text(re.sub(r"(\*\*[A-Z]+-\d+\*\*) ", r"\1 Renamed ", plan.read_text("utf-8")))
    write_handoff(config, force=True)
    for path, data in older.items():  # the rows as they were before that edit
        path.write_bytes(data)
    config.path(config.handoff).unlink()  # so nothing short-cuts the render
    write_handoff(config, force=True)
    assert config.path(config.handoff).read_text("utf-8") == _full(config)
