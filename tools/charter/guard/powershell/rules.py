"""The policy's `powershell` rules: scripts by path and cmdlets by name.

`pwsh Tools/Run-Tests.ps1` allows that script (with any arguments, as allow rules
are argv prefixes), `pwsh Tools/Run-Tests.ps1 -Fast` only with `-Fast` first,
`Get-ChildItem` the cmdlet. Backslashes are written as slashes; an alias is
refused in favour of its cmdlet's name, so a rule reads the same on every machine.
Native programs (`git`, `pytest`) keep their ordinary `allow` rules: PowerShell
runs them with the same argv.
"""

from __future__ import annotations

from charter.guard.powershell.cmdlets import ALIASES, REFUSED, SHELL_NAMES, is_cmdlet
from charter.guard.rules import TOKEN_CHARS


def normalize_rule(text: str) -> str:
    """The rule as the guard stores it: words single-spaced, backslashes as slashes."""
    return " ".join(text.replace("\\", "/").split())


def rule_problem(text: str) -> str | None:
    """Why `text` is not a valid `powershell` rule, or None."""
    tokens = normalize_rule(text).split()
    if not tokens:
        return "a rule must name a script or a cmdlet"
    first = tokens[0]
    for token in tokens[1:]:
        if not all(char in TOKEN_CHARS for char in token):
            return f"{token!r} holds shell syntax: rules are plain words"
    if first.lower() in SHELL_NAMES:
        if len(tokens) < 2 or not tokens[1].lower().endswith(".ps1"):
            return f"write `{first} PATH.ps1`: a rule for a script names its .ps1 file"
        script = tokens[1]
        segments = script.split("/")
        if script.startswith("/") or ":" in script or ".." in segments or "*" in script:
            return f"{script!r}: name the script by its path inside the repository"
        return None
    lowered = first.lower()
    if lowered in ALIASES:
        return f"{first!r} is an alias: write its cmdlet, {ALIASES[lowered]}"
    if not is_cmdlet(first):
        return (
            f"{first!r} is not a cmdlet (Verb-Noun) or `pwsh SCRIPT.ps1`: native programs "
            "are allowed by `allow` rules, which PowerShell calls also use"
        )
    if lowered in REFUSED:
        return f"{first} can never be allowed: it {REFUSED[lowered]}"
    return None
