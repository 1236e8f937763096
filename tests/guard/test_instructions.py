"""The agents' instruction files: generated from the policy, short, and people's text kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from charter.guard.instructions import REGION, render_agents_md, render_import, render_section
from charter.guard.policy_model import Level, Policy
from charter.stamps import find_region

CODEX_AGENTS_MD_LIMIT = 32 * 1024


def charter(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "charter", *args], cwd=root, capture_output=True, text=True
    )


def policy(
    allow: tuple[str, ...] = ("make test",), forbidden: tuple[str, ...] = (".env",)
) -> Policy:
    return Policy(
        path="docs/agents/AUTONOMY.md",
        default_level="L1",
        levels=(
            Level(name="L0", title="Observe", allow=("git status",)),
            Level(name="L1", title="Edit", inherits="L0", allow=allow),
        ),
        deny=("git push --force",),
        forbidden_paths=forbidden,
    )


def test_the_section_says_what_the_policy_says() -> None:
    text = render_section(policy(allow=("make test", "pytest")))
    assert "`make test`, `pytest`, `git status`" in text  # the whole chain of L1, its own first
    assert "`git push --force`" in text and "`.env`" in text
    assert "`docs/agents/AUTONOMY.md`" in text
    assert "charter run -- CMD" in text and "next_task" in text


def test_a_huge_policy_stays_far_below_codex_limit() -> None:
    many = tuple(f"tool-{n} --with-a-long-option-name" for n in range(5000))
    text = render_agents_md(None, policy(allow=many, forbidden=many))
    assert len(text.encode("utf-8")) < CODEX_AGENTS_MD_LIMIT // 4
    assert "more (see the policy)" in text


def test_people_text_around_the_region_is_kept() -> None:
    mine = "# Our repo\n\nHand-written rules.\n"
    first = render_agents_md(mine, policy())
    assert first.startswith(mine) and find_region(first, REGION) is not None
    edited = first.replace("Hand-written rules.", "Hand-written rules, edited.")
    second = render_agents_md(edited, policy(allow=("make lint",)))
    assert "Hand-written rules, edited." in second and "`make lint`" in second
    assert second.count("charter:begin agent-instructions") == 1


def test_imports_are_added_once() -> None:
    assert render_import(None) == "@AGENTS.md\n"
    once = render_import("# Claude notes\n")
    assert once == "@AGENTS.md\n\n# Claude notes\n"
    assert render_import(once) == once


def test_export_instructions_follows_the_policy(tmp_path: Path) -> None:
    root = tmp_path / "r"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    assert charter(root, "init", ".").returncode == 0
    for rel in ("AGENTS.md", "CLAUDE.md", "GEMINI.md", ".cursor/rules/charter.mdc"):
        assert (root / rel).is_file(), rel
    assert charter(root, "export", "instructions", "--check").returncode == 0
    policy_file = root / "docs/agents/AUTONOMY.md"
    text = policy_file.read_text(encoding="utf-8")
    policy_file.write_text(
        text.replace("      - make test\n", "      - make test\n      - hatch test\n"),
        encoding="utf-8",
    )
    drift = charter(root, "export", "instructions", "--check")
    assert drift.returncode == 1 and "AGENTS.md" in drift.stderr
    written = charter(root, "export", "instructions")
    assert written.returncode == 0 and "AGENTS.md: written" in written.stderr
    assert "`hatch test`" in (root / "AGENTS.md").read_text(encoding="utf-8")
    assert "`hatch test`" in (root / ".cursor/rules/charter.mdc").read_text(encoding="utf-8")
    assert charter(root, "export", "instructions", "--check").returncode == 0
