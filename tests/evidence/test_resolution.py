"""Evidence paths are placed by where they really lead: symlinks followed, `..` resolved.

CH004/CH005 resolve each evidence folder once and reuse it for every path
inside it; these cases pin that down against what the filesystem says.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from charter.config import load_config
from tests.conftest import MakeRepo, check_findings

# evidence path -> the code charter must report for a done task citing it (None: none)
CASES = [
    (".runs/a/m.json", None),
    (".runs/a/missing.json", "CH004"),
    ("./.runs//a/./m.json", None),
    ("alias/a/m.json", None),  # a link to a folder inside the repository
    ("alias/../.runs/a/m.json", None),  # `..` after a link: taken from the link's target
    ("escape/secret.txt", "CH005"),  # a link to a folder outside
    ("escape/../inside.txt", "CH005"),  # lexically inside, really outside
    (".runs/a/file-link.json", "CH005"),  # the file itself links outside
    ("loop/x.json", "CH005"),  # cannot be resolved
    ("../outside.txt", "CH005"),
    ("missing/../.runs/a/m.json", "CH004"),  # the OS cannot walk through `missing`
]


@pytest.fixture
def repo(make_repo: MakeRepo, tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("x")
    (tmp_path / "inside.txt").write_text("x")
    lines = ["---", "id: p", "title: P", "---"]
    for number, (path, _) in enumerate(CASES, 1):
        lines += [f"- [x] **EV-{number}** case", f"  - Evidence: `{path}`"]
    root = make_repo({"docs/plans/p.md": "\n".join(lines) + "\n", ".runs/a/m.json": "{}"})
    try:
        os.symlink(root / ".runs", root / "alias")
        os.symlink(outside, root / "escape")
        os.symlink(outside / "secret.txt", root / ".runs" / "a" / "file-link.json")
        os.symlink(root / "loop", root / "loop")
    except (OSError, NotImplementedError):
        pytest.skip("this filesystem cannot make symlinks")
    return root


def test_each_evidence_path_gets_the_code_its_real_location_calls_for(repo: Path) -> None:
    found = check_findings(load_config(repo))
    codes: dict[int, set[str]] = {}
    for d in found:
        if d.code in ("CH004", "CH005"):
            number = (d.line - 4) // 2  # case n: its task on line 3 + 2n, evidence on 4 + 2n
            codes.setdefault(number, set()).add(d.code)
    for number, (path, expected) in enumerate(CASES, 1):
        assert codes.get(number, set()) == ({expected} if expected else set()), path
