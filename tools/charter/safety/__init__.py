"""Unattended safety: stop and resume, stop conditions and escalation.

The kill switch, the budget counters and the escalation markers the guard
reads on every decision live in `charter.state` (standard library only);
`control`, `escalate` and `stop_conditions` do the slower work (plans, board,
notifier) outside the guard's path. See docs/safety.md.
"""
