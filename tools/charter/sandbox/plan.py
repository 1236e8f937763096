"""What the OS sandbox must enforce for one command: read from the policy, the level and the tree.

Forbidden and protected patterns are globs (charter.guard.paths); the kernel
needs concrete paths, so the repository is walked once per run to find what
matches now (charter.sandbox.tree keeps what it found per directory). A
directory that matches is taken whole and not entered. What does not exist
when the run starts cannot be named to the kernel: a command may create a new
file whose name a pattern covers (docs/guard.md, "Defence in depth").
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from charter.guard.compiled import CompiledPolicy
from charter.guard.paths import ALWAYS_PROTECTED
from charter.sandbox.tree import find_matches

TREE_CACHE = ".charter/cache/sandbox-tree.json"


@dataclass(frozen=True)
class SandboxPlan:
    root: str  # the repository, symlinks resolved
    mode: str  # the policy's `sandbox`: auto, required, off
    level: str
    network: bool  # the level lets commands reach the network (and its opt-in is set)
    forbidden: tuple[str, ...]  # existing paths, absolute and resolved
    protected: tuple[str, ...]


def network_allowed(policy: CompiledPolicy, level: str, env: Mapping[str, str]) -> bool:
    """The level grants the network and every variable its granting levels require is set."""
    allowed, _hosts, needed = policy.network(level)
    return allowed and all(env.get(name) == value for name, value in needed.items())


def build_plan(
    root: str, policy: CompiledPolicy, level: str, env: Mapping[str, str]
) -> SandboxPlan:
    """The plan for a command at `level` in the repository at `root`."""
    real = os.path.realpath(root)
    protected_patterns = list(dict.fromkeys([*ALWAYS_PROTECTED, policy.path, *policy.protected]))
    forbidden, protected = find_matches(
        real, policy.forbidden, protected_patterns, cache=os.path.join(real, TREE_CACHE)
    )
    return SandboxPlan(
        root=real,
        mode=policy.sandbox,
        level=level,
        network=network_allowed(policy, level, env),
        forbidden=tuple(forbidden),
        protected=tuple(protected),
    )
