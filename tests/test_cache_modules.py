"""A cached model is believed only while the code that parsed it is unchanged: the
parser fingerprint must cover every charter module the parsers import."""

from __future__ import annotations

import ast
from pathlib import Path

from charter import cache

CODE = Path(cache.__file__).resolve().parent
# The parsers' entry points: what `load_repo` calls to turn bytes into models.
ENTRY = ("parse/plans.py", "parse/sessions.py", "parse/handoff.py")
# Modules a parser imports that cannot change a model: errors and the rule codes' names.
NOT_PARSING = {"errors.py", "rulecodes.py", "__init__.py", "parse/__init__.py"}
# Covered, but what they import serves loading a configuration, not parsing a plan.
LEAVES = {"config.py"}


def _charter_imports(rel: str) -> set[str]:
    tree = ast.parse((CODE / rel).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            if not name.startswith("charter."):
                continue
            parts = name.split(".")[1:]
            for candidate in ("/".join(parts) + ".py", "/".join(parts) + "/__init__.py"):
                if (CODE / candidate).is_file():
                    found.add(candidate)
    return found


def _closure() -> set[str]:
    seen: set[str] = set()
    todo = list(ENTRY)
    while todo:
        rel = todo.pop()
        if rel in seen:
            continue
        seen.add(rel)
        if rel not in LEAVES:
            todo.extend(_charter_imports(rel) - seen)
    return seen


def test_the_parser_fingerprint_covers_every_module_the_parsers_import() -> None:
    missing = _closure() - set(cache.parser_modules()) - NOT_PARSING
    assert not missing, f"add to cache._PARSER_MODULES: {sorted(missing)}"


def test_every_parse_module_is_covered_and_exists() -> None:
    covered = cache.parser_modules()
    assert {"parse/task_parts.py", "parse/in_order.py"} <= set(covered)
    assert all((CODE / rel).is_file() for rel in covered)
