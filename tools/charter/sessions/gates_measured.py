"""`blocking_gates_measured`: the plan's blocking gates were measured in this session.

The evidence is the session's gate log (`state/gatelog.py`), which `charter
gates` appends to in an active session: a blocking gate of the session's plan
counts when its latest measurement in this session passed. A gate never
measured, or last measured as failing, missing data or broken, is named with
its line in the gates file and the command that measures it.
"""

from __future__ import annotations

from charter.config import Config
from charter.gates.parse import load_gates, norm_key
from charter.gates.record import gate_key
from charter.safety.stop_conditions import session_plan
from charter.state.gatelog import read_gates
from charter.state.session import ActiveSession


def gates_problem(config: Config, session: ActiveSession) -> str | None:
    """What is unmet, or None when every blocking gate of the session's plan passed here."""
    plan = session_plan(config, session)
    if plan is None:
        return f"task {session.task} is in no plan, so it has no gates to measure"
    gates = {}
    names = {norm_key(key) for key in plan}  # every name of the plan: no other to look up
    doc = load_gates(config)
    for gate in doc.gates() if doc is not None else []:
        if gate.problem is None and gate.blocking and norm_key(gate.plan) in names:
            gates[gate_key(gate)] = gate
    if not gates:
        return None  # a plan without blocking gates has nothing to measure
    latest: dict[str, str] = {}
    for entry in read_gates(config.root, session.id):
        measured = entry.get("key")
        if isinstance(measured, str):
            latest[measured] = str(entry.get("status", ""))
    unmet = []
    for key, gate in gates.items():
        where = f"{gate.path}:{gate.line}"
        status = latest.get(key)
        if status is None:
            unmet.append(f"{gate.label} ({where}) was not measured in this session")
        elif status != "pass":
            unmet.append(f"{gate.label} ({where}) was last measured as {status}")
    if not unmet:
        return None
    plan_name = min(plan, key=lambda name: ("/" in name, name))  # the id before the path
    return "; ".join(unmet) + f": run `charter gates --plan {plan_name}`"
