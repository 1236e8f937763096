"""The parse cache: warm loads equal cold loads, and edits are picked up."""

from __future__ import annotations

from charter.cache import CACHE_DIR
from charter.config import load_config
from charter.repo import load_repo
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
    assert [t.id for t in load_repo(config).tasks()] == ["ST-A-1"]


def test_config_change_invalidates_cache(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"docs/plans/p.md": PLAN + "- [ ] **XX-A-1** other\n"},
        config='id_pattern = "ST-[A-Z]-\\\\d+"\n',
    )
    assert [t.id for t in load_repo(load_config(root)).tasks()] == ["ST-A-1"]
    (root / "charter.toml").write_text('id_pattern = "(?:ST|XX)-[A-Z]-\\\\d+"\n')
    assert [t.id for t in load_repo(load_config(root)).tasks()] == ["ST-A-1", "XX-A-1"]
