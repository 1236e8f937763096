"""The real corpora in ../shared/corpora, each with its preset (tests/adoption/corpora/*.toml).

Each corpus is copied to a temporary directory (the shared folder is never
written), then `charter check`, `charter board`, `charter reconcile` and the
importers that apply run through the command line, as a user would run them.
The assertions name findings a person can look up in the corpus.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from charter.cli import main
from charter.config import load_config
from charter.repo import load_repo
from tests.adoption.helpers import CORPORA, CORPUS_CONFIGS

NAMES = sorted(p.stem for p in CORPUS_CONFIGS.glob("*.toml"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name -> a writable copy of the corpus with its test configuration as charter.toml."""
    copies: dict[str, Path] = {}
    for name in NAMES:
        source = CORPORA / name
        if not source.is_dir():
            continue
        root = tmp_path_factory.mktemp("corpus") / name
        shutil.copytree(source, root)
        shutil.copyfile(CORPUS_CONFIGS / f"{name}.toml", root / "charter.toml")
        copies[name] = root
    return copies


def copy_of(corpus: dict[str, Path], name: str) -> Path:
    if name not in corpus:
        pytest.skip(f"corpus {name} is not available: these tests read ../shared/corpora")
    return corpus[name]


def run_json(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int, object]:
    capsys.readouterr()
    code = main([*args, "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def check(capsys: pytest.CaptureFixture[str], root: Path) -> list[dict[str, object]]:
    code, found = run_json(capsys, ["check", "--repo", str(root), "--no-cache"])
    assert code in (0, 1), "charter check did not run to completion"
    assert isinstance(found, dict) and isinstance(found["findings"], list)
    return found["findings"]


def has(found: list[dict[str, object]], path: str, line: int, code: str, text: str = "") -> bool:
    return any(
        d["path"] == path and d["line"] == line and d["code"] == code and text in str(d["message"])
        for d in found
    )


def test_testcraft_task_master_imports_with_its_stale_copies_reported(
    corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_of(corpus, "0xfauzi__testcraft")
    code, report = run_json(
        capsys,
        ["import", "taskmaster", str(root / ".taskmaster/tasks/tasks.json"), "--repo", str(root)],
    )
    assert code == 0 and isinstance(report, dict)
    assert [f["tasks"] for f in report["files"]] == [145]  # 34 tasks, 111 subtasks
    stale = [(d["path"], d["line"]) for d in report["diagnostics"]]
    # task_034.txt still says "pending" for eight subtasks tasks.json marks done or in-progress.
    assert stale == [
        (".taskmaster/tasks/task_034.txt", n) for n in (29, 38, 46, 54, 63, 71, 82, 91)
    ]
    repo = load_repo(load_config(root), use_cache=False)
    tasks = repo.task_index()
    assert tasks["TM-24.7"][0].depends == ("TM-24.3", "TM-24.4", "TM-24.5")  # ints: siblings
    assert tasks["TM-1.4"][0].depends == ("TM-1.1", "TM-1.2")  # "1.1" strings
    assert check(capsys, root) == []


def test_kbediako_evidence_checklists(
    corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_of(corpus, "Kbediako__CO")
    found = check(capsys, root)
    # An evidence path on another machine, and tech-spec frontmatter YAML cannot read.
    assert has(
        found,
        "tasks/tasks-co-361-first-post-v0-2-0-release-prep.md",
        11,
        "CH005",
        "/Users/kbediako/Code/CO-co361-release",
    )
    assert has(
        found,
        "tasks/specs/1318-coordinator-symphony-current-linear-operational-parity.md",
        18,
        "CH001",
        "invalid YAML",
    )
    # Done items whose Evidence: names a manifest the repository does not hold.
    assert sum(d["code"] == "CH004" for d in found) > 500
    # The .agent/task copies and docs/TASKS.md agree with the task lists: no CH018.
    assert not [d for d in found if d["code"] == "CH018"]
    repo = load_repo(load_config(root), use_cache=False)
    assert sum(1 for _ in repo.tasks()) > 900


def test_zero_x_infinity_role_sessions(
    corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_of(corpus, "gjwang__zero_x_infinity")
    found = check(capsys, root)
    # QA reopened TC-P0-07 ("STILL FAIL") after the final report marked it fixed.
    assert has(
        found,
        "docs/agents/sessions/shared/qa-verification-rejected.md",
        247,
        "CH018",
        "0x0B-transfer-final-approved.md:79",
    )
    # Spaces after a row's last pipe end the row as the pipe does: no shape error.
    assert not has(found, "docs/agents/sessions/qa/0x0B-transfer-p0-test-report.md", 22, "CH015")
    # "✅ Stable": the ✅ says done (a default status phrase), so the status is known.
    assert not has(
        found, "docs/agents/sessions/qa/0x0B-transfer-final-approved.md", 73, "CH008", "Stable"
    )
    repo = load_repo(load_config(root), use_cache=False)
    tasks = repo.task_index()
    # IDs in HTML comments (`<!-- id: 9 -->`), nested under their parent.
    assert tasks["9"][0].parent == "8" and tasks["9"][0].path.endswith("developer/current-task.md")
    # A Chinese status column: 待修复 (to fix).
    assert tasks["SEC-001"][0].status == "待修复"


def test_codex_telegram_bot_handoff_is_a_plan(
    corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_of(corpus, "michalptacnik__codex-telegram-bot")
    assert check(capsys, root) == []
    repo = load_repo(load_config(root), use_cache=False)
    tasks = repo.task_index()
    assert tasks["#93"][0].depends == ("#79", "#84")  # EPIC 10 after EPIC 7 + EPIC 8
    parity = tasks["#102"][0]  # the parity matrix's Issue column holds issue numbers
    assert (parity.path, parity.value("notes")[:22]) == (
        "docs/parity_matrix_openclaw.md",
        "`ResponsesApiProvider.",
    )
    # The issue seeds are not `gh issue list` output: every seed lacks a number.
    code, report = run_json(
        capsys,
        [
            "import",
            "github",
            str(root / "docs/issue_seeds/telegram_parity_issues.json"),
            "--repo",
            str(root),
            "--dry-run",
        ],
    )
    assert code == 1 and isinstance(report, dict) and report["files"] == []
    assert {d["code"] for d in report["diagnostics"]} == {"GH001"}
    assert len(report["diagnostics"]) == 10


@pytest.mark.parametrize("name", NAMES)
def test_the_generated_board_reconciles_with_its_plans(
    corpus: dict[str, Path], capsys: pytest.CaptureFixture[str], name: str
) -> None:
    root = copy_of(corpus, name)
    if name == "0xfauzi__testcraft" and not (root / "docs/plans").exists():
        main(
            [
                "import",
                "taskmaster",
                str(root / ".taskmaster/tasks/tasks.json"),
                "--repo",
                str(root),
            ]
        )
    assert main(["board", "--repo", str(root)]) == 0
    rows = (root / "docs/taskboard/TaskBoard.csv").read_text(encoding="utf-8").count("\n")
    assert rows > 1
    # Read back by the hand-kept-board reader, charter's own board agrees with the plans:
    # every row is a task, every task with an ID a row, every status and fact the same.
    code, found = run_json(capsys, ["reconcile", "--repo", str(root)])
    assert isinstance(found, dict)
    assert (code, found["findings"], found["errors"]) == (0, [], 0)
