"""docs/guard.md: the worked example runs, and prints what the page says it prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import doc_block, run_doc_example

DOC = Path(__file__).resolve().parents[2] / "docs" / "guard.md"


def test_the_worked_example_prints_what_the_page_shows(tmp_path: Path) -> None:
    if not Path("/bin/bash").exists():
        pytest.skip("the example is a bash session")
    script = doc_block(DOC, "example: guard-demo")
    expected = doc_block(DOC, "output: guard-demo")
    assert run_doc_example(script, tmp_path) == expected


def test_the_page_lists_every_hook_agent() -> None:
    from charter.guard.hooks import AGENTS

    text = DOC.read_text(encoding="utf-8")
    for agent in AGENTS:
        assert f"--hook {agent}" in text


def test_the_page_lists_every_program_the_guard_reads() -> None:
    from charter.guard.grammar.judge import _HANDLERS
    from charter.guard.grammar.tables import GRAMMARS

    text = DOC.read_text(encoding="utf-8")
    missing = [key for key in {*GRAMMARS, *_HANDLERS} if f"`{key}`" not in text]
    assert missing == []


def test_the_argument_example_prints_what_the_page_shows(tmp_path: Path) -> None:
    if not Path("/bin/bash").exists():
        pytest.skip("the example is a bash session")
    script = doc_block(DOC, "example: guard-args")
    expected = doc_block(DOC, "output: guard-args")
    assert run_doc_example(script, tmp_path) == expected


def test_the_page_lists_every_policy_key() -> None:
    from charter.guard.policy import _LEVEL_KEYS, _TOP_KEYS

    # the guard's page, and the evidence page for the keys about run manifests
    text = DOC.read_text(encoding="utf-8") + (DOC.parent / "evidence.md").read_text("utf-8")
    keys = (*_TOP_KEYS, *_LEVEL_KEYS)
    missing = [key for key in keys if f"`{key}`" not in text and f"\n{key}:" not in text]
    missing = [key for key in missing if f" {key}:" not in text]
    assert not missing, f"docs/guard.md does not describe the policy keys {missing}"


def test_the_page_lists_every_protected_file() -> None:
    from charter.guard.protected import CORE, STEERING

    section = DOC.read_text(encoding="utf-8").split("## Protected files", 1)[1]
    section = section.split("\n## ", 1)[0]
    missing = [pattern for pattern in (*CORE, *STEERING) if f"`{pattern}`" not in section]
    assert not missing, f"docs/guard.md, Protected files, does not list {missing}"


def test_the_powershell_example_prints_what_the_page_shows(tmp_path: Path) -> None:
    if not Path("/bin/bash").exists():
        pytest.skip("the example is a bash session")
    script = doc_block(DOC, "example: guard-powershell")
    expected = doc_block(DOC, "output: guard-powershell")
    assert run_doc_example(script, tmp_path) == expected


def test_the_network_example_prints_what_the_page_shows(tmp_path: Path) -> None:
    if not Path("/bin/bash").exists():
        pytest.skip("the example is a bash session")
    script = doc_block(DOC, "example: guard-network")
    expected = doc_block(DOC, "output: guard-network")
    assert run_doc_example(script, tmp_path) == expected
