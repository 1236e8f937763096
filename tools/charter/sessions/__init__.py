"""An agent's working session: start (preconditions, log, briefing), status, end, the Stop hook.

The public entry points are `start.start_session`, `end.end_session`,
`charter.state.session.read_active` and `hook.stop_hook`; the CLI in `charter.commands.session`
is a thin layer over them.
"""
