"""`finish`: the one way a task is marked done, from the CLI and the MCP server alike."""

from __future__ import annotations

import pytest

from charter.evidence.digest import evidence_digest
from charter.parse.plans import parse_plan
from charter.tasks.done import finish
from tests.board.conftest import GovernedRepo

EVIDENCE = ".runs/ST-B-1/manifest.json"


@pytest.mark.parametrize(
    ("given", "hash_evidence", "expected"),
    [
        (None, True, "computed"),
        ("ab" * 32, True, "ab" * 32),
        ("AB" * 32, False, "ab" * 32),
        (None, False, None),
    ],
)
def test_finish_records_the_given_or_the_computed_digest(
    governed: GovernedRepo, given: str | None, hash_evidence: bool, expected: str | None
) -> None:
    config = governed()
    path = finish(config, "ST-B-2", EVIDENCE, given, hash_evidence=hash_evidence)
    if expected == "computed":
        expected = evidence_digest(config.root, EVIDENCE)
        assert expected is not None and len(expected) == 64
    plan = parse_plan("docs/plans/ingest.md", path.read_bytes(), config)
    (task,) = [t for t in plan.walk() if t.id == "ST-B-2"]
    assert task.checked and task.status == "Done"
    assert [(e.path, e.sha256) for e in task.evidence] == [(EVIDENCE, expected)]
