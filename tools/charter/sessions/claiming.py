"""A session holds its task's claim: start takes it (refusing a task another live agent
holds), end gives it back. See docs/parallel.md."""

from __future__ import annotations

import contextlib

from charter.claims import ops
from charter.claims.record import default_agent
from charter.config import Config
from charter.errors import CharterError
from charter.sessions.preconditions import Findings

_UNNAMED = ("", "unknown")


def session_agent(config: Config, agent: str | None) -> str:
    """The name claims are held under: the session's agent, else the default identity."""
    return agent if agent and agent not in _UNNAMED else default_agent(config.root.resolve())


def take_claim(config: Config, findings: Findings, agent: str | None) -> ops.Outcome | None:
    """Claim the task for the session; a refusal (or an unreachable claims remote: fail
    closed) becomes a failed precondition, so nothing else is written."""
    task = findings.task
    if task is None or task.id is None:
        return None
    try:
        store = ops.store_for(config)
        outcome = ops.claim(store, task.id, session_agent(config, agent), config.claim_ttl)
    except CharterError as exc:
        findings.fail("claim", exc.message)
        return None
    if not outcome.ok:
        findings.fail(
            "claim",
            outcome.message + " (`charter task claims` lists claims; pick another task "
            "with `charter task next`)",
            f"{task.path}:{task.line}",
        )
    return outcome


def give_back(config: Config, task_id: str, agent: str | None) -> ops.Outcome:
    """Release the session's claim; a claim someone else holds now is left alone."""
    return ops.release(ops.store_for(config), task_id, session_agent(config, agent))


def undo_claim(config: Config, outcome: ops.Outcome | None, agent: str | None) -> None:
    """A start that failed after claiming gives back a claim it took (not one held before)."""
    if outcome is not None and outcome.action in ("claimed", "took-over") and outcome.claim:
        # The lease runs out on its own; the start's own error is the one to show.
        with contextlib.suppress(CharterError):
            give_back(config, outcome.claim.task, agent)
