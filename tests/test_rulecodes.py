"""Rule codes live in one table (charter.rulecodes): no other module spells one out."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from charter import rulecodes
from charter.checks.registry import RULES
from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "tools" / "charter"
TABLE = PACKAGE / "rulecodes.py"
CODE = re.compile(r"CH\d{3}")


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (they may name rules, as comments do)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def code_literals(path: Path) -> list[str]:
    """`file:line 'literal'` for each string literal (docstrings aside) holding a rule code."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skip = _docstrings(tree)
    return [
        f"{path.name}:{node.lineno} {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and CODE.search(node.value)
    ]


def test_no_module_but_the_table_spells_out_a_rule_code() -> None:
    found = [
        f"{path.relative_to(PACKAGE)}: {literal}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != TABLE
        for literal in code_literals(path)
    ]
    assert found == [], "use the constant from charter.rulecodes instead"


def test_the_literal_check_sees_strings_and_f_strings_but_not_docstrings(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""Rule CH001 in a docstring."""\n'
        "# CH002 in a comment\n"
        'A = "CH003"\n'
        "def f(x):\n"
        '    """CH004 in a docstring."""\n'
        '    return f"see CH005 for {x}"\n',
        encoding="utf-8",
    )
    assert code_literals(module) == ["m.py:3 'CH003'", "m.py:6 'see CH005 for '"]


def test_the_table_and_the_registry_hold_the_same_rules() -> None:
    assert {code: rule.name for code, rule in RULES.items()} == rulecodes.NAMES
    assert all(CODE.fullmatch(code) for code in rulecodes.NAMES)
    assert len(set(rulecodes.NAMES.values())) == len(rulecodes.NAMES)


def test_a_constants_name_is_its_rules_name() -> None:
    assert rulecodes.EVIDENCE_OUTSIDE_REPO == "CH005"
    assert rulecodes.name_of("CH005") == "evidence-outside-repo"
    assert rulecodes.name_of(rulecodes.AGENT_SANDBOX_WIDENED) == "agent-sandbox-widened"
