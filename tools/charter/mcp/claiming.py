"""The MCP task tools hold claims as `charter session start|end` do (docs/parallel.md).

Taking a task (`claim_task`, or `set_status` to a status of the active column) claims it
for the agent before the plan is touched, so a task another live agent holds is refused,
naming the holder, and nothing is written. Giving it up (`done`, `block`, `release_task`,
or `set_status` back to the open column) releases the agent's claim after the write. The
agent is the active session's, else `$CHARTER_AGENT`, else user@host:worktree: the same
name the session's own claim was taken under.
"""

from __future__ import annotations

from typing import Any

from charter.claims import ops
from charter.config import Config
from charter.errors import CharterError
from charter.sessions.claiming import session_agent
from charter.state.session import read_active


def agent_of(config: Config) -> str:
    active = read_active(config.root)
    return session_agent(config, active.agent if active is not None else None)


def status_takes(config: Config, status: str) -> bool:
    return config.column_for_status(status) == config.active_column


def status_gives_up(config: Config, status: str) -> bool:
    return config.column_for_status(status) in (
        config.open_column,
        config.blocked_column,
        config.done_column,
        *config.closed_columns,
    )


def take(config: Config, task_id: str) -> ops.Outcome:
    """Claim the task for the agent; a refusal raises, naming who holds it and until when
    (an unreachable claims remote raises too: fail closed, nothing written)."""
    outcome = ops.claim(ops.store_for(config), task_id, agent_of(config), config.claim_ttl)
    if not outcome.ok:
        raise CharterError(
            outcome.message + "; pick another task with `next_task` (it leaves out claimed ones)"
        )
    return outcome


def give_up(config: Config, task_id: str) -> dict[str, Any]:
    """Release the agent's claim after a write that gave the task up. The write stands
    either way: a claim that cannot be released is reported and runs out at its expiry."""
    try:
        outcome = ops.release(ops.store_for(config), task_id, agent_of(config))
    except CharterError as exc:
        return {"ok": False, "message": f"{exc.message}; the claim runs out at its expiry"}
    return {"ok": outcome.ok, "action": outcome.action, "message": outcome.message}


def undo(config: Config, task_id: str, outcome: ops.Outcome) -> None:
    """A write that failed after claiming gives back a claim it took (not one held before)."""
    if outcome.action in ("claimed", "took-over"):
        give_up(config, task_id)
