"""The work a task edit does (plans read and parsed), counted: after a checkout that changes
no content, as in a row, the edit parses its own plan and patches the board; it never
reads the whole repository. The board it writes is what a full `board --force` writes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import charter.board.memo
import charter.board.patch
import charter.board.patch_states
import charter.board.regenerate
import charter.checks.edit_gate
import charter.checks.gate_scope
import charter.outputs.protect
import charter.parse.plans
import charter.parse.splice
import charter.tasks.edit
import charter.tasks.id_index
from charter.board.regenerate import regenerate_board
from charter.checks.edit_gate import edit_validator
from charter.config import Config, load_config
from charter.errors import CharterError
from charter.repo import load_repo
from charter.tasks import edit
from charter.tasks.edit import declares_plan_id, unknown_task_message
from tests.board.conftest import GovernedRepo
from tests.governed import count_calls

GIT = ("git", "-c", "user.name=t", "-c", "user.email=t@example.com")
PLANS = 10


def _plan(n: int) -> str:
    lines = ["---", f"id: W{n}", f"title: Plan {n}", "---", f"# Plan {n}", ""]
    for t in range(5):
        status = ("Backlog", "In Progress", "Review", "Todo", "Backlog")[(n + t) % 5]
        lines += [f"- [ ] **W{n}-{t}** Task {t} of plan {n}", f"  - Status: {status}"]
        lines.append("  - Priority: P0")  # every plan holds `W`/`P0` bytes: no prefix filter
    return "\n".join(lines) + "\n"


def _git(root: Path, *args: str) -> None:
    subprocess.run([*GIT, "-C", str(root), *args], check=True, capture_output=True)


def _counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Calls of every reader of plans on the edit's path (parse: one plan parsed; repo: the
    whole repository loaded; read: every plan's bytes read once)."""
    counts = {"parse": 0, "repo": 0, "read": 0}

    def counting(module: object, name: str, kind: str) -> None:
        count_calls(monkeypatch, counts, module, name, kind)

    # Plans parsed, wherever: edit and splice imported parse_plan by name, the loaders'
    # parse_file (the board's patch, the gate's related plans) import it when they parse.
    counting(charter.tasks.edit, "parse_plan", "parse")
    counting(charter.parse.splice, "parse_plan", "parse")
    counting(charter.parse.plans, "parse_plan", "parse")
    counting(charter.board.regenerate, "build_repo", "repo")
    counting(charter.checks.edit_gate, "load_repo", "repo")
    counting(charter.tasks.edit, "load_repo", "repo")
    counting(charter.tasks.edit, "plan_listing", "read")
    counting(charter.board.regenerate.board_memo, "read_plans", "read")
    return counts


def _edit(config: Config, task_id: str, status: str) -> None:
    """What `charter task set ID --status S` does."""
    edit.set_status(config, task_id, status, validate=edit_validator(config))
    regenerate_board(config, edited=True)


def _full_board(config: Config, tmp_path: Path) -> tuple[bytes, bytes]:
    """What `charter board --force` writes from scratch (no caches, no old board)."""
    copy = tmp_path / "scratch"
    shutil.copytree(config.root, copy, ignore=shutil.ignore_patterns(".charter", "TaskBoard.*"))
    fresh = load_config(copy)
    regenerate_board(fresh, force=True)
    return _board(fresh)


def _board(config: Config) -> tuple[bytes, bytes]:
    return config.path(config.board).read_bytes(), config.path(config.board_csv).read_bytes()


def _touch_every_plan(config: Config) -> None:
    later = time.time_ns() + 5_000_000_000
    for plan in config.path("docs/plans").glob("*.md"):
        os.utime(plan, ns=(later, later))


def _checkout_restores(config: Config) -> None:
    _git(config.root, "checkout", "-q", "--", ".")


def _branch_and_back(config: Config) -> None:
    _git(config.root, "stash", "-q")
    _git(config.root, "checkout", "-q", "-b", "other")
    edit.set_status(config, "W7-1", "Review")
    regenerate_board(config, edited=True)
    _git(config.root, "commit", "-qam", "other")
    _git(config.root, "checkout", "-q", "-")


def _edits_undone(config: Config) -> None:
    """Edits, each undone by git, more than there are kept states: the committed board's
    state, read by every edit, is kept."""
    for n in range(charter.board.patch_states.KEEP_STATES + 2):
        _checkout_restores(config)
        _edit(config, f"W{n}-0", "Review")
    _checkout_restores(config)


CHECKOUTS = {
    "every plan touched, no content changed": _touch_every_plan,
    "git checkout -- . (the committed board is back)": _checkout_restores,
    "another branch, its board written, and back": _branch_and_back,
    "edit and undo, many times": _edits_undone,
}


@pytest.mark.parametrize("checkout", CHECKOUTS.values(), ids=list(CHECKOUTS))
def test_an_edit_after_a_checkout_parses_one_plan_and_patches_the_board(
    governed: GovernedRepo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    checkout: Callable[[Config], None],
) -> None:
    config = governed({f"p{n:02d}.md": _plan(n) for n in range(PLANS)})
    regenerate_board(config)
    _git(config.root, "add", "-A")
    _git(config.root, "commit", "-qm", "plans and board")
    _edit(config, "W2-1", "Review")  # an edit in a row: the board's state moves on
    checkout(config)
    counts = _counted(monkeypatch)
    _edit(config, "W3-2", "Blocked")
    # The edit parses its plan before the change; after it, the changed task's piece alone
    # (charter.parse.splice); the gate judges the plan before and after within the plan;
    # the board parses the edited plan once.
    assert counts == {"parse": 2, "repo": 0, "read": 2}
    assert _board(config) == _full_board(config, tmp_path)


def test_the_committed_board_s_state_outlives_many_edits(
    governed: GovernedRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More edits in a row than there are kept states, then `git checkout -- .`: the board
    back on disk is HEAD's, whose state the first edit after the commit pinned, so the
    next edit patches it from disk (not from the last board charter wrote)."""
    config = governed({f"p{n:02d}.md": _plan(n) for n in range(PLANS)})
    regenerate_board(config)
    _git(config.root, "add", "-A")
    _git(config.root, "commit", "-qm", "plans and board")
    for n in range(charter.board.patch_states.KEEP_STATES + 3):
        _edit(config, f"W{n % PLANS}-{n % 5}", "Blocked" if n % 2 else "Review")
    _checkout_restores(config)
    counts = _counted(monkeypatch)
    from_links: list[object] = []
    original = charter.board.patch.last_board

    def last_board(config: Config) -> object:
        from_links.append(config)
        return original(config)

    monkeypatch.setattr(charter.board.patch, "last_board", last_board)
    _edit(config, "W3-2", "Blocked")
    assert counts == {"parse": 2, "repo": 0, "read": 2}
    assert from_links == []
    assert _board(config) == _full_board(config, tmp_path)


def test_an_edit_after_a_checkout_of_an_unknown_board_regenerates_in_full(
    governed: GovernedRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A board no state describes (another clone wrote it) is regenerated from the plans."""
    config = governed({f"p{n:02d}.md": _plan(n) for n in range(PLANS)})
    regenerate_board(config)
    shutil.rmtree(config.path(".charter/cache"))
    counts = _counted(monkeypatch)
    _edit(config, "W3-2", "Blocked")
    assert counts["repo"] == 1
    assert _board(config) == _full_board(config, tmp_path)


_BYTES = st.lists(
    st.sampled_from(
        [b"id:", b"id: ", b"P0", b"P", b"0", b"'", b'"', b"\n", b"\r\n", b" ", b"\t", b"x", b"-"]
    ),
    max_size=24,
).map(b"".join)


@given(data=_BYTES, name=st.sampled_from([b"P0", b"P", b"0-1", b"x"]))
@settings(max_examples=400, deadline=None)
def test_the_plan_id_line_is_found_as_the_regex_finds_it(data: bytes, name: bytes) -> None:
    pattern = re.compile(rb"^id:\s*['\"]?" + re.escape(name) + rb"['\"]?\s*$", re.M)
    assert declares_plan_id(name)(data) == bool(pattern.search(data))


def test_an_unknown_id_is_answered_from_the_id_index_not_the_whole_repository(
    governed: GovernedRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = governed({f"p{n:02d}.md": _plan(n) for n in range(PLANS)})
    everything = sorted(load_repo(config).task_index())
    expected = unknown_task_message(config, "W3-22", everything)
    assert "did you mean" in expected and "W3-2" in expected
    decoded: list[int] = []
    original = charter.tasks.id_index.models_of

    def models_of(files: tuple[object, ...], *args: object) -> object:
        decoded.append(len(files))
        return original(files, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(charter.tasks.id_index, "models_of", models_of)
    counts = _counted(monkeypatch)
    for _ in range(2):
        with pytest.raises(CharterError) as refused:
            edit.set_status(config, "W3-22", "Review", validate=edit_validator(config))
        assert refused.value.message == expected
    assert counts["repo"] == 0
    assert decoded == [PLANS]  # the first time every plan; then none
    # a plan changed: its IDs alone are read again, and the new ID is suggested
    plan = config.path("docs/plans/p05.md")
    plan.write_text(plan.read_text() + "- [ ] **W3-20** A new task\n")
    with pytest.raises(CharterError) as refused:
        edit.set_status(config, "W3-22", "Review")
    assert decoded == [PLANS, 1] and "W3-20" in refused.value.message


def _pulled(config: Config, tmp_path: Path, edits: int) -> None:
    """Another clone edits `edits` plans, writes its board and commits; this one pulls."""
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(config.root), str(other)], check=True)
    elsewhere = load_config(other)
    for n in range(edits):
        edit.set_status(elsewhere, f"W{n + 5}-0", "Blocked")
    regenerate_board(elsewhere, edited=True)
    _git(other, "commit", "-qam", "elsewhere")
    _git(config.root, "pull", "-q", "--no-rebase", str(other), "HEAD")


@pytest.mark.parametrize("edits", [1, 3])
def test_an_edit_after_a_pull_patches_the_last_board_written_here(
    governed: GovernedRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edits: int
) -> None:
    config = governed({f"p{n:02d}.md": _plan(n) for n in range(PLANS)})
    regenerate_board(config)
    _git(config.root, "add", "-A")
    _git(config.root, "commit", "-qm", "plans and board")
    _edit(config, "W2-1", "Review")
    _git(config.root, "commit", "-qam", "an edit here")
    _pulled(config, tmp_path, edits)
    counts = _counted(monkeypatch)
    _edit(config, "W3-2", "Blocked")
    # the edited plan twice (as in a row), and the plans the pull changed once each
    assert counts == {"parse": 2 + edits, "repo": 0, "read": 2}
    assert _board(config) == _full_board(config, tmp_path / "full")


def _committed_then_pulled(governed: GovernedRepo, tmp_path: Path) -> Config:
    """Plans and their board committed, then one plan changed by a pull."""
    config = governed({f"p{n:02d}.md": _plan(n) for n in range(PLANS)})
    regenerate_board(config)
    _git(config.root, "add", "-A")
    _git(config.root, "commit", "-qm", "plans and board")
    _pulled(config, tmp_path, 1)
    return config


def test_a_hand_edited_board_after_a_pull_is_refused_as_in_a_full_regeneration(
    governed: GovernedRepo, tmp_path: Path
) -> None:
    config = _committed_then_pulled(governed, tmp_path)
    board = config.path(config.board)
    board.write_text(board.read_text().replace("Task 1 of plan 1", "Task 1, renamed by hand"))
    with pytest.raises(CharterError, match="edited by hand"):
        _edit(config, "W3-2", "Blocked")
    assert "renamed by hand" in board.read_text()  # nothing a person wrote is lost


def test_a_board_copy_changed_in_place_is_no_base(
    governed: GovernedRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _committed_then_pulled(governed, tmp_path)
    copies = list(config.path(charter.board.patch_states.BOARDS).glob("*.csv"))
    assert copies
    for copy in copies:
        with copy.open("a") as handle:  # in place: the hard link's other name sees it
            handle.write("X-1,damaged\n")
    counts = _counted(monkeypatch)
    _edit(config, "W3-2", "Blocked")
    assert counts["repo"] == 1
    assert _board(config) == _full_board(config, tmp_path / "full")


def test_the_states_and_links_kept_are_bounded(governed: GovernedRepo) -> None:
    config = governed({f"p{n:02d}.md": _plan(n) for n in range(PLANS)})
    regenerate_board(config)
    states = charter.board.patch_states
    for n in range(states.KEEP_STATES + 3):
        _edit(config, f"W{n % PLANS}-{n % 5}", "Blocked" if n % 2 else "Review")
    kept = list(config.path(".charter/cache").glob("board-state-*.cache"))
    links = sorted(p.name for p in config.path(states.BOARDS).iterdir())
    assert len(kept) == states.KEEP_STATES
    assert len(links) == 2 * states.KEEP_LINKED
    board_hash = charter.board.memo.sha(config.path(config.board).read_text())
    assert f"{board_hash[:24]}.md" in links  # the board just written is one of them


def test_the_drop_guard_judges_an_edit_s_keys_once_per_commit(
    governed: GovernedRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = governed({f"p{n:02d}.md": _plan(n) for n in range(PLANS)})
    regenerate_board(config)
    _git(config.root, "add", "-A")
    _git(config.root, "commit", "-qm", "plans and board")
    judged: list[int] = []
    original = charter.outputs.protect.drop_refusal

    def drop_refusal(config: Config, new: object, *args: object) -> object:
        judged.append(len(new))  # type: ignore[arg-type]
        return original(config, new, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(charter.outputs.protect, "drop_refusal", drop_refusal)
    _edit(config, "W2-1", "Blocked")
    _edit(config, "W3-1", "Blocked")
    _checkout_restores(config)
    _edit(config, "W4-1", "Blocked")
    assert judged == [PLANS * 5]  # the first edit after the commit; then remembered
    _git(config.root, "commit", "-qam", "an edit")
    _edit(config, "W5-1", "Blocked")
    assert judged == [PLANS * 5] * 2
