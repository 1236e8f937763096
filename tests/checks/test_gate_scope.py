"""The edit gate's scoped reading (the plan and the files sharing its IDs) finds the errors a
check of the whole repository finds in the edited plan, before and after the edit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from charter.checks.edit_gate import _errors, edit_validator
from charter.checks.engine import enabled_rules
from charter.checks.gate_scope import scoped_errors
from charter.config import Config
from charter.errors import CharterError
from charter.model import Diagnostic
from charter.repo import load_repo
from charter.tasks import edit
from charter.tasks.edit import EditedPlan
from tests.board.conftest import GovernedRepo

PLAN_A = """\
---
id: PA
title: Plan A
---
- [ ] **PA-1** Parent
  - Status: Backlog
  - [ ] **PA-2** Child
    - Status: Backlog
- [ ] **PA-3** Mirrored task
  - Status: Backlog
- [ ] **PA-4** Depends on another plan
  - Status: Backlog
  - Depends: PB-1

| ID | Title | Status |
|---|---|---|
| PA-5 | A row | Backlog |
"""

PLAN_B = """\
---
id: PB
title: Plan B
---
- [ ] **PB-1** Mentions PA-3 in its title
  - Status: In Progress
"""

MIRROR = "- [ ] **PA-3** Mirrored task\n"

Scoped = tuple[list[Diagnostic], list[Diagnostic]] | None


@pytest.fixture
def config(governed: GovernedRepo) -> Config:
    return governed(
        {"a.md": PLAN_A, "b.md": PLAN_B},
        config='mirrors = ["docs/mirror.md"]\n',
        files={"proof.txt": "ok\n", "docs/mirror.md": MIRROR},
    )


def _both(config: Config, seen: list[tuple[Scoped, Scoped]]) -> edit.Validator:
    rules = [r for r in enabled_rules(config) if r.world_check is None]

    def validate(edited: EditedPlan) -> None:
        scoped = scoped_errors(config, rules, edited, date.today())
        repo = load_repo(config)
        full = (_errors(rules, repo, edited.before), _errors(rules, repo, edited.after))
        seen.append((scoped, full))

    return validate


EDITS: list[tuple[str, Callable[[Config, edit.Validator], object], bool]] = [
    (
        "parent done, child open",
        lambda c, v: edit.mark_done(c, "PA-1", "proof.txt", validate=v),
        True,
    ),
    ("checkbox and status", lambda c, v: edit.set_status(c, "PA-2", "Review", validate=v), True),
    ("mirrored task done", lambda c, v: edit.mark_done(c, "PA-3", "proof.txt", validate=v), True),
    ("table row status", lambda c, v: edit.set_status(c, "PA-5", "Blocked", validate=v), True),
    ("owner", lambda c, v: edit.set_field(c, "PA-4", "owner", "ann", validate=v), True),
    ("a dependency", lambda c, v: edit.set_field(c, "PA-3", "depends", "PZ-9", validate=v), False),
]


@pytest.mark.parametrize(("name", "change", "scoped"), EDITS, ids=[e[0] for e in EDITS])
def test_the_scoped_reading_finds_what_the_whole_repository_finds(
    config: Config, name: str, change: Callable[[Config, edit.Validator], object], scoped: bool
) -> None:
    seen: list[tuple[Scoped, Scoped]] = []
    change(config, _both(config, seen))
    ((found, full),) = seen
    if scoped:
        assert found is not None and found == full
        if name == "parent done, child open":
            assert [d.code for d in found[1]] == ["CH010"]
    else:  # a changed dependency: the whole repository is read (CH006, CH007 compare files)
        assert found is None


def test_the_gate_refuses_with_the_rule_s_message(config: Config) -> None:
    before = (config.root / "docs/plans/a.md").read_bytes()
    with pytest.raises(CharterError, match="CH010"):
        edit.mark_done(config, "PA-1", "proof.txt", validate=edit_validator(config))
    assert (config.root / "docs/plans/a.md").read_bytes() == before
