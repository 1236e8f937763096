"""The layering of docs/architecture.md holds: imports only go down, nothing imports in a circle.

Every import of charter's own modules counts, function-level ones included;
each function-level one must say why it is there (`# lazy: ...` on one of its lines).
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "tools" / "charter"
ARCHITECTURE = REPO_ROOT / "docs" / "architecture.md"
LAZY = re.compile(r"#\s*lazy:\s*\S")


@dataclass(frozen=True)
class Import:
    source: str  # importing module, e.g. charter.board.render
    target: str  # imported module, e.g. charter.templating
    line: int
    in_function: bool
    reason: bool  # the line says `# lazy: why`


def module_files(package: Path = PACKAGE) -> dict[str, Path]:
    modules = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str:
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    """Every import of a charter module in `path`, with where it sits."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []

    def add(target: str, node: ast.stmt, in_function: bool) -> None:
        target = _resolve(target, modules)
        if target != module:
            span = lines[node.lineno - 1 : (node.end_lineno or node.lineno)]
            reason = any(LAZY.search(line) for line in span)
            found.append(Import(module, target, node.lineno, in_function, reason))

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.split(".")[0] == "charter":
                        add(alias.name, child, in_function)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                if base.split(".")[0] == "charter":
                    for alias in child.names:
                        full = f"{base}.{alias.name}"
                        add(full if full in modules else base, child, in_function)
            visit(child, inner)

    visit(ast.parse(text, str(path)), False)
    return found


def all_imports(package: Path = PACKAGE) -> list[Import]:
    modules = module_files(package)
    return [imp for name, path in modules.items() for imp in imports_of(name, path, modules)]


def read_layering(text: str) -> dict[str, int]:
    """`name -> layer` from the table under `## Layering` (names relative to charter)."""
    section = text.split("\n## Layering", 1)[1].split("\n## ", 1)[0]
    layers: dict[str, int] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].isdigit():
            continue
        for name in re.findall(r"`([\w.]+)`", cells[1]):
            assert name not in layers, f"{name} appears twice in the layering table"
            layers[name] = int(cells[0])
    assert layers, "docs/architecture.md has no layering table under ## Layering"
    return layers


def layer_of(module: str, layers: dict[str, int]) -> int | None:
    """The layer of the longest table name that is `module` or a package holding it."""
    name = "charter" if module == "charter" else module.removeprefix("charter.")
    best: tuple[int, int] | None = None
    for entry, layer in layers.items():
        if (name == entry or name.startswith(entry + ".")) and (
            best is None or len(entry) > best[0]
        ):
            best = (len(entry), layer)
    return None if best is None else best[1]


def circles(imports: list[Import]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    edges: dict[str, set[str]] = {}
    for imp in imports:
        edges.setdefault(imp.source, set()).add(imp.target)
        edges.setdefault(imp.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def strong(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges[node]):
            if other not in index:
                strong(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(edges)))
    try:
        for node in sorted(edges):
            if node not in index:
                strong(node)
    finally:
        sys.setrecursionlimit(limit)
    return found


def upward(imports: list[Import], layers: dict[str, int]) -> list[str]:
    bad = []
    for imp in imports:
        source, target = layer_of(imp.source, layers), layer_of(imp.target, layers)
        if source is not None and target is not None and target > source:
            bad.append(
                f"{imp.source}:{imp.line} imports {imp.target} "
                f"(layer {target} above its own {source})"
            )
    return bad


LAYERS = read_layering(ARCHITECTURE.read_text(encoding="utf-8"))
IMPORTS = all_imports()


def test_every_module_has_a_layer() -> None:
    unplaced = [m for m in module_files() if layer_of(m, LAYERS) is None]
    assert unplaced == [], f"add these to the layering table of docs/architecture.md: {unplaced}"


def test_every_name_in_the_table_is_a_module() -> None:
    modules = module_files()
    stale = [n for n in LAYERS if ("charter" if n == "charter" else f"charter.{n}") not in modules]
    assert stale == []


def test_every_package_is_in_the_folder_table() -> None:
    """The map's folder table names every package, and every folder it names exists."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("\n## The folders", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(\w+)/`", section))
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert packages - named == set()
    assert [name for name in sorted(named) if not (PACKAGE / name).is_dir()] == []


def test_no_import_goes_up() -> None:
    assert upward(IMPORTS, LAYERS) == []


def test_no_import_circles() -> None:
    assert circles(IMPORTS) == []


def test_every_function_level_import_says_why() -> None:
    silent = [f"{i.source}:{i.line} {i.target}" for i in IMPORTS if i.in_function and not i.reason]
    assert silent == [], "function-level imports need a `# lazy: reason` on their line"


def documented_test_folders(text: str) -> set[str]:
    """The test folders docs/architecture.md's `## Tests` table names (those not named after
    a package folder)."""
    section = text.split("\n## Tests", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", section, re.M))


def stray_test_folders(tests: Path, package: Path, documented: set[str]) -> list[str]:
    """Test folders named after no package folder and not in the table; table rows naming no
    folder; folders with tests that are not packages."""
    folders = {p.name for p in tests.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    packages = {p.name for p in package.iterdir() if p.is_dir()}
    stray = [
        f"tests/{name}/ mirrors no package" for name in sorted(folders - packages - documented)
    ]
    stray += [f"tests/{name}/ is in the table but missing" for name in sorted(documented - folders)]
    stray += [
        f"tests/{name}/ holds tests but no __init__.py"
        for name in sorted(folders)
        if any((tests / name).glob("test_*.py")) and not (tests / name / "__init__.py").is_file()
    ]
    return stray


def test_tests_mirror_the_package() -> None:
    documented = documented_test_folders(ARCHITECTURE.read_text(encoding="utf-8"))
    assert stray_test_folders(REPO_ROOT / "tests", PACKAGE, documented) == []


def test_the_mirror_check_catches_a_stray_folder(tmp_path: Path) -> None:
    package, tests = tmp_path / "charter", tmp_path / "tests"
    for folder in (package / "board", tests / "board", tests / "misc", tests / "faults"):
        folder.mkdir(parents=True)
    (tests / "board" / "test_x.py").write_text("")
    assert stray_test_folders(tests, package, {"faults", "gone"}) == [
        "tests/misc/ mirrors no package",
        "tests/gone/ is in the table but missing",
        "tests/board/ holds tests but no __init__.py",
    ]


def test_shared_helpers_are_imported_by_their_full_name() -> None:
    """`from tests.guard.helpers import ...`, never `from .helpers import ...`: one way."""
    relative = [
        f"{path.relative_to(REPO_ROOT)}:{node.lineno}"
        for path in sorted((REPO_ROOT / "tests").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.level
    ]
    assert relative == []


def _loaded_on_import(path: Path) -> list[str]:
    """The modules importing `path` loads itself (imports inside functions wait for a call)."""
    names: list[str] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(child, ast.Import):
                names.extend(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and not child.level and child.module:
                names.append(child.module)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return names


def test_importing_state_loads_the_standard_library_only() -> None:
    """The guard reads `.charter/` on every decision: its state modules cost no third party."""
    modules = module_files()
    foreign = []
    seen: set[str] = set()
    todo = sorted(m for m in modules if m.startswith("charter.state"))
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        for name in _loaded_on_import(modules[module]):
            top = name.split(".")[0]
            if top == "charter":
                todo.append(_resolve(name, modules))
            elif top not in sys.stdlib_module_names and top != "__future__":
                foreign.append(f"{module} imports {name}")
    assert foreign == []


# -- the checks above can fail: a made-up package shows each of them firing -------------


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    package = tmp_path / "charter"
    (package / "low").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "low" / "__init__.py").write_text("")
    (package / "high.py").write_text("from charter.low import base\n")
    (package / "low" / "base.py").write_text(
        "def f():\n    from charter.high import g\n\n\ndef h():\n"
        "    from charter import high  # lazy: a reason\n"
    )
    return package


def test_the_checks_catch_an_upward_import_a_circle_and_a_silent_lazy_import(toy: Path) -> None:
    imports = all_imports(toy)
    layers = read_layering(
        "# x\n## Layering\n| layer | modules |\n|---|---|\n| 1 | `high` |\n"
        "| 0 | `charter`, `low` |\n"
    )
    assert [m for m in upward(imports, layers)] == [
        "charter.low.base:2 imports charter.high (layer 1 above its own 0)",
        "charter.low.base:6 imports charter.high (layer 1 above its own 0)",
    ]
    assert circles(imports) == [["charter.high", "charter.low.base"]]
    silent = [(i.line, i.reason) for i in imports if i.in_function]
    assert silent == [(2, False), (6, True)]
