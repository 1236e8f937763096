"""Discovery on small repositories: what it finds, what it writes, and that config wins."""

from __future__ import annotations

import json

import pytest

from charter.cli import main
from charter.detect import config_for_repo
from tests.conftest import MakeRepo

ROADMAP = "# Roadmap\n\n- [ ] Ship the exporter\n- [x] Write the parser\n"
BOARD = (
    "## Active\n\n| ID | Task | Status |\n|---|---|---|\n| WEB-1 | Login | ✅ done |\n"
    "| WEB-2 | Logout | 🔄 in progress |   \n\n## Completed\n\n| ID | Task |\n|---|---|\n"
    "| WEB-1 | Login |\n"
)


def test_finds_plans_where_teams_keep_them(make_repo: MakeRepo) -> None:
    root = make_repo({"ROADMAP.md": ROADMAP, "docs/task-board.md": BOARD})
    config, detection = config_for_repo(root)
    assert detection is not None and detection.found
    assert sorted(detection.located.plans) == ["ROADMAP.md", "docs/task-board.md"]
    assert config.anonymous_tasks and not config.require_frontmatter


def test_detect_json_and_one_task_per_id(
    make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"docs/task-board.md": BOARD})
    assert main(["detect", "--repo", str(root), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["tasks"] == {"docs/task-board.md": 3}  # three mentions of two tasks
    assert main(["task", "next", "--repo", str(root), "--format", "json"]) == 0
    assert "WEB-1" not in capsys.readouterr().out  # done in the Active table and Completed
    assert main(["check", "--repo", str(root), "--format", "json"]) in (0, 1)
    assert "CH002" not in capsys.readouterr().out  # two mentions of one task, no duplicate


def test_nothing_found_warns_where_it_looked(
    make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"src/app.py": "print()\n"})
    main(["check", "--repo", str(root)])
    err = capsys.readouterr().err
    assert "no plans found" in err and "ROADMAP.md" in err and "charter init --detect" in err


def test_explicit_configuration_wins(make_repo: MakeRepo) -> None:
    root = make_repo({"ROADMAP.md": ROADMAP}, config='plans = ["elsewhere/*.md"]\n')
    config, detection = config_for_repo(root)
    assert detection is None and config.plans == ("elsewhere/*.md",)


def test_init_detect_writes_charter_toml_once(
    make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"ROADMAP.md": ROADMAP})
    assert main(["init", str(root), "--detect"]) == 0
    written = (root / "charter.toml").read_text()
    assert 'plans = ["ROADMAP.md"]' in written and "anonymous_tasks = true" in written
    assert main(["init", str(root), "--detect"]) == 1
    assert (root / "charter.toml").read_text() == written
    config, detection = config_for_repo(root)
    assert detection is None and config.plans == ("ROADMAP.md",)


def test_emoji_status_mappable(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"ROADMAP.md": "| ID | Task | Status |\n|---|---|---|\n| A-1 | x | 🧪 |\n"},
        config='plans = ["ROADMAP.md"]\nrequire_frontmatter = false\n'
        '[status_map]\nReview = ["🧪"]\n',
    )
    config, _ = config_for_repo(root)
    assert config.column_for_status("🧪") == "Review"
    assert config.column_for_status("✅ done") == "Done"


EXECPLAN = (
    "# ExecPlan: Gateway bootstrap\n\n**Status:** In progress\n\n## Progress\n\n"
    "- [x] 2026-02-25T03:10Z - Added the project scaffolding.\n"
    "- [ ] 2026-02-25T03:14Z - Wire the gateway runtime.\n\n## Decision Log\n\n- Decision: zod.\n"
)
TEMPLATE = "# ExecPlan: <title>\n\n## Progress\n\n- [ ] (YYYY-MM-DD) Task 1: ...\n"


@pytest.mark.parametrize(
    ("files", "plans", "tasks"),
    [
        # ExecPlan folders; the blank beside the plans is not work
        (
            {
                "docs/exec-plans/2026-02-25-bootstrap.md": EXECPLAN,
                "docs/exec-plans/_template.md": TEMPLATE,
                "docs/exec-plans/README.md": "# Execution plans\n\n- [ ] an index entry\n",
            },
            ["docs/exec-plans/2026-02-25-bootstrap.md"],
            2,
        ),
        (
            {".agent/execplans/consolidate.md": EXECPLAN, "EXECPLAN.md": EXECPLAN},
            [".agent/execplans/consolidate.md", "EXECPLAN.md"],
            4,
        ),
        # a template folder's PLANS.md is a blank, wherever it sits
        ({"templates/PLANS.md": TEMPLATE, "PLANS.md": EXECPLAN}, ["PLANS.md"], 2),
        # an agent workflow's .planning/: its named files, not its research or archive
        (
            {
                ".planning/ROADMAP.md": ROADMAP,
                ".planning/milestones/v1.0-ROADMAP.md": ROADMAP,
                ".planning/milestones/v1.0-REQUIREMENTS.md": "- [x] **ROAD-01**: roads\n",
                ".planning/phases/01-foundation/01-RESEARCH.md": "- [ ] read the docs\n",
                ".planning/STATE.md": "# State\n\n- [ ] nothing\n",
            },
            [".planning/ROADMAP.md"],
            2,
        ),
    ],
)
def test_agent_plan_conventions_are_found_without_configuration(
    make_repo: MakeRepo,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    plans: list[str],
    tasks: int,
) -> None:
    root = make_repo(files)
    _config, detection = config_for_repo(root)
    assert detection is not None and detection.located.plans == plans
    capsys.readouterr()
    assert main(["check", "--repo", str(root), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["plans"], report["tasks"], report["findings"]) == (len(plans), tasks, [])


def test_task_next_says_why_checklist_items_without_ids_are_not_recommended(
    make_repo: MakeRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({".planning/ROADMAP.md": ROADMAP})
    capsys.readouterr()
    assert main(["task", "next", "--repo", str(root)]) == 0
    err = capsys.readouterr().err
    assert "1 open checklist item(s) have no ID" in err
    assert ".planning/ROADMAP.md:3 Ship the exporter" in err
