"""The autonomy policy as frozen records, and its compiled (JSON) form.

`charter.guard.policy` builds a `Policy` from the frontmatter of
docs/agents/AUTONOMY.md; `compile_policy` turns it into the plain data the
guard caches and reads on every call (see `charter.guard.compiled`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

COMPILED_FORMAT = 1


@dataclass(frozen=True)
class Level:
    """One autonomy level. `allow` holds only its own rules; `Policy.chain` adds inherited ones."""

    name: str
    title: str
    description: str = ""
    inherits: str | None = None
    allow: tuple[str, ...] = ()
    # PowerShell scripts (`pwsh Tools/Run-Tests.ps1`) and cmdlets (`Get-ChildItem`)
    powershell: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    # what `charter session end` verifies: (requirement, its paths), see sessions/requirements.py
    requires_checks: tuple[tuple[str, tuple[str, ...]], ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    # (key, limit) as written; None lifts a limit the level would inherit
    budget: tuple[tuple[str, int | None], ...] = ()
    # None: the default, which is False for a level that inherits nothing (the observing
    # base of a chain) and True for a level that inherits another
    write_files: bool | None = None
    # None inherits; True lets commands reach the network (under `charter run`, in the
    # agents' sandboxes); `hosts` names the hosts an agent's sandbox may reach
    network: bool | None = None
    hosts: tuple[str, ...] = ()
    line: int = 0

    @property
    def writes_files(self) -> bool:
        """Whether the agents' file tools (Write, Edit, apply_patch) may write at this level."""
        return self.inherits is not None if self.write_files is None else self.write_files

    @property
    def label(self) -> str:
        if self.title and self.title != self.name:
            return f"{self.name} – {self.title}"
        return self.name


@dataclass(frozen=True)
class Policy:
    path: str
    default_level: str
    levels: tuple[Level, ...]
    deny: tuple[str, ...] = ()
    forbidden_paths: tuple[str, ...] = ()
    protected_paths: tuple[str, ...] = ()
    version: int = 1
    manifest: str = "on-request"  # "always": `charter run` writes a run manifest for every command
    require_clean_tree: bool = False  # evidence manifests must record a clean git tree (CH023)
    notify: str | tuple[str, ...] | None = None  # run with the escalation's JSON on stdin
    needs_decision_record: tuple[str, ...] = ()  # changes here need a new file under docs/adr/
    max_file_size_kb: int | None = None  # larger files may not be staged or tracked
    test_commands: tuple[str, ...] = ()  # argv prefixes whose failed runs count against a budget
    unprotected_paths: tuple[str, ...] = ()  # steering files (guard.protected) agents may write
    read_outside: tuple[str, ...] = ()  # paths outside the repository agents may read
    allow_outright: bool = False  # the Claude Code hook answers "allow", skipping its prompt
    sandbox: str = "auto"  # the OS sandbox of `charter run`: auto, required or off

    def network(self, name: str) -> tuple[bool, tuple[str, ...]]:
        """Whether commands at level `name` may reach the network, and the hosts listed."""
        allowed = False
        hosts: tuple[str, ...] = ()
        for level in self.chain(name):
            if level.network is not None:
                allowed = level.network
            if level.hosts:
                hosts = level.hosts
        return allowed, hosts if allowed else ()

    def level(self, name: str) -> Level:
        for level in self.levels:
            if level.name == name:
                return level
        raise KeyError(name)

    def chain(self, name: str) -> tuple[Level, ...]:
        """The level and everything it inherits, base level first."""
        chain: list[Level] = []
        current: str | None = name
        while current is not None:
            level = self.level(current)
            chain.append(level)
            current = level.inherits
        return tuple(reversed(chain))

    def budget(self, name: str) -> dict[str, int]:
        """The level's effective budget: its own limits over the ones it inherits."""
        limits: dict[str, int] = {}
        for level in self.chain(name):
            for key, value in level.budget:
                if value is None:
                    limits.pop(key, None)
                else:
                    limits[key] = value
        return limits


def compile_policy(policy: Policy) -> dict[str, Any]:
    """The JSON-ready form the guard reads: rules pre-split into tokens."""
    return {
        "format": COMPILED_FORMAT,
        "path": policy.path,
        "default_level": policy.default_level,
        "order": [level.name for level in policy.levels],
        "levels": {
            level.name: {
                "title": level.title,
                "inherits": level.inherits,
                "allow": [rule.split() for rule in level.allow],
                "powershell": [rule.split() for rule in level.powershell],
                "env": dict(level.env),
                "write_files": level.writes_files,
                "network": level.network,
                "hosts": list(level.hosts),
            }
            for level in policy.levels
        },
        "deny": [rule.split() for rule in policy.deny],
        "forbidden": list(policy.forbidden_paths),
        "protected": list(policy.protected_paths),
        "unprotected": list(policy.unprotected_paths),
        "read_outside": list(policy.read_outside),
        "allow_outright": policy.allow_outright,
        "manifest": policy.manifest,
        "budgets": {level.name: policy.budget(level.name) for level in policy.levels},
        "test_commands": [rule.split() for rule in policy.test_commands],
        "needs_decision_record": list(policy.needs_decision_record),
        "max_file_size_kb": policy.max_file_size_kb,
        "sandbox": policy.sandbox,
    }
