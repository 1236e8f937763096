"""Precondition 3, tooling offline: every command a plan or the config names as
required (`make test`, `tools/run.sh`, `python scripts/gen.py`) exists in the repo.

This reads commands a person wrote in a plan, not commands an agent is about to
run, so `shlex` is enough here; the guard's real shell parser is not needed.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

from charter.makefile import defines_target

MAKEFILES = ("GNUmakefile", "makefile", "Makefile")
# Interpreters whose first non-option argument is a script that must exist in the repo.
INTERPRETERS = frozenset(
    {
        "python",
        "python3",
        "py",
        "bash",
        "sh",
        "zsh",
        "pwsh",
        "powershell",
        "node",
        "deno",
        "bun",
        "ruby",
        "perl",
        "php",
        "Rscript",
        "tsx",
        "ts-node",
    }
)
# Repo-local places where project tools are installed without a download.
LOCAL_BIN = (".venv/bin", "venv/bin", "node_modules/.bin", "bin", "tools")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def missing_tooling(root: Path, command: str) -> str | None:
    """Why `command` cannot run from the repo as it stands, or None when it can."""
    try:
        words = shlex.split(command, comments=True)
    except ValueError as exc:
        return f"cannot read the command {command!r}: {exc}"
    while words and _ASSIGNMENT.match(words[0]):
        words.pop(0)  # VAR=value prefixes
    if not words:
        return f"the required command {command!r} is empty"
    program, args = words[0], words[1:]
    name = Path(program).name
    if name in ("make", "gmake"):
        return _missing_make(root, command, args)
    if _is_path(program):
        return _missing_script(root, command, program, direct=True)
    if name in INTERPRETERS or re.fullmatch(r"python3(\.\d+)?", name):
        script = next((a for a in args if not a.startswith("-")), None)
        if script is not None and _is_path(script) and script != "-":
            return _missing_script(root, command, script, direct=False)
    if _on_path(root, program):
        return None
    return f"{command!r}: {program} is neither in the repo nor installed on PATH"


def _is_path(word: str) -> bool:
    return "/" in word or word.endswith((".sh", ".py", ".ps1", ".js", ".mjs", ".ts", ".rb", ".pl"))


def _missing_script(root: Path, command: str, script: str, direct: bool) -> str | None:
    path = Path(script)
    if path.is_absolute():
        return f"{command!r}: {script} is outside the repo (required tooling must live in it)"
    full = (root / path).resolve()
    try:
        full.relative_to(root.resolve())
    except ValueError:
        return f"{command!r}: {script} is outside the repo (required tooling must live in it)"
    if not full.is_file():
        return f"{command!r}: {script} does not exist"
    if direct and os.name != "nt" and not os.access(full, os.X_OK):
        return f"{command!r}: {script} is not executable (chmod +x {script})"
    return None


def _missing_make(root: Path, command: str, args: list[str]) -> str | None:
    directory, makefile, targets = root, None, []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("-C", "--directory") and index + 1 < len(args):
            directory, index = root / args[index + 1], index + 2
            continue
        if arg in ("-f", "--file", "--makefile") and index + 1 < len(args):
            makefile, index = args[index + 1], index + 2
            continue
        if not arg.startswith("-") and not _ASSIGNMENT.match(arg):
            targets.append(arg)
        index += 1
    if shutil.which("make") is None and shutil.which("gmake") is None:
        return f"{command!r}: make is not installed"
    candidates = [makefile] if makefile else list(MAKEFILES)
    found = next((directory / c for c in candidates if (directory / c).is_file()), None)
    if found is None:
        where = (directory / makefile) if makefile else directory / "Makefile"
        return f"{command!r}: {_rel(root, where)} does not exist"
    text = found.read_text("utf-8", "replace")
    absent = [t for t in targets if not defines_target(text, t)]
    if absent:
        return f"{command!r}: {_rel(root, found)} has no target {', '.join(absent)}"
    return None


def _on_path(root: Path, program: str) -> bool:
    if any((root / d / program).is_file() for d in LOCAL_BIN):
        return True
    return shutil.which(program) is not None


def _rel(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
