"""What `charter session status` shows about safety: the budget used, the kill switch."""

from __future__ import annotations

import time
from typing import Any

from charter.config import Config
from charter.errors import CharterError
from charter.guard.cache import load_compiled
from charter.state import budget
from charter.state.killswitch import read_stop
from charter.state.session import ActiveSession

LABELS = {
    "max_commands": "commands",
    "max_consecutive_failures": "consecutive failures",
    "max_test_failures": "failed test runs",
    "max_minutes": "minutes",
}


def safety_status(config: Config, session: ActiveSession) -> dict[str, Any]:
    """{"stop": the kill switch or None, "budget": {key: [used, limit]}, "spent": reason|None}."""
    root = str(config.root)
    stop = read_stop(root)
    data: dict[str, Any] = {"stop": stop.to_dict() if stop else None, "budget": {}, "spent": None}

    try:
        limits = load_compiled(root, config.policy).budget(session.level)
        state = budget.read_state(root, session.id)
    except (CharterError, budget.BudgetError) as exc:
        data["error"] = str(exc)
        return data
    now = time.time()
    used = {
        "max_commands": state["commands"],
        "max_consecutive_failures": state["consecutive_failures"],
        "max_test_failures": state["test_failures"],
        "max_minutes": _minutes(session.started, now),
    }
    data["budget"] = {key: [used[key], limit] for key, limit in limits.items()}
    data["spent"] = budget.spent_reason(state, limits, session.started, now, session.level)
    return data


def format_status(data: dict[str, Any]) -> list[str]:
    lines = []
    stop = data.get("stop")
    if stop is not None:
        lines.append(
            f"  kill switch: ENGAGED by {stop['by'] or 'unknown'} at {stop['at'] or 'unknown'}: "
            f"{stop['reason']}"
        )
    if data.get("error"):
        lines.append(f"  budget: unknown ({data['error']})")
    elif data.get("budget"):
        parts = [
            f"{used} of {limit} {LABELS[key]}" for key, (used, limit) in data["budget"].items()
        ]
        lines.append("  budget: " + ", ".join(parts))
    if data.get("spent"):
        lines.append(f"  budget spent: {data['spent']}")
    return lines


def _minutes(started: str, now: float) -> int | None:
    moment = budget.epoch(started)
    return None if moment is None else int((now - moment) // 60)
