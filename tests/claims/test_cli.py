"""The claim commands and `task next` through the CLI, in a clone without a remote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charter.cli import main
from tests.claims.helpers import governed_clone


def test_claim_refuse_next_and_release(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = ["--repo", str(governed_clone(tmp_path))]
    assert main(["task", "claim", "PAR-1", "--agent", "alice", *repo]) == 0
    assert main(["task", "claim", "PAR-1", "--agent", "bob", *repo]) == 1
    assert "PAR-1: held by alice" in capsys.readouterr().err

    assert main(["task", "next", "--agent", "bob", "--format", "json", *repo]) == 0
    out = capsys.readouterr()
    next_up = json.loads(out.out)
    assert [t["id"] for t in next_up["tasks"]] == ["PAR-2", "PAR-3"]
    assert next_up["left_out"] == [{"id": "PAR-1", "agent": "alice"}]
    assert "left out 1 task(s) claimed by others: PAR-1 (alice)" in out.err
    assert main(["task", "next", "--agent", "alice", "--format", "json", *repo]) == 0
    assert [t["id"] for t in json.loads(capsys.readouterr().out)["tasks"]] == [
        "PAR-1",
        "PAR-2",
        "PAR-3",
    ]

    assert main(["task", "claim", "PAR-9", "--agent", "bob", *repo]) == 2  # no such task
    assert main(["task", "release", "PAR-1", "--agent", "alice", *repo]) == 0
    capsys.readouterr()
    assert main(["task", "claims", "--format", "json", *repo]) == 0
    assert json.loads(capsys.readouterr().out)["claims"] == []
