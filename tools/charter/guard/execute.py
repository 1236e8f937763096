"""How an allowed command runs: with exactly the semantics it was checked under.

An argv decision is executed as that argv (no shell); a string decision as
`bash -c STRING`. The environment loses the variables that would make bash run
code the guard never saw (BASH_ENV, exported functions, SHELLOPTS ...).
"""

from __future__ import annotations

import os
import shutil

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from charter.guard.decide import Decision

# Variables bash reads at start-up to run code, change parsing or reinterpret paths.
UNSAFE_ENV = frozenset(
    {
        "BASH_ENV",
        "ENV",
        "SHELLOPTS",
        "BASHOPTS",
        "CDPATH",
        "GLOBIGNORE",
        "IFS",
        "PROMPT_COMMAND",
        "PS4",
        "BASH_XTRACEFD",
        "EXECIGNORE",
        "POSIXLY_CORRECT",
        "TMOUT",
        "HISTFILE",
    }
)


def clean_env(env: Mapping[str, str]) -> dict[str, str]:
    return {
        key: value
        for key, value in env.items()
        if key not in UNSAFE_ENV and not key.startswith("BASH_FUNC_")
    }


def bash_path() -> str:
    # An absolute path: PATH may hold directories inside the repository.
    for candidate in ("/bin/bash", "/usr/bin/bash"):
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("bash")
    if found is None:
        raise FileNotFoundError("bash")
    return found


def exec_args(decision: Decision) -> list[str]:
    """The argv to execute for an allowed decision."""
    if not decision.allowed:
        raise ValueError("only an allowed decision is executed")
    source = decision.source
    if decision.mode == "argv":
        assert isinstance(source, list)
        return list(source)
    assert isinstance(source, str)
    if decision.mode == "pwsh":
        # no profile: a profile's functions could shadow the names the guard judged
        return [powershell_path(), "-NoProfile", "-NonInteractive", "-Command", source]
    return [bash_path(), "-c", source]


def powershell_path() -> str:
    found = shutil.which("pwsh") or shutil.which("powershell")
    if found is None:
        raise FileNotFoundError("pwsh")
    return found
