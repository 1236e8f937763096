"""The parse cache: warm loads equal cold loads, and edits are picked up."""

from __future__ import annotations

import weakref

from charter.cache import CACHE_DIR
from charter.config import load_config
from charter.repo import forget_loaded, load_repo
from tests.conftest import MakeRepo

PLAN = "---\nid: p\ntitle: P\n---\n- [ ] **ST-A-1** first\n"


def test_warm_load_equals_cold_and_sees_edits(make_repo: MakeRepo) -> None:
    root = make_repo({"docs/plans/p.md": PLAN}, config='id_pattern = "ST-[A-Z]-\\\\d+"\n')
    config = load_config(root)
    cold = load_repo(config)
    assert list((root / CACHE_DIR).glob("models-*.cache"))
    assert (root / ".charter" / ".gitignore").read_text().strip().endswith("*")
    warm = load_repo(config)
    assert warm.plans == cold.plans

    (root / "docs/plans/p.md").write_text(PLAN + "- [ ] **ST-A-2** second\n")
    edited = load_repo(config)
    assert [t.id for t in edited.tasks()] == ["ST-A-1", "ST-A-2"]

    (root / "docs/plans/p.md").unlink()
    assert load_repo(config).plans == ()


def test_corrupt_cache_is_a_cold_start(make_repo: MakeRepo) -> None:
    root = make_repo({"docs/plans/p.md": PLAN}, config='id_pattern = "ST-[A-Z]-\\\\d+"\n')
    config = load_config(root)
    load_repo(config)
    for shard in (root / CACHE_DIR).glob("models-*.cache"):
        shard.write_bytes(b"not a pickle")
    forget_loaded()  # else the model this process built is handed back, cache unread
    assert [t.id for t in load_repo(config).tasks()] == ["ST-A-1"]


def test_config_change_invalidates_cache(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"docs/plans/p.md": PLAN + "- [ ] **XX-A-1** other\n"},
        config='id_pattern = "ST-[A-Z]-\\\\d+"\n',
    )
    assert [t.id for t in load_repo(load_config(root)).tasks()] == ["ST-A-1"]
    (root / "charter.toml").write_text('id_pattern = "(?:ST|XX)-[A-Z]-\\\\d+"\n')
    assert [t.id for t in load_repo(load_config(root)).tasks()] == ["ST-A-1", "XX-A-1"]


def test_a_second_load_in_one_process_decodes_only_what_changed(make_repo: MakeRepo) -> None:
    plans = {f"docs/plans/p{n}.md": PLAN.replace("ST-A-1", f"ST-A-{n}") for n in (1, 2, 3)}
    log = "docs/agents/sessions/2026-01-01_session-0001.md"
    root = make_repo({**plans, log: "# Session\n"}, config='id_pattern = "ST-[A-Z]-\\\\d+"\n')
    config = load_config(root)
    first = load_repo(config)
    resolution = first.resolution

    again = load_repo(config)  # nothing changed: the same models, the same resolution
    assert again is not first and again.plans == first.plans
    assert all(a is b for a, b in zip(again.plans, first.plans, strict=True))
    assert again.resolution is resolution
    assert again.world is not first.world  # what reads the file system is read afresh

    (root / log).write_text("# Session\n\nMore.\n")  # a log changed, no plan did
    logged = load_repo(config)
    assert logged.sessions != first.sessions
    assert logged.resolution is resolution

    (root / "docs/plans/p2.md").write_text(PLAN.replace("ST-A-1", "ST-A-9"))
    edited = load_repo(config)
    assert [t.id for t in edited.tasks()] == ["ST-A-1", "ST-A-9", "ST-A-3"]
    assert edited.plans[0] is first.plans[0] and edited.plans[2] is first.plans[2]
    assert edited.plans[1] is not first.plans[1]
    assert "ST-A-9" in {t.id for t in edited.resolution.tasks}

    fresh = load_repo(config, use_cache=False)  # --no-cache: everything parsed again
    assert fresh.plans == edited.plans
    assert not any(a is b for a, b in zip(fresh.plans, edited.plans, strict=True))


def test_a_model_its_caller_let_go_is_not_kept(make_repo: MakeRepo) -> None:
    """What is remembered between loads is held weakly: a command that drops its model
    before the next load (session start, to keep one model alive at a time) frees it."""
    root = make_repo({"docs/plans/p.md": PLAN}, config='id_pattern = "ST-[A-Z]-\\\\d+"\n')
    model = load_repo(load_config(root))
    gone = weakref.ref(model)
    del model
    assert gone() is None
    assert [t.id for t in load_repo(load_config(root)).tasks()] == ["ST-A-1"]
