"""charter.reporoot: one `find_root` for the guard (str, standard library only) and the rest
(`charter.io.find_root`, a Path)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from charter.io import find_root as path_find_root
from charter.reporoot import find_root

LAYOUTS: list[tuple[dict[str, str], str, str]] = [
    ({".git/HEAD": ""}, "a/b", "."),
    ({"charter.toml": "", ".git/HEAD": "", "sub/charter.toml": ""}, "sub/x", "sub"),
    ({"pyproject.toml": "[tool.charter]\n", "a/.git/HEAD": ""}, "a/b", "a"),
    ({"pyproject.toml": "[tool.charter]\n", "a/pyproject.toml": "[x]\n"}, "a/b", "."),
    ({"pyproject.toml": "[project]\n"}, "a", "NONE"),
]


@pytest.mark.parametrize(("files", "start", "expected"), LAYOUTS)
def test_the_nearest_marked_directory_is_the_root(
    tmp_path: Path, files: dict[str, str], start: str, expected: str
) -> None:
    base = tmp_path / "w"
    for name, text in files.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text(text, encoding="utf-8")
    (base / start).mkdir(parents=True, exist_ok=True)
    found = find_root(str(base / start))
    assert path_find_root(base / start) == Path(found)
    if expected != "NONE":
        assert Path(found) == (base / expected).resolve()
    else:  # no marker up to / (tmp_path holds none): the start itself
        assert found == str((base / start).resolve()) or Path(found) in (base / start).parents


def test_the_guards_context_loads_neither_charter_io_nor_pathlib() -> None:
    """The reason the one find_root lives here: charter.io costs the guard ~35 ms of CPU
    on every command (bench_guard, docs/DECISIONS.md)."""
    probe = (
        "import sys, charter.guard.context as c, charter.reporoot as r\n"
        "assert c.find_root is r.find_root\n"
        "print(sorted(m for m in ('charter.io', 'pathlib') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
