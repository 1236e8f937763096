"""The rule registry, docs/rules/ and `charter check --help` stay in step."""

from __future__ import annotations

import re

import pytest

from charter.checks.registry import RULES
from charter.cli import main
from tests.conftest import REPO_ROOT

DOCS = REPO_ROOT / "docs" / "rules"


def test_codes_and_names_are_well_formed_and_unique() -> None:
    names = [r.name for r in RULES.values()]
    assert len(set(names)) == len(names)
    for code, rule in RULES.items():
        assert code == rule.code
        assert re.fullmatch(r"CH\d{3}", code)
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", rule.name)
        assert rule.summary and not rule.summary.endswith(".")


def test_every_rule_has_a_page_and_every_page_a_rule() -> None:
    pages = {p.stem for p in DOCS.glob("CH*.md")}
    expected = {f"{r.code}-{r.name}" for r in RULES.values()}
    assert pages == expected
    for rule in RULES.values():
        text = (DOCS / f"{rule.code}-{rule.name}.md").read_text(encoding="utf-8")
        assert text.startswith(f"# {rule.code} {rule.name}\n")
        for heading in (
            "**What it checks.**",
            "**Why it matters.**",
            "**Example that fails:**",
            "**Fix.**",
        ):
            assert heading in text, f"{rule.code}: missing {heading}"


def test_check_help_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--help"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    for rule in RULES.values():
        assert f"{rule.code} {rule.name}: {rule.summary}" in [line.strip() for line in lines]
