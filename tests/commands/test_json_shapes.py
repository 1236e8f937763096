"""Every command that offers `--format json` prints one JSON object, and nothing else.

The commands are found in the CLI itself, so a new command with a JSON format
fails here until it is added to the table (and prints an object).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest

from charter.cli import _build_group, main
from tests.governed import git, write

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo"
SAMPLES = Path(__file__).resolve().parents[1] / "ingest" / "samples"

# command -> the arguments after it (before `--format json`), run in this order in one
# copy of the demo repository (a claim before its renewal and release, a session before
# its abort).
CALLS: dict[str, list[str]] = {
    "check": [],
    "detect": [],
    "gates": [],
    "overlap": [],
    "reconcile": ["--board", "docs/taskboard/TaskBoard.md"],
    "stats": [],
    "task show": ["ST-B-002"],
    "task next": [],
    "task claim": ["ST-R-001", "--agent", "alice"],
    "task claims": [],
    "task renew": ["ST-R-001", "--agent", "alice"],
    "task release": ["ST-R-001", "--agent", "alice"],
    "task set": ["ST-R-001", "--owner", "alice"],
    "task block": ["ST-R-001", "--reason", "waiting for the schema review"],
    "task done": ["ST-B-001", "--evidence", ".runs/ST-B-001/manifest.json"],
    "task review": ["ST-B-001"],
    "board": [],
    "handoff": [],
    "session status": [],
    "session start": ["ST-R-001", "--agent", "demo"],  # refused: a session is active
    "session check": [],  # the log is not filled in
    "session ingest": ["codex", str(SAMPLES / "codex-exec.jsonl")],
    "session export": ["-o", "bundle.json"],
    "session end": [],  # refused: the log is not filled in
    "session abort": ["--reason", "the demo is over"],
    "session import": ["bundle.json"],
    "escalate": ["--task", "ST-R-001", "--reason", "the schema needs a person"],
    "stop": ["--reason", "a person looks first"],
    "resume": ["--approved-by", "alice"],
    "export": ["claude-code", "--check"],  # the demo has no .claude/: out of date
    "init": ["--no-git-hooks", "--no-example"],  # everything exists: all kept
}


def _json_commands() -> set[str]:
    group = _build_group()
    ctx = click.Context(group)
    found: set[str] = set()

    def walk(command: click.Command, path: list[str]) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None:
                    walk(sub, [*path, name])
            return
        for param in command.params:
            choices = getattr(param.type, "choices", ())
            if "--format" in getattr(param, "opts", ()) and "json" in choices:
                found.add(" ".join(path))

    walk(group, [])
    return found


def test_the_table_names_every_command_with_a_json_format() -> None:
    assert _json_commands() == {*CALLS, "import"}


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "demo")
    monkeypatch.chdir(root)
    assert main(["board"]) == 0
    assert main(["session", "start", "ST-B-002", "--agent", "demo"]) == 0
    return root


def test_each_prints_one_object(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    shapes: dict[str, list[str]] = {}
    for command, args in CALLS.items():
        code = main([*command.split(), *args, "--format", "json"])
        out = capsys.readouterr().out
        assert code in (0, 1), f"{command}: exit {code}"
        printed = json.loads(out)
        assert isinstance(printed, dict), f"{command} printed {type(printed).__name__}"
        shapes[command] = sorted(printed)
    assert {"plans", "tasks", "errors", "warnings", "findings"} <= set(shapes["check"])
    assert shapes["task next"] == ["left_out", "tasks"]
    assert shapes["gates"] == ["gates"]
    assert {"errors", "warnings", "findings"} <= set(shapes["reconcile"])
    assert {"written", "out_of_date", "tasks"} <= set(shapes["board"])
    assert {"started", "failures", "briefing"} <= set(shapes["session start"])
    assert {"ended", "gaps", "written"} <= set(shapes["session end"])
    assert {"engaged", "already", "escalation"} <= set(shapes["stop"])
    assert {"resumed", "still_blocked"} <= set(shapes["resume"])
    assert {"created", "kept"} <= set(shapes["init"])
    assert shapes["export"] == ["files", "target"]
    for edit in ("task set", "task block", "task done", "task review"):
        assert shapes[edit] == ["board", "change", "plan", "task", "written"], edit


def test_a_task_edit_lists_the_plan_and_the_board_it_wrote(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["task", "block", "ST-R-001", "--reason", "waiting", "--format", "json"]) == 0
    edit = json.loads(capsys.readouterr().out)
    assert edit["plan"] == "docs/plans/release.md" and edit["board"] == "regenerated"
    assert edit["written"][0] == "docs/plans/release.md"
    assert "docs/taskboard/TaskBoard.md" in edit["written"]
    assert "Blocked" in (demo / "docs/taskboard/TaskBoard.md").read_text(encoding="utf-8")


def test_writers_say_what_they_wrote_and_refusals_why(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (demo / "docs/taskboard/TaskBoard.md").unlink()
    capsys.readouterr()
    assert main(["board", "--check", "--format", "json"]) == 1
    drift = json.loads(capsys.readouterr().out)
    assert drift["written"] == [] and "docs/taskboard/TaskBoard.md" in drift["out_of_date"]
    assert main(["board", "--format", "json"]) == 0
    wrote = json.loads(capsys.readouterr().out)
    assert wrote["written"] == ["docs/taskboard/TaskBoard.md"]
    csv_rows = (demo / "docs/taskboard/TaskBoard.csv").read_text(encoding="utf-8").count("\n")
    assert wrote["tasks"] == csv_rows - 1  # one row a task, under the header
    assert main(["session", "start", "ST-R-001", "--format", "json"]) == 1
    refused = json.loads(capsys.readouterr().out)
    assert refused["started"] is False and refused["session"] is None
    assert any(f["check"] == "session" for f in refused["failures"]), refused["failures"]
    assert main(["session", "end", "--format", "json"]) == 1
    gaps = json.loads(capsys.readouterr().out)
    assert gaps["ended"] is False and gaps["gaps"] and gaps["written"] == []
    assert all({"path", "line", "message"} <= set(gap) for gap in gaps["gaps"])


def test_check_counts_what_it_read_even_when_clean(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    main(["check", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    # what the text summary says on stderr: 2 plan(s), 9 task(s), 1 session log (the demo's)
    assert (report["plans"], report["tasks"], report["session_logs"]) == (2, 9, 1)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert report["errors"] == len(errors) and report["warnings"] == len(report["findings"]) - len(
        errors
    )
    assert main(["check", "--format", "json", "docs/plans/ingestion.md"]) in (0, 1)
    only = json.loads(capsys.readouterr().out)
    assert {f["path"] for f in only["findings"]} <= {"docs/plans/ingestion.md"}


def test_import_prints_one_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "repo"
    git(root.parent, "init", "-q", "-b", "main", str(root))
    write(root, "charter.toml", '[tool.charter]\npreset = "speckit"\n')
    source = write(tmp_path, "tasks.md", "# Tasks\n\n- [ ] T001 Set up\n- [x] T002 Parse\n")
    code = main(
        ["import", "speckit", str(source), "--dry-run", "--format", "json", "--repo", str(root)]
    )
    printed = json.loads(capsys.readouterr().out)
    assert code == 0 and isinstance(printed, dict) and printed["written"] is False


def test_init_lists_what_it_created_then_what_it_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "fresh"
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    capsys.readouterr()
    assert main(["init", str(root), "--no-git-hooks", "--format", "json"]) == 0
    first = json.loads(capsys.readouterr().out)
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert first["created"] and set(first["created"]) <= on_disk and first["kept"] == []
    assert main(["init", str(root), "--no-git-hooks", "--format", "json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["created"] == [] and "charter.toml" in again["kept"]  # nothing overwritten
