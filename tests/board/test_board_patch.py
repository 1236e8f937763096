"""A board regenerated after an edit replaces only the edited plans' rows (board.patch), and
writes exactly the bytes a full `charter board --force` from scratch writes."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import charter.board.patch
import charter.board.regenerate
from charter.board.fastmd import render_markdown
from charter.board.regenerate import regenerate_board
from charter.board.render import MD_TEMPLATE, _normalise, board_context, board_rows
from charter.claims import ops
from charter.config import Config, load_config
from charter.repo import load_repo
from charter.tasks import edit
from charter.templating import PACKAGE_TEMPLATES, render_template
from tests.board.conftest import FIXTURES, GovernedRepo
from tests.governed import board_bytes as _board
from tests.governed import full_board as _full_board

STATUSES = ("Backlog", "Todo", "In Progress", "Done", "Blocked", "Backlog", "Review")


def _plan(n: int, tasks: int = 6, shared: str = "") -> str:
    """A plan of checklist tasks (with a subtask) and a table, statuses mixed."""
    lines = ["---", f"id: A{n}", f"title: Plan {n}", "---", f"# Plan {n}", ""]
    for t in range(tasks):
        status = STATUSES[(n + t) % len(STATUSES)]
        box = "x" if status == "Done" else " "
        lines += [f"- [{box}] **A{n}-{t}** Task {t} of plan {n}", f"  - Status: {status}"]
        if status == "Done":
            lines.append("  - Evidence: `proof.txt`")
        if t == 1:
            lines += [f"  - [ ] **A{n}-{t}a** Subtask of {t}", "    - Status: Backlog"]
    lines += ["", "| ID | Title | Owner | Status |", "|---|---|---|---|"]
    lines += [f"| B{n}-{t} | Row {t} \\| piped | ann | Backlog |" for t in range(3)]
    if shared:
        lines.append(f"| {shared} | Shared task mentioned twice | bob | In Progress |")
    return "\n".join(lines) + "\n"


def _repo(governed: GovernedRepo, plans: int = 8, config: str = "") -> Config:
    texts: dict[str, str | bytes] = {f"p{n:02d}.md": _plan(n) for n in range(plans)}
    texts["p01.md"] = _plan(1, shared="S-1")
    texts["p02.md"] = _plan(2, shared="S-1")
    return governed(texts, config=config, files={"proof.txt": "ok\n"})


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    counts = {"patched": 0, "full": 0}
    original_parse = getattr(charter.board.patch, "parse_file")  # noqa: B009
    original_build = getattr(charter.board.regenerate, "build_repo")  # noqa: B009

    def parse(*args: object, **kwargs: object) -> object:
        counts["patched"] += 1
        return original_parse(*args, **kwargs)

    def build(*args: object, **kwargs: object) -> object:
        counts["full"] += 1
        return original_build(*args, **kwargs)

    monkeypatch.setattr(charter.board.patch, "parse_file", parse)
    monkeypatch.setattr(charter.board.regenerate, "build_repo", build)
    return counts


Edit = Callable[[Config], object]
EDITS: list[tuple[str, Edit, bool]] = [  # name, edit, whether the patch can take it
    ("status", lambda c: edit.set_status(c, "A3-2", "In Progress"), True),
    ("done with evidence", lambda c: edit.mark_done(c, "A4-0", "proof.txt"), True),
    ("block (a new field line)", lambda c: edit.block(c, "A5-0", "waiting on QA"), True),
    ("owner of a table row", lambda c: edit.set_field(c, "B6-1", "owner", "zoë | co"), True),
    ("into an empty column", lambda c: edit.set_status(c, "A0-0", "Dropped"), True),
    ("out of a one-row column", lambda c: edit.set_status(c, "A0-0", "Backlog"), True),
    ("a subtask", lambda c: edit.set_status(c, "A3-1a", "Review"), True),
    ("a plan with a shared ID", lambda c: edit.set_status(c, "A1-0", "Review"), False),
]


@pytest.mark.parametrize(("name", "change", "patched"), EDITS, ids=[e[0] for e in EDITS])
def test_an_edit_then_the_patch_writes_what_a_full_board_writes(
    governed: GovernedRepo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    change: Edit,
    patched: bool,
) -> None:
    config = _repo(governed)
    regenerate_board(config)  # a full regeneration: records the state
    if name == "out of a one-row column":
        edit.set_status(config, "A0-0", "Dropped")
        regenerate_board(config, edited=True)
    counts = _count_parses(monkeypatch)
    change(config)
    result = regenerate_board(config, edited=True)
    work = dict(counts)
    assert result.changed
    assert _board(config) == _full_board(config, tmp_path)
    if patched:
        assert work == {"patched": 1, "full": 0}  # the edited plan alone was parsed
    else:
        assert work["full"] == 1


def test_many_edits_in_a_row_stay_byte_identical(
    governed: GovernedRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _repo(governed, plans=12)
    regenerate_board(config)
    counts = _count_parses(monkeypatch)
    statuses = ("Review", "Done", "Blocked", "Todo", "Dropped", "In Progress")
    edits = 0
    for n, status in enumerate(statuses):
        task = f"A{(n * 5) % 12 + 3 if (n * 5) % 12 in (1, 2) else (n * 5) % 12}-{n % 6}"
        plan = config.path(edit.find_task(config, task)[0])
        before = plan.read_bytes()
        edit.set_status(config, task, status)
        edits += plan.read_bytes() != before
        regenerate_board(config, edited=True)
    work = dict(counts)
    assert _board(config) == _full_board(config, tmp_path)
    # each patch kept the state for the next one: no full regeneration in between
    assert edits >= 4 and work == {"patched": edits, "full": 0}
    assert regenerate_board(config, check=True).up_to_date  # and the memo recorded it


def test_a_hand_edit_is_patched_and_board_check_sees_it(
    governed: GovernedRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _repo(governed)
    regenerate_board(config)
    plan = config.path("docs/plans/p05.md")
    plan.write_text(plan.read_text().replace("Status: Backlog", "Status: Review"))
    counts = _count_parses(monkeypatch)
    check = regenerate_board(config, check=True)
    assert check.changed == (config.board, config.board_csv) and "+| A" in check.diff
    assert dict(counts) == {"patched": 1, "full": 0}
    regenerate_board(config)
    assert _board(config) == _full_board(config, tmp_path)
    assert regenerate_board(config, check=True).up_to_date


@pytest.mark.parametrize(
    "change",
    ["add a task", "rename a task", "add a plan", "remove a plan", "edit the board", "template"],
)
def test_what_changes_the_board_s_shape_regenerates_in_full(
    governed: GovernedRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    config = _repo(governed)
    regenerate_board(config)
    plan = config.path("docs/plans/p04.md")
    if change == "add a task":
        plan.write_text(plan.read_text() + "\n- [ ] **A4-99** A new task\n")
    elif change == "rename a task":
        plan.write_text(plan.read_text().replace("**A4-2**", "**A4-22**"))
    elif change == "add a plan":
        config.path("docs/plans/p99.md").write_text(_plan(99))
    elif change == "remove a plan":
        config.path("docs/plans/p07.md").unlink()
    elif change == "edit the board":
        board = config.path(config.board_csv)
        board.write_text(board.read_text() + "\n")
    else:
        (config.root / "templates").mkdir()
        shutil.copy(PACKAGE_TEMPLATES / MD_TEMPLATE, config.root / "templates" / MD_TEMPLATE)
    plan.write_text(plan.read_text().replace("Status: Backlog", "Status: Review", 1))
    counts = _count_parses(monkeypatch)
    regenerate_board(config, force=change in ("edit the board", "remove a plan"))
    full = counts["full"]
    assert _board(config) == _full_board(config, tmp_path)
    assert full == 1


def test_claims_and_a_custom_template_stay_byte_identical(
    governed: GovernedRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _repo(governed, config='board_claims = true\nclaims = "local"\n')
    monkeypatch.setenv("CHARTER_NOW", "2026-01-01T10:00:00Z")
    ops.claim(ops.Store(config.root, None), "A3-2", "alice", "2h")
    regenerate_board(config)
    counts = _count_parses(monkeypatch)
    edit.set_status(config, "A3-2", "Review")
    regenerate_board(config, edited=True)
    assert dict(counts) == {"patched": 1, "full": 0}
    assert "| alice |" in config.path(config.board).read_text()
    assert _board(config) == _full_board(config, tmp_path)
    (config.root / "templates").mkdir()
    custom = (PACKAGE_TEMPLATES / MD_TEMPLATE).read_text().replace("# {{ title }}", "# Ours")
    (config.root / "templates" / MD_TEMPLATE).write_text(custom)
    edit.set_status(config, "A4-0", "Review")
    regenerate_board(config, edited=True)
    assert config.path(config.board).read_text().splitlines()[1] == "# Ours"
    assert _board(config) == _full_board(config, tmp_path)


def _jinja(config: Config) -> tuple[str, str]:
    repo = load_repo(config, use_cache=False)
    rows = board_rows(repo)
    context = board_context(repo, rows, config.board)
    return (
        _normalise(render_template(config, MD_TEMPLATE, **context)),
        render_markdown(config, len(repo.plans), rows),
    )


def test_the_default_template_renders_the_same_without_jinja(
    governed: GovernedRepo, tmp_path: Path
) -> None:
    shutil.copytree(FIXTURES / "repo", tmp_path / "fixture")
    demo = Path(__file__).resolve().parents[2] / "examples" / "demo"
    configs = [_repo(governed), load_config(tmp_path / "fixture")]
    if demo.is_dir():
        shutil.copytree(demo, tmp_path / "demo")
        configs.append(load_config(tmp_path / "demo"))
    for config in configs:
        with_jinja, without = _jinja(config)
        assert with_jinja == without, config.root


def test_a_plan_holding_many_rows_is_not_moved_row_by_row(
    governed: GovernedRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _repo(governed)
    regenerate_board(config)
    monkeypatch.setattr(charter.board.patch, "MAX_ROWS", 5)  # plans here give 10 rows
    counts = _count_parses(monkeypatch)
    # Edited by hand: no task edit of this process says which rows it changed
    # (tests/board/test_patch_piece.py has the task edits).
    plan = config.path("docs/plans/p03.md")
    text = plan.read_text()
    plan.write_text(
        text.replace(
            "**A3-2** Task 2 of plan 3\n  - Status: Backlog",
            "**A3-2** Task 2 of plan 3\n  - Status: Review",
        )
    )
    assert plan.read_text() != text
    regenerate_board(config, edited=True)
    work = dict(counts)
    assert _board(config) == _full_board(config, tmp_path)
    assert work == {"patched": 0, "full": 1}  # not parsed twice


def _apply(old: list[str], diff: list[str]) -> list[str]:
    """`old` with a unified diff's hunks applied (checking every context and removed line)."""
    out: list[str] = []
    at = 0
    for line in diff[2:]:
        if line.startswith("@@"):
            start = int(line.split()[1][1:].split(",")[0])
            length = line.split()[1].split(",")
            first = start - 1 if len(length) == 1 or length[1] != "0" else start
            out += old[at:first]
            at = first
        elif line.startswith((" ", "-")):
            assert old[at] == line[1:]
            at += 1
            if line.startswith(" "):
                out.append(line[1:])
        else:
            out.append(line[1:])
    return out + old[at:]


@pytest.mark.parametrize("seed", range(40))
def test_the_diff_of_long_boards_turns_the_old_into_the_new(seed: int) -> None:
    import difflib
    import random

    from charter.board.drift import _unified

    rng = random.Random(seed)
    pool = ["\n", "|---|---|\n", "## Done (3)\n"] + [f"| R-{i} | x |\n" for i in range(40)]
    old = [rng.choice(pool) if rng.random() < 0.5 else f"line {i}\n" for i in range(2_500)]
    new = list(old)
    for _ in range(rng.randint(1, 5)):
        k = rng.randrange(len(new))
        kind = rng.random()
        if kind < 0.4:
            new[k] = rng.choice(pool)
        elif kind < 0.7:
            new.insert(k, rng.choice(pool))
        else:
            del new[k]
    diff = list(_unified(old, new, "a/x", "b/x"))
    assert diff[:2] == ["--- a/x\n", "+++ b/x\n"] and _apply(old, diff) == new
    short = old[:100], new[:100]  # short files: difflib itself, byte for byte
    assert list(_unified(*short, "a/x", "b/x")) == list(difflib.unified_diff(*short, "a/x", "b/x"))
