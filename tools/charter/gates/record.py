"""A gate run in a session leaves a record: what `blocking_gates_measured` is checked on.

`charter gates` evaluates gate tables (`gates.evaluate`); in an active session
each result is appended to the session's gate log (`state/gatelog.py`) with
the key that names its gate across edits of the gates file: the plan, the
aggregate and the metric.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from charter.config import Config
from charter.gates.parse import Gate, norm_key
from charter.state.gatelog import record_gates
from charter.state.session import read_active

if TYPE_CHECKING:
    from charter.gates.evaluate import GateResult


def gate_key(gate: Gate) -> str:
    """The name of a gate in the gate log: plan, aggregate and metric."""
    return f"{norm_key(gate.plan)}|{gate.aggregate}|{gate.metric}"


def record_results(config: Config, results: Sequence[GateResult]) -> Path | None:
    """Append `results` to the active session's gate log; the file, or None without one."""
    session = read_active(config.root)
    if session is None or not results:
        return None
    now = time.time()
    at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now))
    entries = [
        {
            "key": gate_key(r.gate),
            "gate": f"{r.gate.path}:{r.gate.line}",
            "plan": r.gate.plan,
            "label": r.gate.label,
            "blocking": r.gate.blocking,
            "status": r.status,
            "value": r.value,
            "samples": r.samples,
            "at": at,
            "t": round(now, 6),
        }
        for r in results
    ]
    return record_gates(config.root, session.id, entries)
