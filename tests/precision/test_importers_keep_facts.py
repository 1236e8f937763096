"""Importers and reconcile that keep every fact the source states.

spec-kit: features sharing a number stay apart, stated order reads as written,
an imported plan is not read twice with its tasks.md (the Spectra corpus and
small tasks.md fixtures). Backlog.md: legacy task-N references, acceptance
criteria and definition of done, one plan per unit. Task Master: an import
without the preset names it. Reconcile: facts that cannot move, joined CSV
records of any width.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from charter.cli import main
from charter.config import Config, load_config
from charter.errors import CharterError
from charter.importers import backlog
from charter.importers.backlog import import_backlog
from charter.importers.fit import require_readable_ids
from charter.importers.speckit import import_speckit
from charter.importers.taskmaster import import_taskmaster
from charter.importers.writer import ImportResult, rendered, write_plans
from charter.reconcile.board_table import read_board_csv
from charter.reconcile.compare import Reconciliation, takeover_note
from charter.repo import load_repo
from tests.adoption.helpers import make_repo
from tests.conftest import CORPORA, check_findings

SPECKIT = '[tool.charter]\npreset = "speckit"\n'


def tasks_of(result: ImportResult) -> dict[str, list[str]]:
    return {s.id: list(s.depends) for plan in result.plans for s in plan.walk() if s.id}


def test_features_sharing_a_number_keep_their_tasks_apart(tmp_path: Path) -> None:
    config = make_repo(
        tmp_path,
        {
            "specs/001-login/tasks.md": "# Tasks: Login\n\n- [ ] T001 Form\n- [ ] T002 Submit\n",
            "specs/001-search/tasks.md": "# Tasks: Search\n\n- [ ] T001 Index\n",
            "specs/002-export/tasks.md": "# Tasks: Export\n\n- [ ] T001 CSV\n",
        },
        SPECKIT,
    )
    result = import_speckit(config.root / "specs", "specs", config, "docs/plans")
    assert sorted(tasks_of(result)) == ["001-login-T001", "001-login-T002", "001-search-T001",
                                        "002-T001"]  # fmt: skip
    rendered(result, config)  # every ID reads back under the speckit preset


ORDERS = """# Tasks: Orders

## Phase 1

- [ ] T001 Create model in src/m.py
- [ ] T002 Add field to src/m.py (same file as T001)
- [ ] T003 Create service (before T004)
- [ ] T004 Wire router (after T003)
- [ ] T005 Verify after T002 and before T006
- [ ] T006 Ship
- [ ] T007 Docs
- [ ] T008 Schema
- [ ] T009 Migrate
- [ ] T010 Cleanup (in the same file as T011)
- [ ] T011 Cleanup config

## Dependencies

T007 (docs) <- depends on T006
Sequential: T008 → T009
"""


@pytest.mark.parametrize(
    ("task", "depends"),
    [
        ("T002", ["T001"]),  # same file: the one listed later waits
        ("T004", ["T003"]),  # "before T004" and "after T003" say one order, once
        ("T005", ["T002"]),
        ("T006", ["T005"]),  # "T005 ... before T006"
        ("T007", ["T006"]),
        ("T009", ["T008"]),
        ("T011", ["T010"]),  # the later-listed task waits, whichever line says it
        ("T001", []),
        ("T003", []),
    ],
)
def test_stated_order_reads_as_written(tmp_path: Path, task: str, depends: list[str]) -> None:
    config = make_repo(tmp_path, {"specs/tasks.md": ORDERS}, SPECKIT)
    result = import_speckit(config.root / "specs/tasks.md", "specs/tasks.md", config, "out")
    assert tasks_of(result)[task] == depends


def spectra(tmp_path: Path) -> Config:
    source = CORPORA / "liorfranko__Spectra"
    if not source.is_dir():
        pytest.skip("corpus liorfranko__Spectra is not present beside the repository")
    root = tmp_path / "spectra"
    shutil.copytree(source, root)
    return make_repo(root, {}, SPECKIT)


def test_spectra_imports_without_cycles_and_is_read_once(tmp_path: Path) -> None:
    config = spectra(tmp_path)
    result = import_speckit(config.root / "specs", "specs", config, "docs/plans")
    imported = tasks_of(result)
    assert imported["007-T004"] == ["007-T001", "007-T002", "007-T003"]
    assert not [d for d in result.diagnostics if d.code == "SK001"]
    before = sum(1 for _ in load_repo(load_config(config.root), use_cache=False).tasks())
    write_plans(rendered(result, config), config.root)
    repo = load_repo(load_config(config.root), use_cache=False)
    # The imported plans replace the tasks.md files they name as their source.
    assert sum(1 for _ in repo.tasks()) == before == len(imported)
    codes = {d.code for d in check_findings(load_config(config.root))}
    assert not codes & {"CH002", "CH007", "CH018"}


def write_backlog(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / "backlog" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


BACK = "backlog-md"


def test_backlog_legacy_ids_take_the_projects_prefix(tmp_path: Path) -> None:
    config = make_repo(tmp_path, {}, f'[tool.charter]\npreset = "{BACK}"\n')
    write_backlog(
        config.root,
        {
            "config.yml": 'project_name: "Demo"\nprefixes:\n  task: "back"\n',
            "tasks/back-1 - Base.md": "---\nid: BACK-1\ntitle: Base\nstatus: Done\n---\n",
            "tasks/back-2 - Next.md": "---\nid: BACK-2\ntitle: Next\nstatus: To Do\n"
            "dependencies: [task-1]\n---\n",
            "tasks/back-2.1 - Sub.md": "---\nid: BACK-2.1\ntitle: Sub\nstatus: To Do\n"
            "parent_task_id: task-2\n---\n",
        },
    )
    result = import_backlog(config.root / "backlog", "backlog", config, "docs/plans")
    ids = tasks_of(result)
    assert ids == {"BACK-1": [], "BACK-2": ["BACK-1"], "BACK-2.1": []}
    parent = next(s for s in result.plans[0].walk() if s.id == "BACK-2")
    assert [s.id for s in parent.subtasks] == ["BACK-2.1"]
    assert not [d for d in result.diagnostics if d.code in ("BL003", "BL004")]


def test_backlog_acceptance_criteria_and_definition_of_done_stay_apart(tmp_path: Path) -> None:
    config = make_repo(tmp_path, {}, f'[tool.charter]\npreset = "{BACK}"\n')
    write_backlog(
        config.root,
        {
            "tasks/task-1 - A.md": "---\nid: task-1\ntitle: A\nstatus: To Do\n---\n\n"
            "## Acceptance Criteria\n<!-- AC:BEGIN -->\n- [x] #1 Works\n- [ ] #2 Fast\n"
            "<!-- AC:END -->\n\n## Definition of Done\n<!-- DOD:BEGIN -->\n- [ ] #1 Tests pass\n"
            "<!-- DOD:END -->\n"
        },
    )
    result = import_backlog(config.root / "backlog", "backlog", config, "docs/plans")
    (_path, text), = rendered(result, config)  # fmt: skip
    assert (
        "  - Acceptance criteria:\n    - [x] #1 Works\n    - [ ] #2 Fast\n"
        "  - Definition of done:\n    - [ ] #1 Tests pass\n"
    ) in text


def test_a_large_backlog_becomes_one_plan_per_milestone_with_a_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backlog, "PLAN_CAP", 2)
    config = make_repo(tmp_path, {}, f'[tool.charter]\npreset = "{BACK}"\n')
    files = {}
    for n, milestone in enumerate(["v1", "v1", "v1", "v2", None], 1):
        extra = f"milestone: {milestone}\n" if milestone else ""
        files[f"tasks/task-{n} - T.md"] = (
            f"---\nid: task-{n}\ntitle: T{n}\nstatus: To Do\n{extra}---\n"
        )
    write_backlog(config.root, files)
    result = import_backlog(config.root / "backlog", "backlog", config, "docs/plans")
    written = rendered(result, config)
    assert [p for p, _ in written] == [
        "docs/plans/backlog-v1-part-1.md",
        "docs/plans/backlog-v1-part-2.md",
        "docs/plans/backlog-v2.md",
        "docs/plans/backlog-no-milestone.md",
    ]
    assert sorted(tasks_of(result)) == [f"task-{n}" for n in range(1, 6)]  # none lost


def test_import_without_the_preset_names_it(tmp_path: Path) -> None:
    source = CORPORA / "0xfauzi__testcraft" / ".taskmaster" / "tasks" / "tasks.json"
    if not source.is_file():
        pytest.skip("corpus 0xfauzi__testcraft is not present beside the repository")
    config = make_repo(tmp_path, {}, "[tool.charter]\nrequire_frontmatter = false\n")
    result = import_taskmaster(source, "tasks.json", config, "docs/plans")
    with pytest.raises(CharterError, match='preset = "taskmaster"'):
        require_readable_ids("taskmaster", result, config)
    fitted = make_repo(tmp_path / "fit", {}, '[tool.charter]\npreset = "taskmaster"\n')
    require_readable_ids("taskmaster", import_taskmaster(source, "t", fitted, "d"), fitted)


def test_the_import_command_stops_before_writing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    config = make_repo(tmp_path, {"specs/001-a/tasks.md": "# T\n\n- [ ] T001 A\n"}, "")
    code = main(["import", "speckit", str(config.root / "specs"), "--repo", str(config.root)])
    assert code == 2
    assert 'preset = "speckit"' in capsys.readouterr().err
    assert not (config.root / "docs" / "plans").exists()


def test_reconcile_never_says_nothing_is_left_while_facts_cannot_move() -> None:
    from charter.model import Diagnostic

    stuck = Reconciliation(["b.md"], [Diagnostic("b.md", 3, 1, "RC007", "cannot move")])
    assert "cannot move" in (takeover_note(stuck) or "")
    assert "nothing is only on the board" in (takeover_note(Reconciliation(["b.md"])) or "")


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("ID,Title,Owner,Notes,Column\nST-1,A,x,n,Done,ST-2,B,y,m,Backlog,ST-3,C,z,o,Done\n",
         ["ST-1", "ST-2", "ST-3"]),
        ("ID,Title,Owner,Notes,Column\nST-1,A,x,n,DoneST-2,B,y,m,BacklogST-3,C,z,o,Done\n",
         ["ST-1", "ST-2", "ST-3"]),
        # The second record lost its last field: it is read, padded.
        ("ID,Title,Owner,Notes,Column\nST-1,A,x,n,Done,ST-2,B,y,m,ST-3,C,z,o,Done\n",
         ["ST-1", "ST-2", "ST-3"]),
        ("Title,ID,Column\nA,ST-1,Done,B,ST-2,Backlog\n", ["ST-1", "ST-2"]),
    ],
)  # fmt: skip
def test_joined_csv_records_are_found_whatever_their_width(text: str, ids: list[str]) -> None:
    config = Config(root=Path("."))
    read = read_board_csv("b.csv", text.encode("utf-8"), config)
    assert [r.id for r in read.rows] == ids
    assert any("joined on one line" in d.message for d in read.problems)


def test_reconcile_write_reports_stuck_facts_instead_of_a_clean_takeover(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_repo(
        tmp_path,
        {
            "docs/plans/p.md": "| ID | Title | Status |\n|--|--|--|\n| ST-1 | A | Done |\n",
            "docs/taskboard/TaskBoard.md": "| ID | Title | Column | Deliverable |\n"
            "|--|--|--|--|\n| ST-1 | A | Done | report.md |\n",
        },
        '[tool.charter]\npreset = "table-plans"\n',
    )
    assert main(["reconcile", "--write", "--repo", str(config.root)]) == 1
    err = capsys.readouterr().err
    assert "1 fact(s) are only on the board and cannot move (RC007)" in err
    assert "nothing is only on the board" not in err


def test_after_an_import_a_task_is_edited_in_the_imported_plan_only(tmp_path: Path) -> None:
    from charter.tasks.edit import set_status

    original = "# Tasks\n\n- [ ] T001 Form\n- [ ] T002 Submit (after T001)\n"
    config = make_repo(tmp_path, {"specs/001-login/tasks.md": original}, SPECKIT)
    result = import_speckit(config.root / "specs", "specs", config, "docs/plans")
    write_plans(rendered(result, config), config.root)
    assert (
        set_status(config, "T001", "In Progress") == config.root / "docs/plans/speckit-001-login.md"
    )
    assert (config.root / "specs/001-login/tasks.md").read_text("utf-8") == original
