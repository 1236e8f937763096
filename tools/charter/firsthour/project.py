"""The project's own test command, read from the files that name it.

`charter init` puts these commands in the policy's L1 allow list and
`test_commands`, and runs them from the scaffold's `make test`, so an agent at
L1 can do its job (edit and test) on an ordinary repository without anyone
editing the policy first.
"""

from __future__ import annotations

import configparser
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TestCommand:
    command: str  # what `make test` runs
    allow: tuple[str, ...]  # the policy's allow rules (argv prefixes) for it
    source: str  # the file it was read from, for init's report


PYTEST = TestCommand("python -m pytest", ("pytest", "python -m pytest"), "")
NPM = TestCommand("npm test", ("npm test",), "")
CARGO = TestCommand("cargo test", ("cargo test",), "")
GO = TestCommand("go test ./...", ("go test",), "")


def detect_test_commands(root: Path) -> list[TestCommand]:
    """Every test command the repository's own files name, in a stable order."""
    found: list[TestCommand] = []
    python = _python_source(root)
    if python is not None:
        found.append(_from(PYTEST, python))
    if _npm_has_test(root / "package.json"):
        found.append(_from(NPM, "package.json"))
    if (root / "Cargo.toml").is_file():
        found.append(_from(CARGO, "Cargo.toml"))
    if (root / "go.mod").is_file():
        found.append(_from(GO, "go.mod"))
    return found


def _from(template: TestCommand, source: str) -> TestCommand:
    return TestCommand(template.command, template.allow, source)


def _python_source(root: Path) -> str | None:
    """The file that says this is a Python project tested with pytest, or None."""
    for name in ("pytest.ini", "conftest.py", "tox.ini"):
        if (root / name).is_file():
            return name
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
            data = {}
        project_like = "project" in data or "build-system" in data
        tool = data.get("tool", {})
        if project_like or (isinstance(tool, dict) and ("pytest" in tool or "poetry" in tool)):
            return "pyproject.toml"
    setup_cfg = root / "setup.cfg"
    if setup_cfg.is_file():
        parser = configparser.ConfigParser()
        try:
            parser.read(setup_cfg, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            return None
        if parser.has_section("metadata") or parser.has_section("tool:pytest"):
            return "setup.cfg"
    if (root / "setup.py").is_file():
        return "setup.py"
    return None


def _npm_has_test(package_json: Path) -> bool:
    """package.json with a real `scripts.test` (npm's placeholder `exit 1` script is not one)."""
    try:
        data = json.loads(package_json.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    scripts = data.get("scripts") if isinstance(data, dict) else None
    test = scripts.get("test") if isinstance(scripts, dict) else None
    return isinstance(test, str) and bool(test.strip()) and "no test specified" not in test
