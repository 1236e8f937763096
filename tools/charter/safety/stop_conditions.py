"""The autonomy plan's stop conditions, as checks a machine can run.

- A blocking telemetry gate of the session's plan failed or lacks data
  (`gate_stop`, run by `charter gates`, which escalates once per session).
- A change touches paths the policy says need a decision record, and no new
  file under `docs/adr/` comes with it (`decision_records_missing`, rule
  CH026 of `charter check`, so the commit is blocked too).
- Tests still failing when the budget runs out (`charter.state.budget`:
  the guard's denial says which test command failed and how).

Each gives the message the agent reads: what stopped, and what to do now.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from charter.config import Config
from charter.guard.paths import first_match

if TYPE_CHECKING:
    from charter.gates.evaluate import GateResult
    from charter.safety.escalate import Escalation
    from charter.state.session import ActiveSession

ADR_DIR = "docs/adr/"


@dataclass(frozen=True)
class StopCondition:
    cause: str  # the escalation event
    message: str  # what the agent reads
    reason: str  # one line for the plan, the log and the notifier


# -- telemetry gates -------------------------------------------------------------------------


def gate_stop(
    config: Config, results: Sequence[GateResult], session: ActiveSession
) -> StopCondition | None:
    """The stop condition when a blocking gate of the session's plan did not pass."""
    plan = session_plan(config, session)
    if plan is None:
        return None
    from charter.gates.parse import norm_key  # lazy: off a warm check's start-up path

    keys = {norm_key(k) for k in plan}
    stopping = [r for r in results if r.blocks and norm_key(r.gate.plan) in keys]
    if not stopping:
        return None
    parts = [_gate_text(r) for r in stopping]
    reason = "blocking gate did not pass: " + "; ".join(parts)
    message = (
        f"STOP: {reason}. Do not guess missing metrics or work around the gate: the task is "
        "escalated to a person. Record the gate results and the missing or failing data in the "
        "session log, then stop."
    )
    return StopCondition("gate-failed", message, reason)


def _gate_text(result: GateResult) -> str:
    gate = result.gate
    where = f"{gate.path}:{gate.line}"
    threshold = gate.threshold.text if gate.threshold else "?"
    if result.status == "fail":
        return f"{gate.label} {threshold} failed with {result.value:g} ({where})"
    detail = result.message or result.status
    return f"{gate.label} {threshold} lacks data: {detail} ({where})"


def session_plan(config: Config, session: ActiveSession) -> set[str] | None:
    """The keys naming the session's plan (its id and its path), None when it has none."""
    from charter.repo import load_repo  # lazy: off a warm check's start-up path

    repo = load_repo(config)
    task = repo.find_task(session.task)
    plan = repo.plan_of(task) if task is not None else None
    if plan is None:
        return None
    keys = {plan.path}
    if plan.frontmatter.get("id") not in (None, ""):
        keys.add(str(plan.frontmatter["id"]))
    return keys


def escalate_once(config: Config, session: ActiveSession, stop: StopCondition) -> Escalation | None:
    """Escalate `stop` unless this session already escalated this cause."""
    from charter.safety.escalate import (
        escalate_once as once,  # lazy: off a warm check's start-up path
    )

    return once(config, key=f"{stop.cause}-{session.id}", event=stop.cause, reason=stop.reason)


# -- decision records --------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedsRecord:
    path: str
    pattern: str


def decision_records_missing(
    changes: Iterable[tuple[str, str]], patterns: Sequence[str]
) -> list[NeedsRecord]:
    """Changed paths that need a decision record, when no new record comes with them.

    `changes` are (git status letter, repository-relative path); a record is a
    file added (`A`) under docs/adr/.
    """
    if not patterns:
        return []

    changes = list(changes)
    if any(status == "A" and path.startswith(ADR_DIR) for status, path in changes):
        return []
    found: dict[str, NeedsRecord] = {}
    for _status, path in changes:
        if path.startswith(ADR_DIR):
            continue
        pattern = first_match(patterns, path)
        if pattern is not None:
            found.setdefault(path, NeedsRecord(path, pattern))
    return sorted(found.values(), key=lambda n: n.path)


def decision_record_message(need: NeedsRecord, policy_path: str) -> str:
    return (
        f"STOP: {need.path} changes what the policy says needs a decision record "
        f"({need.pattern!r} in needs_decision_record, {policy_path}), and no new file under "
        f"{ADR_DIR} comes with it: stop and write an ADR (add it in the same commit) before "
        "continuing"
    )
