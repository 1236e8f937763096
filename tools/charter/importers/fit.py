"""Whether the repository's configuration can read what an importer writes.

Every importer writes IDs in its tracker's shape (TM-2.1, task-12, 001-T004,
#64). When `[tool.charter] id_pattern` does not match them, the written plan
would hold no tasks charter can see; the import stops before writing and names
the preset that reads those IDs.
"""

from __future__ import annotations

from charter.config import Config
from charter.errors import CharterError
from charter.importers.writer import ImportResult

PRESET_FOR = {
    "taskmaster": "taskmaster",
    "backlog": "backlog-md",
    "speckit": "speckit",
    "github": "github-issues",
}


def require_readable_ids(kind: str, result: ImportResult, config: Config) -> None:
    """CharterError naming the preset to use when the configured ID pattern misses the IDs."""
    ids = [spec.id for plan in result.plans for spec in plan.walk() if spec.id]
    unmatched = [task_id for task_id in ids if not config.id_re.fullmatch(task_id)]
    if not unmatched:
        return
    preset = PRESET_FOR[kind]
    raise CharterError(
        f"{len(unmatched)} of {len(ids)} imported IDs (such as {unmatched[0]}) do not match "
        f"[tool.charter] id_pattern ({config.id_pattern}), so charter would not read them as "
        f'tasks: add preset = "{preset}" under [tool.charter] (it reads {kind} IDs), or an '
        "id_pattern that matches them, and import again; nothing was written",
        config.source,
    )
