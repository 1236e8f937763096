"""Lossless task edits: only the bytes of the changed field change."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import pytest

from charter.config import Config
from charter.errors import CharterError
from charter.parse.plans import parse_plan
from charter.tasks import edit
from tests.board.conftest import PLAN, GovernedRepo

HEAD = "---\nid: p\ntitle: P\n---\n"


def plan_path(config: Config, name: str = "p.md") -> Path:
    return config.root / "docs" / "plans" / name


def changes(before: bytes, after: bytes) -> list[str]:
    """The edit as ndiff lines over byte lines (endings included): what changed, nothing else."""
    old = before.decode().splitlines(keepends=True)
    new = after.decode().splitlines(keepends=True)
    return [line for line in difflib.ndiff(old, new) if line[:1] in "+-"]


Edit = Callable[[Config], object]


@pytest.mark.parametrize(
    ("plan", "do", "expected"),
    [
        pytest.param(
            "- [ ] **A-1** Title\n  - Status: Backlog\n  - Owner: Ann\n",
            lambda c: edit.set_status(c, "A-1", "In Progress"),
            ["-   - Status: Backlog\n", "+   - Status: In Progress\n"],
            id="replace-status-value",
        ),
        pytest.param(
            "- [ ] **A-1** Title\n  - Owner: Ann\n  - Notes: keep\n\n- [ ] **A-2** Next\n",
            lambda c: edit.set_status(c, "A-1", "Review"),
            ["+   - Status: Review\n"],
            id="insert-after-last-field",
        ),
        pytest.param(
            "- [ ] **A-1** Title\n- [ ] **A-2** Next\n",
            lambda c: edit.set_status(c, "A-1", "Review"),
            ["+   - Status: Review\n"],
            id="insert-after-task-line-indent-plus-2",
        ),
        pytest.param(
            "1. [ ] **A-1** Title\n2. [ ] **A-2** Next\n",
            lambda c: edit.set_field(c, "A-1", "owner", "Bo"),
            ["+    - Owner: Bo\n"],
            id="ordered-list-content-column",
        ),
        pytest.param(
            "> - [ ] **A-1** Quoted task\n",
            lambda c: edit.set_field(c, "A-1", "Owner", "Bo"),
            ["+ >   - Owner: Bo\n"],
            id="blockquote",
        ),
        pytest.param(
            "- [ ] **A-1** Title\n    * **Owner:** Ann\n",
            lambda c: edit.set_field(c, "A-1", "priority", "P1"),
            ["+     * **Priority:** P1\n"],
            id="sibling-style-copied",
        ),
        pytest.param(
            "- [ ] **A-1** Title\n  - Acceptance: a long criterion\n    that wraps here\n- [ ] **A-2** x\n",
            lambda c: edit.set_field(c, "A-1", "owner", "Bo"),
            ["+   - Owner: Bo\n"],
            id="after-continuation-line",
        ),
        pytest.param(
            "- [ ] **A-1** Title\r\n  - Status: Backlog\r\n",
            lambda c: edit.set_field(c, "A-1", "owner", "Bo"),
            ["+   - Owner: Bo\r\n"],
            id="crlf-insert",
        ),
        pytest.param(
            "- [ ] **A-1** Title\n  - Status: Backlog",
            lambda c: edit.set_field(c, "A-1", "owner", "Bo"),
            ["-   - Status: Backlog", "+   - Status: Backlog\n", "+   - Owner: Bo"],
            id="no-final-newline",
        ),
        pytest.param(
            "- [ ] **A-1** Title\n  - Owner:\n",
            lambda c: edit.set_field(c, "A-1", "owner", "Bo"),
            ["-   - Owner:\n", "+   - Owner: Bo\n"],
            id="empty-value",
        ),
        pytest.param(
            "- [ ] **A-1** Title\n  - Status: Backlog\n",
            lambda c: edit.mark_done(c, "A-1", ".runs/ST-B-1/manifest.json"),
            [
                "- - [ ] **A-1** Title\n",
                "-   - Status: Backlog\n",
                "+ - [x] **A-1** Title\n",
                "+   - Status: Done\n",
                "+   - Evidence: `.runs/ST-B-1/manifest.json`\n",
            ],
            id="done-checklist",
        ),
        pytest.param(
            "- [X] **A-0** Old\n- [ ] **A-1** Title\n",
            lambda c: edit.mark_done(c, "A-1", ".runs/ST-B-1/manifest.json", "AB" * 32),
            [
                "- - [ ] **A-1** Title\n",
                "+ - [X] **A-1** Title\n",
                "+   - Evidence: `.runs/ST-B-1/manifest.json` (sha256: " + "ab" * 32 + ")\n",
            ],
            id="done-keeps-X-convention-no-status-added",
        ),
        pytest.param(
            "- [ ] **A-1** Title. Evidence: `old/path.txt`\n",
            lambda c: edit.mark_done(c, "A-1", ".runs/ST-B-1/manifest.json"),
            [
                "- - [ ] **A-1** Title. Evidence: `old/path.txt`\n",
                "+ - [x] **A-1** Title. Evidence: `.runs/ST-B-1/manifest.json`\n",
            ],
            id="inline-evidence-replaced",
        ),
        pytest.param(
            "- [x] **A-1** Title\n  - Status: Done\n",
            lambda c: edit.block(c, "A-1", "waiting on the vendor"),
            [
                "- - [x] **A-1** Title\n",
                "-   - Status: Done\n",
                "+ - [ ] **A-1** Title\n",
                "+   - Status: Blocked\n",
                "+   - Blocked reason: waiting on the vendor\n",
            ],
            id="block-unticks",
        ),
        pytest.param(
            "- [x] **A-1** Title\n  - Status: Done\n",
            lambda c: edit.set_status(c, "A-1", "Won't do"),
            ["-   - Status: Done\n", "+   - Status: Won't do\n"],
            id="dropped-leaves-checkbox",
        ),
        pytest.param(
            "| ID | Title | Owner | Status |\n|---|---|---|---|\n| A-1 | T | Ann | Backlog |\n",
            lambda c: edit.set_status(c, "A-1", "Done - 2026-01-02", owner="Bo"),
            ["- | A-1 | T | Ann | Backlog |\n", "+ | A-1 | T | Bo | Done - 2026-01-02 |\n"],
            id="table-cells-in-place",
        ),
        pytest.param(
            "| ID | Title | Owner | Status |\n|---|---|---|---|\n| A-1 | T |  | Backlog |\n",
            lambda c: edit.set_field(c, "A-1", "owner", "R|D"),
            ["- | A-1 | T |  | Backlog |\n", "+ | A-1 | T | R\\|D | Backlog |\n"],
            id="table-empty-cell-and-pipe",
        ),
        pytest.param(
            "| Done | ID | Title | Evidence |\n|---|---|---|---|\n| [ ] | A-1 | T | |\n",
            lambda c: edit.mark_done(c, "A-1", ".runs/ST-B-1/manifest.json"),
            ["- | [ ] | A-1 | T | |\n", "+ | [x] | A-1 | T | `.runs/ST-B-1/manifest.json` |\n"],
            id="table-checkbox-cell",
        ),
    ],
)
def test_edit_changes_only_the_field(
    governed: GovernedRepo, plan: str, do: Edit, expected: list[str]
) -> None:
    head = HEAD.replace("\n", "\r\n") if "\r\n" in plan else HEAD
    config = governed({"p.md": head + plan})
    before = plan_path(config).read_bytes()
    do(config)
    assert sorted(changes(before, plan_path(config).read_bytes())) == sorted(expected)


def test_bom_and_mixed_endings_survive(governed: GovernedRepo) -> None:
    text = "\ufeff" + HEAD + "- [ ] **A-1** T\r\n  - Status: Backlog\n  - Owner: Ann\r\n"
    config = governed({"p.md": text.encode()})
    edit.set_status(config, "A-1", "Review")
    after = plan_path(config).read_bytes()
    assert after == text.replace("Backlog", "Review").encode()


@pytest.mark.parametrize(
    ("do", "match"),
    [
        (lambda c: edit.set_status(c, "ST-B-11", "Done"), "did you mean ST-B-1, ST-B-10"),
        (lambda c: edit.set_status(c, "st-b-2", "Done"), "did you mean.*ST-B-2"),
        (lambda c: edit.set_status(c, "ST-B-2", "Someday maybe"), "unknown status"),
        (lambda c: edit.set_field(c, "ST-B-2", "colour", "red"), "unknown task field"),
        (lambda c: edit.set_field(c, "ST-B-2", "owner", "two\nlines"), "one line"),
        (lambda c: edit.mark_done(c, "ST-B-2", "no/such/file.json"), "does not exist"),
        (lambda c: edit.mark_done(c, "ST-B-2", "../outside.txt"), "outside the repository"),
        (lambda c: edit.mark_done(c, "ST-B-2", ".runs/ST-B-1/manifest.json", "abc"), "sha256"),
        (lambda c: edit.block(c, "ST-C-3", ""), "must not be empty"),
        (lambda c: edit.set_field(c, "ST-C-3", "priority", "P1"), "no Priority column"),
        # The value would read back as two fields: the edit is refused, not half-applied.
        (lambda c: edit.set_field(c, "ST-B-2", "owner", "Ann; Status: Done"), "refused"),
    ],
)
def test_refused_edits_leave_the_plan_untouched(
    governed: GovernedRepo, do: Edit, match: str
) -> None:
    config = governed()
    before = plan_path(config, "ingest.md").read_bytes()
    with pytest.raises(CharterError, match=match):
        do(config)
    assert plan_path(config, "ingest.md").read_bytes() == before


def test_duplicate_id_names_both_places(governed: GovernedRepo) -> None:
    config = governed(
        {"a.md": HEAD + "- [ ] **A-1** one\n", "b.md": HEAD + "\n- [ ] **A-1** two\n"}
    )
    with pytest.raises(CharterError) as info:
        edit.set_status(config, "A-1", "Done")
    assert "docs/plans/a.md:5" in str(info.value) and "docs/plans/b.md:6" in str(info.value)


def test_an_id_mentioned_only_in_depends_is_unknown(governed: GovernedRepo) -> None:
    config = governed({"a.md": HEAD + "- [ ] **A-1** one\n  - Depends: A-9\n"})
    with pytest.raises(CharterError, match="no task A-9"):
        edit.set_status(config, "A-9", "Done")


def test_edit_reads_back_through_the_parser(governed: GovernedRepo) -> None:
    config = governed()
    edit.mark_done(config, "ST-B-2", ".runs/ST-B-1/manifest.json", "0" * 64)
    edit.block(config, "ST-C-3", "needs a | pipe")
    edit.set_status(config, "ST-B-10", "In Progress", owner="Docs")
    plan = parse_plan("docs/plans/ingest.md", plan_path(config, "ingest.md").read_bytes(), config)
    tasks = {t.id: t for t in plan.walk()}
    assert tasks["ST-B-2"].checked and tasks["ST-B-2"].status == "Done"
    assert tasks["ST-B-2"].evidence[0].path == ".runs/ST-B-1/manifest.json"
    assert tasks["ST-B-2"].evidence[0].sha256 == "0" * 64
    assert tasks["ST-C-3"].status == "Blocked"
    assert tasks["ST-C-3"].value("blocked_reason") == r"needs a \| pipe"
    assert tasks["ST-B-10"].status == "In Progress" and tasks["ST-B-10"].owner == "Docs"
    assert not tasks["ST-B-10"].checked
    assert PLAN.count("\n") + 3 == plan_path(config, "ingest.md").read_text().count("\n")


def test_evidence_given_as_absolute_path_is_stored_relative(governed: GovernedRepo) -> None:
    config = governed()
    absolute = config.root / ".runs" / "ST-B-1" / "manifest.json"
    edit.mark_done(config, "ST-B-10", str(absolute))
    assert "- Evidence: `.runs/ST-B-1/manifest.json`" in plan_path(config, "ingest.md").read_text()


def test_invalid_utf8_plan_is_not_edited(governed: GovernedRepo) -> None:
    data = (HEAD + "- [ ] **A-1** caf\xe9\n").encode("latin-1")
    config = governed({"p.md": data})
    with pytest.raises(CharterError, match="not valid UTF-8"):
        edit.set_status(config, "A-1", "Done")
    assert plan_path(config).read_bytes() == data
