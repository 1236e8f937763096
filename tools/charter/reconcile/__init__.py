"""A hand-kept board against the plans: read it, compare, move board-only facts into plans."""
