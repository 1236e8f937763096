"""What `charter init` did: the files it created and kept, its notes and actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class InitResult:
    root: Path
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # existed already: left as they were
    notes: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)  # appended lines, git config, hooks
    next_step: str = ""  # what to do next, for the command to print
