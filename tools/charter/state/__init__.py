"""Everything under .charter/ read on the guard's fast path. Standard library only."""
