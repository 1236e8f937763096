"""The OS sandbox of `charter run`: the level's limits enforced by the kernel.

What the guard allowed still runs inside the level's limits, because no parser
sees what a test does once it runs: on Linux, Landlock confines writes to the
repository and a private temporary folder, user, mount and network namespaces
make protected paths read-only, forbidden paths unreadable and the network
unreachable below the level that opts into it. Standard library only (ctypes).
See docs/guard.md ("Defence in depth") and docs/DECISIONS.md.
"""
