"""The task board: TaskBoard.md and .csv from the plans, its memo, the HTML page, watch."""
