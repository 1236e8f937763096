"""Unattended safety: budgets, the kill switch, stop conditions and escalation.

`killswitch` and `budget` run inside `charter guard` on every decision, so they
import nothing but the standard library's lightest modules; `escalate`,
`events` and `stop_conditions` do the slower work (plans, board, notifier)
outside the guard's path. See docs/safety.md.
"""
