"""What every generated output (board, CSV, HTML page, handoff) is protected by before it is
written: a complete read of the plans, and no suspicious drop of tasks since the last commit."""
