"""`charter overlap`: declared and changed files of claimed tasks, compared pairwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charter.claims import ops
from charter.claims.overlap import declared_paths, path_matches, patterns_overlap
from charter.cli import main
from tests.claims.helpers import governed_clone, run_git, worktree_of


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("src/parser/lex.py", "src/parser/**", True),
        ("src/parser/deep/x.py", "src/parser/**", True),
        ("src/other.py", "src/parser/**", False),
        ("docs/rules/CH001.md", "docs/rules/", True),
        ("docs/rulesets.md", "docs/rules/", False),
        ("docs/rules/CH001.md", "docs/rules", True),
        ("docs/parser.md", "docs/parser.md", True),
        ("docs/parser.mdx", "docs/parser.md", False),
        ("a/b.md", "*.md", True),
    ],
)
def test_path_matches(path: str, pattern: str, expected: bool) -> None:
    assert path_matches(path, pattern) is expected


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("src/parser/**", "src/**", True),
        ("src/parser/**", "src/parser/lex.py", True),
        ("src/parser/**", "src/lexer/**", False),
        ("docs/a.md", "docs/b.md", False),
        ("docs/", "docs/a.md", True),
        ("*.md", "src/x.py", True),  # conservative: a leading wildcard may match anything
    ],
)
def test_patterns_overlap_both_ways(first: str, second: str, expected: bool) -> None:
    assert patterns_overlap(first, second) is expected
    assert patterns_overlap(second, first) is expected


def test_declared_paths_split_on_commas_and_drop_backticks() -> None:
    assert declared_paths("`src/parser/**`, docs/rules/ ; README.md") == (
        "src/parser/**",
        "docs/rules/",
        "README.md",
    )


TOUCHES = "  - Priority: P1\n  - Touches: src/parser/**, docs/parser.md\n"


def test_two_worktrees_report_declared_and_changed_collisions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = governed_clone(tmp_path, 'claims = "local"\n')
    plan = root / "docs/plans/par.md"
    text = plan.read_text("utf-8")
    text = text.replace("  - Priority: P1\n", TOUCHES)
    text = text.replace("  - Priority: P2\n", "  - Priority: P2\n  - Touches: docs/\n")
    plan.write_text(text, "utf-8")
    run_git(root, "commit", "-qam", "touches")
    other = worktree_of(root, "wt-b")
    assert ops.claim(ops.Store(root, None), "PAR-1", "alice", "1h").ok
    assert ops.claim(ops.Store(other, None), "PAR-2", "bob", "1h").ok
    assert ops.claim(ops.Store(other, None), "PAR-3", "bob", "1h").ok  # declares nothing
    (other / "src/parser").mkdir(parents=True)
    (other / "src/parser/lex.py").write_text("x = 1\n", "utf-8")  # bob edits alice's area

    code = main(["overlap", "--repo", str(root), "--format", "json"])

    output = capsys.readouterr().out
    assert code == 1, output
    data = json.loads(output)
    assert [c["tasks"] for c in data["collisions"]] == [["PAR-1", "PAR-2"], ["PAR-1", "PAR-3"]]
    first, second = data["collisions"]
    assert {"kind": "both declare", "paths": ["docs/", "docs/parser.md"]} in first["reasons"]
    hit = {"kind": "second changed what the other declares", "paths": ["src/parser/lex.py"]}
    assert hit in first["reasons"] and hit in second["reasons"]


def test_no_collision_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = governed_clone(tmp_path, 'claims = "local"\n')
    assert ops.claim(ops.Store(root, None), "PAR-1", "alice", "1h").ok
    assert main(["overlap", "--repo", str(root)]) == 0
    assert "0 colliding pair(s) among 1 claimed task(s)" in capsys.readouterr().out
