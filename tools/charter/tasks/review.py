"""`charter task review ID`: record the commit a task was last reviewed at.

`Reviewed: <sha>` (HEAD's, 12 hex digits) is written into the task's own field, so rule
CH031 can report the task when the paths it references change after that commit.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from charter.config import Config
from charter.errors import CharterError
from charter.tasks import edit

SHA_DIGITS = 12


def head_sha(root: Path) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", f"--short={SHA_DIGITS}", "--verify", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise CharterError(f"cannot run git: {exc}") from exc
    if done.returncode != 0:
        raise CharterError(
            "no commit to record: `charter task review` needs a git repository with a commit "
            f"({done.stderr.strip() or 'git rev-parse HEAD failed'})"
        )
    return done.stdout.strip()


def review_task(
    config: Config, task_id: str, *, validate: edit.Validator | None = None
) -> tuple[Path, str]:
    """Write `Reviewed: <HEAD>` into the task; returns the plan written and the sha."""
    sha = head_sha(config.root)
    return edit.set_field(config, task_id, "reviewed", sha, validate=validate), sha
