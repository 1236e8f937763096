"""pandas and watchdog are optional extras: the base install has neither, and a command
that needs one says which extra to install, without a traceback."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from charter import DISTRIBUTION
from charter.extras import EXTRAS
from tests.conftest import REPO_ROOT

BLOCK = """
import sys
for name in {modules!r}:
    sys.modules[name] = None  # as if the extra were not installed: import raises ImportError
from charter.cli import main
sys.exit(main({args!r}))
"""


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "docs/plans").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "docs/plans/a.md").write_text("---\nid: A\ntitle: A\n---\n- [ ] **A-1** One\n")
    return root


@pytest.mark.parametrize(
    ("extra", "args"),
    [
        ("analytics", ["gates"]),
        ("analytics", ["stats"]),
        ("analytics", ["board", "--html", "site/board.html"]),
        ("watch", ["watch"]),
    ],
)
def test_a_command_without_its_extra_names_the_extra(
    tmp_path: Path, extra: str, args: list[str]
) -> None:
    root = _repo(tmp_path)
    code = BLOCK.format(modules=list(EXTRAS[extra]), args=[*args, "--repo", str(root)])
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=120
    )
    assert run.returncode == 2, run.stdout + run.stderr
    assert f"pip install '{DISTRIBUTION}[{extra}]'" in run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert not (root / "site/board.html").exists()


def test_the_base_install_needs_neither_extra_and_the_all_extra_has_both() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["name"] == DISTRIBUTION
    base = " ".join(project["dependencies"]).lower()
    for heavy in ("pandas", "numpy", "watchdog", "mdit-py-plugins"):
        assert heavy not in base
    extras = project["optional-dependencies"]
    assert any("pandas" in dep for dep in extras["analytics"])
    assert any("watchdog" in dep for dep in extras["watch"])
    assert extras["all"] == [f"{DISTRIBUTION}[analytics,watch,mcp]"]
    assert set(EXTRAS) <= set(extras)


def test_no_module_imports_mdit_py_plugins() -> None:
    sources = (REPO_ROOT / "tools" / "charter").rglob("*.py")
    assert [p for p in sources if "mdit_py_plugins" in p.read_text("utf-8")] == []
