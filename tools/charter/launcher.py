"""How a committed agent config starts charter, with no path of this machine in it.

Agents run hook and server commands through a shell. The command is
`sh -c SCRIPT`: the script finds the repository from git (or the working
directory), runs the repository's own `.venv/bin/charter` when there is one,
else `charter` on PATH, and otherwise prints one line saying how to install
charter and exits with `missing_exit` (2 for a guard hook: a block, never a
pass). The same bytes on every machine and at every clone path, so
`charter export --check` is stable across a team.
"""

from __future__ import annotations

import shlex

INSTALL_HINT = "pip install charter, or create .venv in the repository"


def launcher_script(args: str, *, missing_exit: int) -> str:
    """The POSIX sh script that runs `charter ARGS` from wherever charter is installed.

    `args` is shell text appended after `charter`; `"$root"` in it is the repository root.
    """
    message = shlex.quote(f"charter is not installed here: {INSTALL_HINT}")
    return (
        'root="$(git rev-parse --show-toplevel 2>/dev/null || pwd)"; '
        f'if [ -x "$root/.venv/bin/charter" ]; then exec "$root/.venv/bin/charter" {args}; '
        f"elif command -v charter >/dev/null 2>&1; then exec charter {args}; "
        f"else echo {message} >&2; exit {missing_exit}; fi"
    )


def launcher_command(args: str, *, missing_exit: int) -> str:
    """`sh -c '...'`: the launcher as one shell command line (hooks take a string)."""
    return f"sh -c {shlex.quote(launcher_script(args, missing_exit=missing_exit))}"
