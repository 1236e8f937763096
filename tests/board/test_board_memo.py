"""The no-op fast path: a current board is recognised without parsing, and never wrongly."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from charter.board.regenerate import regenerate_board
from charter.config import load_config
from charter.errors import CharterError
from tests.board.conftest import PLAN, GovernedRepo

MD = "docs/taskboard/TaskBoard.md"

PROBE = """
import sys
from charter.board.regenerate import regenerate_board
from charter.config import load_config
result = regenerate_board(load_config(), check={check})
parsed = "charter.parse.plans" in sys.modules
print(result.rows, result.up_to_date, parsed, "jinja2" in sys.modules)
"""


def probe(root: object, check: bool = False) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(check=check)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


def test_current_board_is_recognised_without_parsing(governed: GovernedRepo) -> None:
    config = governed()
    regenerate_board(config)
    assert probe(config.root) == "5 True False False"  # no parser, no template engine
    assert probe(config.root, check=True) == "5 True False False"
    (config.root / "docs/plans/ingest.md").write_text(PLAN.replace("Write the", "Draft the"))
    # The plan is parsed; charter's own template is written without Jinja2 (board.fastmd).
    assert probe(config.root, check=True) == "5 False True False"


def test_same_size_edit_with_the_old_mtime_is_still_seen(governed: GovernedRepo) -> None:
    config = governed()
    regenerate_board(config)
    plan = config.root / "docs/plans/ingest.md"
    stat = plan.stat()
    plan.write_text(PLAN.replace("| QA | Backlog |", "| QA | Blocked |"))  # same length
    assert plan.stat().st_size == stat.st_size
    os.utime(plan, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = regenerate_board(config)
    assert (
        result.changed
        and "| ST-C-3 | Table task | QA |"
        in ((config.root / MD).read_text().split("## Blocked")[1])
    )


@pytest.mark.parametrize("change", ["config", "template", "board"])
def test_other_inputs_invalidate_the_record(governed: GovernedRepo, change: str) -> None:
    config = governed()
    regenerate_board(config)
    if change == "config":
        (config.root / "charter.toml").write_text(
            'columns = ["Backlog", "In Progress", '
            '"Review", "Blocked", "Done", "Dropped", '
            '"Parked"]\n'
        )
        config = load_config(config.root)
        expected = "## Parked (0)"
    elif change == "template":
        (config.root / "templates").mkdir()
        (config.root / "templates/board.md.j2").write_text("# Ours\n")
        expected = "# Ours"
    else:
        (config.root / MD).unlink()
        expected = "# Task board"
    assert regenerate_board(config).changed
    assert expected in (config.root / MD).read_text()


def test_no_record_after_a_forced_run_over_an_unreadable_plan(governed: GovernedRepo) -> None:
    config = governed()
    regenerate_board(config)
    (config.root / "docs/plans/ingest.md").write_text("---\nid: x\n- [ ] **ST-B-1** half\n")
    regenerate_board(config, force=True)
    with pytest.raises(CharterError, match="may not have been read"):
        regenerate_board(config)
