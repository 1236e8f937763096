"""Listing plans and logs: the fast walk finds exactly what `Path.glob` finds, or steps aside."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.config import Config
from charter.files import _walk, plan_listing, session_listing

TREE = (
    "docs/plans/a.md",
    "docs/plans/B.MD",
    "docs/plans/notes.txt",
    "docs/plans/.hidden.md",
    "docs/plans/.drafts/c.md",
    "docs/plans/x/y/z/deep.md",
    "docs/plans/a-b/c.md",
    "docs/plans/a/b.md",
    "docs/plans/dir.md/inside.md",
    "docs/ROADMAP.md",
    "README.md",
)
PATTERNS = (
    "docs/plans/**/*.md",
    "docs/plans/*.md",
    "docs/**/*.md",
    "**/*.md",
    "*.md",
    "docs/ROADMAP.md",
    "docs/plans/?.md",
    "docs/plans/[ab]*.md",
    "docs/plans/**/*",
    "docs/missing/**/*.md",
    "README.md/**/*.md",
)


def _tree(root: Path, files: tuple[str, ...] = TREE) -> None:
    for rel in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")


def _by_glob(root: Path, pattern: str) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.glob(pattern) if p.is_file())


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_walk_finds_what_glob_finds(tmp_path: Path, pattern: str) -> None:
    _tree(tmp_path)
    walked = _walk(tmp_path, pattern)
    assert walked is not None
    assert sorted(walked) == _by_glob(tmp_path, pattern)


@pytest.mark.parametrize(
    "pattern", ["docs/*/a.md", "docs/../docs/plans/*.md", "./docs/plans/*.md", "docs/plans/**"]
)
def test_patterns_the_walk_leaves_to_glob(tmp_path: Path, pattern: str) -> None:
    _tree(tmp_path)
    assert _walk(tmp_path, pattern) is None


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
@pytest.mark.parametrize(
    ("link", "target"),
    [("docs/plans/linked.md", "../ROADMAP.md"), ("docs/plans/folder", "x"), ("docs", "elsewhere")],
)
def test_a_link_on_the_way_hands_the_listing_to_glob(
    tmp_path: Path, link: str, target: str
) -> None:
    _tree(tmp_path)
    if link == "docs":
        (tmp_path / "docs").rename(tmp_path / "elsewhere")
    (tmp_path / link).symlink_to(target)
    assert _walk(tmp_path, "docs/plans/**/*.md") is None
    listed = [rel for rel, _ in plan_listing(Config(root=tmp_path))]
    # Placed where they really are, as before the fast walk existed.
    found = tmp_path.glob("docs/plans/**/*.md")
    expected = sorted({_real(tmp_path, p) for p in found if p.is_file()})
    assert listed == expected


def _real(root: Path, path: Path) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()


def test_session_logs_sort_as_paths_do(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        (
            "docs/agents/sessions/a-b/c.md",
            "docs/agents/sessions/a/b.md",
            "docs/agents/sessions/README.md",
            "docs/agents/sessions/2026/x.md",
        ),
    )
    listed = [rel for rel, _ in session_listing(Config(root=tmp_path))]
    folder = tmp_path / "docs/agents/sessions"
    expected = sorted(p for p in folder.rglob("*.md") if p.name != "README.md")
    assert listed == [p.relative_to(tmp_path).as_posix() for p in expected]
    assert listed.index("docs/agents/sessions/a/b.md") < listed.index(
        "docs/agents/sessions/a-b/c.md"
    )


_NAMES = st.sampled_from(["a", "b", "a-b", ".h", "x.md", "X.MD", "n.txt", "z1"])


@settings(max_examples=60, deadline=None)
@given(
    files=st.lists(st.lists(_NAMES, min_size=1, max_size=4), min_size=1, max_size=12),
    pattern=st.sampled_from((*PATTERNS[:5], "a/**/*.md", "*/x.md", "**/a", "b/*")),
)
def test_any_tree_any_pattern(
    tmp_path_factory: pytest.TempPathFactory, files: list[list[str]], pattern: str
) -> None:
    root = tmp_path_factory.mktemp("tree")
    made: set[str] = set()
    for parts in files:
        rel = "/".join(parts)
        # A name cannot be both a file and a folder.
        if any(rel.startswith(m + "/") or m.startswith(rel + "/") or m == rel for m in made):
            continue
        made.add(rel)
    _tree(root, tuple(made))
    walked = _walk(root, pattern)
    if walked is not None:
        assert sorted(walked) == _by_glob(root, pattern)
