"""Transcript commands judged by the policy: which ones the guard would have denied.

An agent that ran commands outside charter's hook leaves them in its
transcript; folding that transcript into the session log must not launder
them. Each command is decided as `charter guard --command` would decide it at
the session's level, from the repository root, without spending budget, and
the commands table marks every denial with its rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from charter.guard.api import check_command
from charter.ingest.transcript import Transcript

_LEVEL = re.compile(r"^level:\s*['\"]?(?P<level>[A-Za-z0-9_.-]+)['\"]?\s*$", re.M)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    rule: str
    level: str


def judge(transcript: Transcript, root: Path, level: str | None) -> list[Verdict]:
    """One verdict per transcript command, in order."""
    verdicts = []
    for command in transcript.commands:
        outcome = check_command(
            command.command, cwd=str(root), root=str(root), level=level, count=False
        )
        decision = outcome.decision
        verdicts.append(Verdict(bool(decision.allowed), decision.rule, str(decision.level or "")))
    return verdicts


def log_level(text: str) -> str | None:
    """The `level:` of a session log's frontmatter, None when it names none."""
    if not text.startswith("---"):
        return None
    end = text.find("\n---", 3)
    match = _LEVEL.search(text[: end if end > 0 else len(text)])
    return match.group("level") if match else None
