"""`charter task done` as a library call: hash the evidence, then mark the task done.

The command line and the MCP server's `task_done` both call `finish`, so a task
marked done either way records the same evidence line with the same digest.
"""

from __future__ import annotations

from pathlib import Path

from charter.config import Config
from charter.evidence.digest import evidence_digest
from charter.tasks.edit import Validator, evidence_path, mark_done


def finish(
    config: Config,
    task_id: str,
    evidence: str,
    sha256: str | None = None,
    *,
    hash_evidence: bool = True,
    validate: Validator | None = None,
) -> Path:
    """Mark `task_id` done with `evidence`, recording `sha256`, or, when none is given and
    `hash_evidence`, the evidence's own digest (a folder's covers every file in it).
    Returns the plan file written."""
    if hash_evidence and sha256 is None:
        sha256 = evidence_digest(config.root, evidence_path(config, evidence))
    return mark_done(config, task_id, evidence, sha256, validate=validate)
