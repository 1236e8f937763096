"""`charter mcp`: tasks, sessions, the guard and the handoff served to agents over MCP.

`service` holds the operations as plain library calls (no MCP types), so the
same code answers the server, the tests and the benchmark; `server` wires them
to the official `mcp` SDK; the agents' server entries are written by `charter.guard.mcp_entries`.
"""
