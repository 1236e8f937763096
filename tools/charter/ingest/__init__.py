"""Agent transcripts folded into session logs.

`codex` reads a `codex exec --json` stream, `claude_code` a Claude Code
transcript; both give a `Transcript` (records in `transcript`), and `fold`
writes it into the session log's generated regions.
"""
