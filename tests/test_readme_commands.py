"""The README's command table lists every command `charter --help` offers, and the export row
every export target: a new command cannot ship undocumented."""

from __future__ import annotations

import re
from pathlib import Path

from charter.cli import COMMANDS
from charter.commands.export import TARGETS

README = Path(__file__).resolve().parents[1] / "README.md"


def command_cells() -> list[str]:
    """Every `charter ...` code span in the first cell of the command table's rows."""
    text = README.read_text(encoding="utf-8")
    cells = [m.group(1) for m in re.finditer(r"^\| (`charter .*?`) \|", text, re.MULTILINE)]
    return [span for cell in cells for span in re.findall(r"`charter ([^`]+)`", cell)]


def test_every_command_has_a_row() -> None:
    documented = set()
    for cell in command_cells():
        first = cell.split()[0]
        documented.update(first.split("\\|"))
    assert sorted({*COMMANDS, "guard"} - documented) == []


def test_the_export_row_names_every_target() -> None:
    row = next(cell for cell in command_cells() if cell.startswith("export "))
    targets = row.split()[1].split("\\|")
    assert sorted(targets) == sorted(TARGETS)
