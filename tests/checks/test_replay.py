"""A warm check replays the last one's result only while nothing it read changed
(checks.replay): every kind of input change invalidates it, a check that reads what the
record cannot cover stores none, and what a replay prints equals `--no-cache`."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from charter import config as config_module
from charter.cache import CACHE_DIR
from charter.checks import replay as replay_module
from charter.checks.replay import REPLAY_FILE, replay
from charter.commands.check_plain import check_output
from charter.detect import config_for_repo
from charter.errors import CharterError
from charter.sealed import read_sealed, write_sealed
from tests.conftest import REPO_ROOT

DEMO = REPO_ROOT / "examples" / "demo"
HASHED = "hashed evidence\n"
SESSION = "---\nid: S-1\ntask: ST-B-001\nstatus: closed\n---\n# Session\n\n## Results\n\nDone.\n"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo (which cites a manifest), with more evidence (a hashed file, a missing one), a
    session log and an empty plan folder, committed; file times need not be two seconds old here."""
    monkeypatch.setattr(replay_module, "RACY_NS", 0)
    monkeypatch.delenv("CHARTER_BASE_REF", raising=False)
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root)
    (root / "out").mkdir()
    (root / "out" / "hashed.txt").write_text(HASHED)
    digest = hashlib.sha256(HASHED.encode()).hexdigest()
    plan = root / "docs" / "plans" / "release.md"
    plan.write_text(
        plan.read_text()
        + "\n## More\n\n- [x] **ST-B-200** Hashed\n"
        + f"  - Status: Done\n  - Evidence: `out/hashed.txt` sha256:{digest}\n"
        + "- [x] **ST-B-201** Missing\n  - Status: Done\n  - Evidence: `out/later.txt`\n"
    )
    (root / "docs" / "plans" / "empty").mkdir()
    (root / "docs" / "agents" / "sessions").mkdir()
    (root / "docs" / "agents" / "sessions" / "2026-01-01_session-0001.md").write_text(SESSION)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "demo")
    # The first check makes .charter/, changing the top folder while it runs. The racy
    # window catches that, but it is closed here, and file times come from the kernel's
    # coarse clock, a tick behind `time.time_ns()`: a fast check may store a record. Each
    # test starts from none.
    _printed(root)
    (root / CACHE_DIR / REPLAY_FILE).unlink(missing_ok=True)
    assert not _replayed(root)
    return root


def _printed(root: Path, no_cache: bool = False) -> tuple[str | None, str | None, int]:
    return check_output([], "text", no_cache, root, quiet=True)


def _replayed(root: Path, today: date | None = None) -> bool:
    config, _ = config_for_repo(root)
    return replay(config, (today or date.today()).isoformat()) is not None


def _replayed_at_root(root: Path, today: date | None = None) -> bool:
    """The replay a warm check decides before reading the configuration."""
    stored = replay_module.read_record_at(root)
    day = (today or date.today()).isoformat()
    return replay_module.replay_at_root(root, day, [], stored)[1] is not None


def _write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)


def _replace_text(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / rel
        text = path.read_text()
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1))

    return change


def _same_bytes_times_restored(root: Path) -> None:
    """Rewritten with other bytes of the same size and its modification time set back:
    only the change time tells."""
    path = root / "out" / "hashed.txt"
    before = path.stat()
    path.write_text(HASHED.upper())
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def _commit_file(rel: str, text: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        _write(root, rel, text)
        _git(root, "add", "--", rel)
        _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "more")

    return change


def _folder_made_a_link(root: Path) -> None:
    shutil.move(root / ".runs", root / "elsewhere")
    (root / ".runs").symlink_to(root / "elsewhere")


def _holder_made_a_link(root: Path) -> None:
    """The folder holding a cited manifest (whose own signature is not recorded) moved away
    and a link left in its place: its folder's signature tells."""
    shutil.move(root / ".runs" / "ST-B-001", root / "moved")
    (root / ".runs" / "ST-B-001").symlink_to(root / "moved")


def _holder_replaced_by_a_copy(root: Path) -> None:
    """The folder holding a cited manifest replaced by a copy with the same times."""
    holder = root / ".runs" / "ST-B-001"
    shutil.copytree(holder, root / ".runs" / "copy")
    shutil.rmtree(holder)
    (root / ".runs" / "copy").rename(holder)
    manifest = holder / "manifest.json"
    manifest.write_text(manifest.read_text().replace("ST-B-001", "ST-B-999"))


CHANGES: dict[str, Callable[[Path], None]] = {
    "a plan edited": _replace_text("docs/plans/release.md", "ST-B-201", "ST-B-202"),
    "a plan added": lambda root: _write(root, "docs/plans/new.md", "# New\n\n- [ ] ST-N-1 a\n"),
    "a plan in an empty folder": lambda root: _write(
        root, "docs/plans/empty/p.md", "# P\n\n- [x] ST-P-1 done\n"
    ),
    "a plan in a new folder": lambda root: _write(root, "docs/plans/x/y/p.md", "# P\n"),
    "a plan deleted": lambda root: (root / "docs" / "plans" / "ingestion.md").unlink(),
    "a session log added": lambda root: _write(
        root, "docs/agents/sessions/2026-01-02_session-0002.md", SESSION
    ),
    "cited evidence deleted": lambda root: (root / ".runs" / "ST-B-001" / "manifest.json").unlink(),
    "missing evidence created": lambda root: _write(root, "out/later.txt", "now here\n"),
    "hashed evidence changed": lambda root: _write(root, "out/hashed.txt", "other\n"),
    "hashed evidence changed, times restored": _same_bytes_times_restored,
    "a manifest changed": lambda root: _write(
        root, ".runs/ST-B-001/manifest.json", '{"schema": 1}\n'
    ),
    "a folder on an evidence path made a link": _folder_made_a_link,
    "the folder holding cited evidence made a link": _holder_made_a_link,
    "the folder holding cited evidence replaced": _holder_replaced_by_a_copy,
    "the folder holding hashed evidence made a link": lambda root: (
        shutil.move(root / "out", root / "out2"),
        (root / "out").symlink_to(root / "out2"),
    ),
    "a forbidden file committed": _commit_file(".env", "SECRET=1\n"),
    "a commit": _commit_file("src/a.py", "print(1)\n"),
    "the policy edited": _replace_text("docs/agents/AUTONOMY.md", "*.pem", "*.key"),
    "the configuration edited": _replace_text(
        "charter.toml", "\n[status_map]", 'exclude = ["docs/plans/ingestion.md"]\n[status_map]'
    ),
    "a pyproject.toml added": lambda root: _write(
        root, "pyproject.toml", '[tool.charter]\nid_pattern = "ST-[A-Z]-\\\\d+"\n'
    ),
    "a Claude Code settings file added": lambda root: _write(
        root, ".claude/settings.json", '{"sandbox": {"enabled": false}}\n'
    ),
    "a Codex rule added": lambda root: _write(
        root, ".codex/rules/x.rules", 'prefix_rule(pattern=["rm"], decision="allow")\n'
    ),
    "a branch switched": lambda root: _git(root, "checkout", "-qb", "other"),
    "a link to a plan added": lambda root: (root / "docs" / "plans" / "link.md").symlink_to(
        root / "docs" / "plans" / "release.md"
    ),
    "a tag added": lambda root: _git(root, "tag", "v1"),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_every_kind_of_input_change_ends_the_replay(root: Path, name: str) -> None:
    first = _printed(root)
    assert _replayed(root), "a check over unchanged inputs replays the last one"
    assert _replayed_at_root(root), "the demo's charter.toml lets the root decide a replay"
    assert _printed(root) == first
    CHANGES[name](root)
    assert not _replayed(root), f"{name}: the last check's result was replayed"
    assert not _replayed_at_root(root), f"{name}: replayed before the configuration was read"
    assert _printed(root) == _printed(root, no_cache=True)


def test_a_file_beside_cited_evidence_keeps_the_replay_and_its_findings(root: Path) -> None:
    """The folder holding a cited file is not recorded (one `lstat` less per manifest): what
    else it holds changes no finding, and the replay stays equal to `--no-cache`."""
    _printed(root)
    assert _replayed(root)
    _write(root, ".runs/ST-B-001/notes.txt", "beside the manifest\n")
    _write(root, "out/other.txt", "beside the hashed file\n")
    assert _replayed(root), "a file beside cited evidence ended the replay"
    assert _printed(root) == _printed(root, no_cache=True)


def test_a_folder_below_a_folder_holding_evidence_made_a_link_ends_the_replay(
    root: Path, tmp_path: Path
) -> None:
    """`.runs/ST-B-001` holds one cited manifest (left out of the record) and a folder
    holding another (so it is recorded): moving that folder and leaving a link in its place
    keeps every file's signature; only `.runs/ST-B-001`'s own tells."""
    _write(root, ".runs/ST-B-001/sub/x.json", "{}\n")
    _replace_text(
        "docs/plans/release.md",
        "  - Evidence: `out/later.txt`\n",
        "  - Evidence: `out/later.txt`\n- [x] **ST-B-202** Deeper\n  - Status: Done\n"
        "  - Evidence: `.runs/ST-B-001/sub/x.json`\n",
    )(root)
    _printed(root)
    first = _printed(root)
    assert _replayed(root) and _replayed_at_root(root)
    shutil.move(root / ".runs" / "ST-B-001" / "sub", tmp_path / "sub")
    (root / ".runs" / "ST-B-001" / "sub").symlink_to(tmp_path / "sub")
    assert not _replayed(root) and not _replayed_at_root(root)
    assert _printed(root) == _printed(root, no_cache=True) != first


def test_a_replay_prints_what_a_check_without_caches_prints(root: Path) -> None:
    fresh = _printed(root, no_cache=True)
    assert not _replayed(root), "--no-cache stores no replay"
    assert fresh[0] is not None and "CH004" in fresh[0] and "CH003" in fresh[0], fresh
    _printed(root)
    assert _replayed(root)
    for output_format in ("text", "json", "github"):
        for paths in ([], [root / "docs" / "plans" / "release.md"]):
            replayed = check_output(paths, output_format, False, root, quiet=True)
            assert replayed == check_output(paths, output_format, True, root, quiet=True)


def test_a_configured_location_made_a_link_is_the_configurations_error(
    root: Path, tmp_path: Path
) -> None:
    """The configuration's validation resolves the locations it names: a folder on the way
    to one turned into a link out of the repository ends a replay decided at the root, and
    the check reports the configuration's error, as without caches."""
    # The board in a folder beside cited evidence, which no other input records
    _replace_text("charter.toml", "\n[status_map]", 'board = "out/board/B.md"\n[status_map]')(root)
    (root / "out" / "board").mkdir()
    _printed(root)
    first = _printed(root)
    assert _replayed_at_root(root)
    (tmp_path / "outside").mkdir()
    (root / "out" / "board").rmdir()
    (root / "out" / "board").symlink_to(tmp_path / "outside")
    assert not _replayed_at_root(root)
    with pytest.raises(CharterError, match="board"):
        _printed(root, no_cache=True)
    with pytest.raises(CharterError, match="board"):
        _printed(root)
    (root / "out" / "board").unlink()
    (root / "out" / "board").mkdir()
    assert _printed(root) == first


def test_the_locations_recorded_are_the_ones_the_configuration_validates() -> None:
    assert (*config_module._WRITTEN, *config_module._READ) == replay_module._LOCATIONS


def test_a_detected_configuration_is_read_before_any_replay(root: Path) -> None:
    """Without a configuration file the detection decides the configuration: no record
    lets the root decide a replay."""
    (root / "charter.toml").unlink()
    _printed(root)
    _printed(root)
    assert not _replayed_at_root(root)
    assert _printed(root) == _printed(root, no_cache=True)


def test_another_day_or_environment_is_not_replayed(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _printed(root)
    assert _replayed(root)
    assert not _replayed(root, date(2099, 1, 1)), "a check on another day replayed"
    assert not _replayed_at_root(root, date(2099, 1, 1)), "another day replayed at the root"
    monkeypatch.setenv("CHARTER_BASE_REF", "main")
    assert not _replayed(root), "a check with another base ref replayed"
    assert not _replayed_at_root(root), "another base ref replayed at the root"


def _stage_a_file(root: Path) -> None:
    _write(root, "src/b.py", "print(2)\n")
    _git(root, "add", "--", "src/b.py")


DOUBTS: dict[str, Callable[[Path], None]] = {
    "a file staged": _stage_a_file,
    "a plan says Reviewed:": _replace_text(
        "docs/plans/release.md",
        "- [x] **ST-B-200** Hashed\n",
        "- [x] **ST-B-200** Hashed\n  - Reviewed: 0123456789abcdef\n",
    ),
    "evidence named by a pattern": _replace_text(
        "docs/plans/release.md", "`out/later.txt`", "`out/*.txt`"
    ),
    "a missing bare file name as evidence": _replace_text(
        "docs/plans/release.md", "`out/later.txt`", "`later.txt`"
    ),
    "evidence outside the repository": _replace_text(
        "docs/plans/release.md", "`out/later.txt`", "`../outside.txt`"
    ),
}


@pytest.mark.parametrize("name", sorted(DOUBTS))
def test_a_check_reading_what_the_record_cannot_cover_stores_no_replay(
    root: Path, name: str
) -> None:
    DOUBTS[name](root)
    first = _printed(root)
    assert first == _printed(root, no_cache=True)
    assert not _replayed(root), f"{name}: replayed"
    assert _printed(root) == first


def test_inputs_changed_just_before_the_check_store_no_replay(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replay_module, "RACY_NS", 2_000_000_000)
    _write(root, "docs/plans/new.md", "# New\n")  # younger than the racy window
    _printed(root)
    assert not _replayed(root)


def test_a_damaged_record_is_a_miss(root: Path) -> None:
    first = _printed(root)
    assert _replayed(root)
    record = root / CACHE_DIR / REPLAY_FILE
    record.write_bytes(record.read_bytes()[:-20])
    assert not _replayed(root)
    assert _printed(root) == first


def test_a_linked_plan_is_followed_where_it_leads(root: Path) -> None:
    """A link among the plans is read through (Path.glob's listing): the replay holds while
    neither the link nor its target changes, and ends when the target is edited."""
    (root / "elsewhere.md").write_text("# Elsewhere\n\n- [x] ST-E-1 done\n  - Status: Done\n")
    (root / "docs" / "plans" / "link.md").symlink_to(root / "elsewhere.md")
    first = _printed(root)
    assert "ST-E-1" in (first[0] or ""), first
    assert _replayed(root)
    assert _printed(root) == first
    (root / "elsewhere.md").write_text("# Elsewhere\n\n- [x] ST-E-1 done\n  - Status: Todo\n")
    assert not _replayed(root)
    assert _printed(root) == _printed(root, no_cache=True)


@pytest.mark.parametrize(
    "damage",
    [
        lambda stored: stored["findings"][0].__setitem__(1, "one"),  # a line that is no number
        lambda stored: stored["findings"][0].__setitem__(4, 5),  # a message that is no text
        lambda stored: stored["findings"][0].append("extra"),
        lambda stored: stored.__setitem__("counts", [1, 2]),
        lambda stored: stored.__setitem__("digests", "x"),
    ],
)
def test_a_sealed_record_of_another_shape_is_a_miss(
    root: Path, damage: Callable[[dict[str, Any]], None]
) -> None:
    first = _printed(root)
    assert _replayed(root)
    record = str(root / CACHE_DIR / REPLAY_FILE)
    stored = read_sealed(record, REPLAY_FILE)
    assert stored["findings"], "the demo has findings"
    damage(stored)
    assert write_sealed(record, REPLAY_FILE, stored)
    assert not _replayed(root)
    assert _printed(root) == first


@pytest.mark.parametrize("kind", ["synthetic", "realistic"])
def test_a_generated_corpus_replays_what_a_check_without_caches_prints(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bench_check's corpora, small: their evidence (run manifests, some missing) and logs
    are replayed exactly, and one plan's edit ends the replay."""
    from tests.test_bench_corpus import _write  # the generator, as its own tests load it

    monkeypatch.setattr(replay_module, "RACY_NS", 0)
    monkeypatch.delenv("CHARTER_BASE_REF", raising=False)
    root = tmp_path / kind
    _write(kind, root, seed=3)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "corpus")
    _printed(root)  # makes .charter/
    fresh = _printed(root, no_cache=True)
    assert _printed(root) == fresh
    assert _replayed(root), f"the {kind} corpus was not replayed"
    for output_format in ("text", "json"):
        replayed = check_output([], output_format, False, root, quiet=True)
        assert replayed == check_output([], output_format, True, root, quiet=True)
    plan = sorted((root / "docs" / "plans").rglob("*.md"))[0]
    plan.write_bytes(plan.read_bytes() + b"\n- [x] XX-9999 added\n")
    assert not _replayed(root)
    assert _printed(root) == _printed(root, no_cache=True)
