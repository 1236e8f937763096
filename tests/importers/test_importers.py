"""Importers: Task Master, Backlog.md, spec-kit and GitHub issues written as plans.

The rendered plans are golden files (see helpers.py to regenerate them).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.cli import main
from charter.config import Config
from charter.errors import CharterError
from charter.importers.backlog import import_backlog
from charter.importers.github import import_github
from charter.importers.speckit import import_speckit
from charter.importers.taskmaster import import_taskmaster
from charter.importers.writer import ImportResult, rendered
from charter.parse.plans import parse_plan
from charter.status import column_of
from tests.adoption.helpers import FIXTURES, check_golden, copy_fixture, make_repo

RUN = {
    "taskmaster": (import_taskmaster, "taskmaster", "taskmaster/tasks.json"),
    "backlog": (import_backlog, "backlog-md", "backlog"),
    "speckit": (import_speckit, "speckit", "specs"),
    "github": (import_github, "github-issues", "issues.json"),
}


def run(tmp_path: Path, kind: str) -> tuple[Config, ImportResult, list[tuple[str, str]]]:
    importer, preset, source = RUN[kind]
    config = make_repo(tmp_path / "repo", {}, f'[tool.charter]\npreset = "{preset}"\n')
    copy_fixture(source.split("/")[0], config.root)
    result = importer(config.root / source, source, config, "docs/plans")
    return config, result, rendered(result, config)


@pytest.mark.parametrize("kind", sorted(RUN))
def test_rendered_plans_match_their_golden_files(tmp_path: Path, kind: str) -> None:
    _config, _result, files = run(tmp_path, kind)
    for path, text in files:
        check_golden(f"{kind}--{Path(path).name}", text)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "taskmaster",
            [
                ("taskmaster/task_002.txt", 3, "TM004"),
                ("taskmaster/task_002.txt", 9, "TM004"),
                ("taskmaster/task_009.txt", 1, "TM004"),
                ("taskmaster/tasks.json", 16, "TM003"),
                ("taskmaster/tasks.json", 17, "TM001"),
            ],
        ),
        (
            "backlog",
            [
                ("backlog/tasks/task-2.1 - Login-form.md", 2, "BL004"),
                ("backlog/tasks/task-3 - Copy-of-login.md", 2, "BL002"),
                ("backlog/tasks/task-8 - Broken.md", 4, "BL001"),
            ],
        ),
        ("speckit", [("specs/002-search/tasks.md", 9, "SK002")]),
        ("github", [("issues.json", 10, "GH003"), ("issues.json", 18, "GH001")]),
    ],
)
def test_problems_in_the_source_are_reported_with_file_and_line(
    tmp_path: Path, kind: str, expected: list[tuple[str, int, str]]
) -> None:
    _config, result, _files = run(tmp_path, kind)
    assert sorted((d.path, d.line, d.code) for d in result.diagnostics) == expected


@pytest.mark.parametrize(
    ("kind", "task_id", "status", "column", "depends", "parent"),
    [
        ("taskmaster", "TM-2.2", "deferred", "Backlog", ("TM-2.1", "TM-1.2"), "TM-2"),
        ("taskmaster", "TM-FEATURE-AUTH-1", "review", "Review", (), None),
        ("backlog", "task-2.1", "To Do", "Backlog", ("task-9",), "task-2"),
        ("backlog", "task-5", "Archived (To Do)", "Dropped", (), None),
        ("backlog", "task-4", "Draft (To Do)", "Backlog", (), None),
        ("speckit", "001-T004a", None, "Backlog", ("001-T004", "001-T003"), None),
        ("speckit", "001-T005", "Deferred", "Dropped", (), None),
        ("speckit", "002-T002a", None, "Backlog", (), "002-T002"),
        ("github", "#75", "in progress", "In Progress", (), "#74"),
        ("github", "#77", "blocked", "Blocked", ("#76", "#99"), "#74"),
        ("github", "#81", "Open", "Backlog", ("#80",), None),
        ("github", "#82", "Not planned", "Dropped", (), None),
    ],
)
def test_written_plans_read_back_with_the_sources_facts(
    tmp_path: Path,
    kind: str,
    task_id: str,
    status: str | None,
    column: str,
    depends: tuple[str, ...],
    parent: str | None,
) -> None:
    config, _result, files = run(tmp_path, kind)
    tasks = {
        t.id: t for path, text in files for t in parse_plan(path, text.encode(), config).walk()
    }
    task = tasks[task_id]
    assert (task.status, column_of(task, config), task.depends, task.parent) == (
        status,
        column,
        depends,
        parent,
    )


def test_free_text_never_turns_into_tasks_or_fields(tmp_path: Path) -> None:
    config, _result, files = run(tmp_path, "taskmaster")
    plan = parse_plan(files[0][0], files[0][1].encode(), config)
    scaffold = next(t for t in plan.walk() if t.id == "TM-1")
    assert [s.id for s in scaffold.subtasks] == ["TM-1.1", "TM-1.2"]
    assert scaffold.status == "done"  # "- Status: not a field either" stayed in the details
    assert "- [ ] not a task, just text" in files[0][1]


def test_an_id_pattern_that_does_not_fit_is_a_clear_error(tmp_path: Path) -> None:
    config = make_repo(tmp_path / "repo", {}, "")  # the default pattern has no dotted IDs
    copy_fixture("taskmaster", config.root)
    result = import_taskmaster(
        config.root / "taskmaster/tasks.json", "taskmaster/tasks.json", config, "docs/plans"
    )
    with pytest.raises(CharterError, match="id_pattern"):
        rendered(result, config)


def test_the_cli_never_overwrites_and_dry_run_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_repo(tmp_path / "repo", {}, '[tool.charter]\npreset = "github-issues"\n')
    copy_fixture("issues.json", config.root)
    args = ["import", "github", str(config.root / "issues.json"), "--repo", str(config.root)]
    assert main([*args, "--dry-run"]) == 1  # GH001 is an error in the source
    out = capsys.readouterr().out
    assert "==> docs/plans/github-epic-74.md (not written: --dry-run) <==" in out
    assert not (config.root / "docs/plans").exists()
    assert main([*args, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [f["path"] for f in report["files"]] == [
        "docs/plans/github-epic-74.md",
        "docs/plans/github-milestone-v1-0.md",
        "docs/plans/github-issues.md",
    ]
    before = (config.root / "docs/plans/github-issues.md").read_bytes()
    assert main(args) == 2
    assert "never overwrites" in capsys.readouterr().err
    assert (config.root / "docs/plans/github-issues.md").read_bytes() == before


def test_imported_plans_pass_charter_checks_parse(tmp_path: Path) -> None:
    config = make_repo(tmp_path / "repo", {}, '[tool.charter]\npreset = "backlog-md"\n')
    copy_fixture("backlog", config.root)
    assert (
        main(["import", "backlog", str(config.root / "backlog"), "--repo", str(config.root)]) == 1
    )
    assert main(["check", "--repo", str(config.root), "--format", "json"]) == 1
    # What check finds is about the tasks, not about reading the file.
    from tests.conftest import check_findings

    codes = {d.code for d in check_findings(config)}
    assert codes == {"CH002", "CH006", "CH010"}  # task-2 twice, task-9 unknown, open criterion


TASK = st.fixed_dictionaries(
    {
        "title": st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40),
        "status": st.sampled_from(
            ["pending", "in-progress", "done", "review", "deferred", "cancelled", "blocked"]
        ),
        "subtasks": st.integers(0, 3),
    }
)


@settings(max_examples=40, deadline=None)
@given(tasks=st.lists(TASK, min_size=1, max_size=6), data=st.data())
def test_any_task_master_file_round_trips(
    tmp_path_factory: pytest.TempPathFactory, tasks: list[dict[str, object]], data: st.DataObject
) -> None:
    raw = []
    for number, task in enumerate(tasks, 1):
        deps = data.draw(st.lists(st.integers(1, len(tasks)), max_size=3, unique=True))
        subs = [
            {
                "id": s,
                "title": f"sub {s}",
                "status": task["status"],
                "dependencies": data.draw(st.lists(st.integers(1, s), max_size=2, unique=True)),
            }
            for s in range(1, int(task["subtasks"]) + 1)
        ]  # type: ignore[call-overload]
        raw.append(
            {
                "id": number,
                "title": task["title"],
                "status": task["status"],
                "dependencies": deps,
                "subtasks": subs,
            }
        )
    root = tmp_path_factory.mktemp("tm")
    (root / "tasks.json").write_text(json.dumps({"master": {"tasks": raw}}))
    config = Config(
        root=root,
        id_pattern=r"TM(?:-[A-Z0-9]+)*-\d+(?:\.\d+)*",
        status_map={**Config(root=root).status_map, "Backlog": ("pending", "deferred")},
    )
    result = import_taskmaster(root / "tasks.json", "tasks.json", config, "docs/plans")
    ((path, text),) = rendered(result, config)
    parsed = {t.id: t for t in parse_plan(path, text.encode(), config).walk()}
    expected = {f"TM-{t['id']}": (t["status"], [f"TM-{d}" for d in t["dependencies"]]) for t in raw}
    expected.update(
        {
            f"TM-{t['id']}.{s['id']}": (
                s["status"],
                [f"TM-{t['id']}.{d}" for d in s["dependencies"]],
            )
            for t in raw
            for s in t["subtasks"]
        }
    )  # type: ignore[attr-defined]
    assert {k: (v.status, list(v.depends)) for k, v in parsed.items()} == expected


def test_fixtures_exist() -> None:
    assert (FIXTURES / "taskmaster" / "tasks.json").is_file()
