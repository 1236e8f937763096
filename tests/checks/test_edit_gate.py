"""Task edits are judged by the plan rules `charter check` runs, before anything is written."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from charter.checks.edit_gate import edit_validator
from charter.cli import _build_group
from charter.config import Config
from charter.errors import CharterError
from charter.tasks import edit
from tests.board.conftest import GovernedRepo

PARENT = """\
- [ ] **P-1** Parent
  - Status: Backlog
  - [ ] **P-2** Child
    - Status: Backlog
- [ ] **P-3** Other
  - Status: Backlog
"""


@pytest.fixture
def config(governed: GovernedRepo) -> Config:
    cfg = governed({"p.md": PARENT}, files={"proof.txt": "ok\n"})
    return cfg


def test_done_with_open_subtasks_is_refused_with_ch010s_message(config: Config) -> None:
    path = config.root / "docs/plans/p.md"
    before = path.read_bytes()
    with pytest.raises(CharterError, match="CH010 P-1 is done but has open subtasks: P-2"):
        edit.mark_done(config, "P-1", "proof.txt", validate=edit_validator(config))
    assert path.read_bytes() == before


def test_the_same_edit_is_accepted_once_the_subtask_is_done(config: Config) -> None:
    check = edit_validator(config)
    edit.mark_done(config, "P-2", "proof.txt", validate=check)
    edit.mark_done(config, "P-1", "proof.txt", validate=check)
    assert "[x] **P-1**" in (config.root / "docs/plans/p.md").read_text()


def test_reopening_a_subtask_of_a_done_parent_is_refused(config: Config) -> None:
    check = edit_validator(config)
    edit.mark_done(config, "P-2", "proof.txt", validate=check)
    edit.mark_done(config, "P-1", "proof.txt", validate=check)
    with pytest.raises(CharterError, match="CH010"):
        edit.set_status(config, "P-2", "In Progress", validate=check)


def test_a_problem_the_plan_already_had_does_not_block_other_edits(governed: GovernedRepo) -> None:
    bad = PARENT.replace(
        "- [ ] **P-1** Parent\n  - Status: Backlog", "- [x] **P-1** Parent\n  - Status: Done"
    )
    config = governed({"p.md": bad + "  - Evidence: `proof.txt`\n"}, files={"proof.txt": "ok\n"})
    edit.set_field(config, "P-3", "owner", "ann", validate=edit_validator(config))
    assert "Owner: ann" in (config.root / "docs/plans/p.md").read_text()


def test_the_cli_refuses_with_exit_2_and_writes_nothing(config: Config) -> None:
    path = config.root / "docs/plans/p.md"
    before = path.read_bytes()
    result = CliRunner().invoke(
        _build_group(),
        ["task", "done", "P-1", "--evidence", "proof.txt", "--repo", str(config.root)],
        standalone_mode=False,
    )
    assert isinstance(result.exception, CharterError)
    assert "was not changed" in str(result.exception)
    assert path.read_bytes() == before


def test_cr_only_line_endings_with_a_table_read_and_edit(governed: GovernedRepo) -> None:
    text = "# P\r\r| ID | Title | Status |\r|---|---|---|\r| T-5 | five | Backlog |\r"
    config = governed({"cr.md": text.encode()})
    from charter.repo import load_repo

    assert [t.id for t in load_repo(config).tasks()] == ["T-5"]
    edit.set_status(config, "T-5", "In Progress", validate=edit_validator(config))
    data = (config.root / "docs/plans/cr.md").read_bytes()
    assert data == text.replace("| Backlog |", "| In Progress |").encode()
