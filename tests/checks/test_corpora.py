"""`charter check` over real governance corpora: no crash, and findings that are really there."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

from charter.config import config_from_table
from charter.model import Diagnostic
from charter.repo import load_repo
from tests.conftest import CORPORA, check_findings

CONFIGS = Path(__file__).resolve().parents[1] / "corpora"
NAMES = sorted(p.stem for p in CONFIGS.glob("*.toml"))


def check_corpus(name: str) -> tuple[int, list[Diagnostic]]:
    root = CORPORA / name
    if not root.is_dir():
        pytest.skip(f"corpus {name} is not present beside the repository (../shared/corpora)")
    source = CONFIGS / f"{name}.toml"
    config = config_from_table(root, tomllib.loads(source.read_text()), source)
    repo = load_repo(config, use_cache=False)
    return sum(1 for _ in repo.tasks()), check_findings(repo.config)


@pytest.mark.parametrize("name", NAMES)
def test_corpus_checks_without_crashing(name: str) -> None:
    tasks, diagnostics = check_corpus(name)
    assert all(d.path and d.line >= 1 and d.col >= 1 for d in diagnostics)
    print(name, tasks, "tasks", dict(Counter(d.code for d in diagnostics)))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # A YAML list item holding ": " (real YAML error) in a spec's frontmatter.
        (
            "Kbediako__CO",
            (
                "tasks/specs/1199-coordinator-symphony-aligned-orchestrator-resume-"
                "token-validation-extraction.md",
                15,
                "CH001",
            ),
        ),
        # Evidence that lives on the author's machine, not in the repo.
        (
            "Kbediako__CO",
            (
                ".agent/task/1318-coordinator-symphony-current-linear-operational-parity.md",
                19,
                "CH005",
            ),
        ),
        # The same issue ID opening several checklist items of one file.
        (
            "Kbediako__CO",
            ("tasks/tasks-linear-991643b6-0043-49b8-9411-33b6de78e421.md", 14, "CH002"),
        ),
        # Cursor rule files whose frontmatter is not valid YAML (globs: **/*).
        ("0xfauzi__testcraft", (".cursor/rules/taskmaster/dev_workflow.mdc", 3, "CH001")),
    ],
)
def test_real_findings(name: str, expected: tuple[str, int, str]) -> None:
    _, diagnostics = check_corpus(name)
    assert expected in [(d.path, d.line, d.code) for d in diagnostics]
