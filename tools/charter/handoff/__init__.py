"""The session handoff: docs/SESSION_HANDOFF.md rendered from the plans, sessions and runs."""
