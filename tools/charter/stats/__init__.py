"""Delivery statistics from the plans, their git history, session logs and runs."""
