"""`charter run`'s use of the OS sandbox: a launcher for the guard's allowed command.

Kept apart from the command so the CLI stays a caller: it gets a launcher
(called like subprocess.Popen), a notice to print at most once per session
when the system offers no sandbox, and the kind to record with the command.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from charter.sandbox.launcher import NONE, Launcher, launcher
from charter.sandbox.plan import build_plan
from charter.sandbox.system import capabilities

NOTICE_FILE = "sandbox-notice"
# The repository's own tools: `git add` and `git commit` must write .git, charter
# writes its state under .charter. A command made of nothing else may write
# protected paths (the guard still keeps them from being named).
OWN_TOOLS = frozenset({"git", "charter"})


@dataclass
class Prepared:
    launcher: Launcher
    notice: str | None  # say this on stderr (first time in the session only)


def prepare(outcome: Any, env: dict[str, str]) -> Prepared:
    """The launcher for `outcome` (charter.guard.api.check_command's answer, allowed).

    Raises CharterError when the policy requires the sandbox and the system
    cannot give it: then nothing may run.
    """
    context = outcome.context
    plan = build_plan(outcome.root, context.policy, outcome.decision.level, env)
    if own_tools_only(outcome.decision.argvs):
        plan = replace(plan, protected=())
    chosen = launcher(plan)
    notice = None
    if chosen.kinds[0] == NONE and plan.mode != "off":
        notice = _once(
            outcome.root,
            context.session,
            "this system offers no OS sandbox (" + capabilities().summary() + "): "
            "commands run under the guard alone (docs/guard.md, `sandbox:`)",
        )
    return Prepared(chosen, notice)


def own_tools_only(argvs: Sequence[Sequence[str]]) -> bool:
    """Whether every simple command the guard found is git or charter itself."""
    return bool(argvs) and all(argv and argv[0] in OWN_TOOLS for argv in argvs)


def after_start(prepared: Prepared, outcome: Any) -> str | None:
    """What to say once the command started: a weaker kind than hoped, once per session."""
    chosen = prepared.launcher
    if not chosen.problems:
        return None
    return _once(
        outcome.root,
        outcome.context.session,
        f"the OS sandbox runs as `{chosen.kind}`: " + "; ".join(chosen.problems),
    )


def _once(root: str, session: dict[str, Any] | None, message: str) -> str | None:
    if session is None:
        return message
    marker = os.path.join(root, ".charter", "sessions", str(session["id"]), NOTICE_FILE)
    if os.path.exists(marker):
        return None
    try:
        os.makedirs(os.path.dirname(marker), exist_ok=True)
        with open(marker, "w", encoding="utf-8") as handle:
            handle.write(message + "\n")
    except OSError:
        pass  # said again next time: better than never
    return message
