"""Presets: `[tool.charter]` defaults for the layouts teams already keep.

`preset = "speckit"` under `[tool.charter]` applies that preset's keys first;
every key the user writes next to it wins (tables such as `status_map` and
`severity` are merged one level deep). `charter init --preset NAME` writes
`Preset.toml`, which names the preset and shows, commented out, what it sets.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Column -> phrases. A status matches a phrase when, after normalisation
# (lower case, punctuation dropped, separators as spaces, a trailing date
# removed), it equals the phrase or starts with it followed by a non-word. Emoji
# are kept for phrases that hold one ("✅" maps "✅ done" and "✅"), and dropped
# for phrases of words ("done" maps "✅ done" too).
DEFAULT_STATUS_MAP: dict[str, tuple[str, ...]] = {
    "Backlog": (
        "backlog",
        "todo",
        "to do",
        "open",
        "not started",
        "planned",
        "pending",
        "new",
        "ready",
        "proposed",
        "queued",
        "next",
        "📋",
        "⬜",
    ),
    "In Progress": (
        "in progress",
        "doing",
        "active",
        "started",
        "wip",
        "ongoing",
        "working",
        "🔄",
        "🚧",
        "⏳",
        "🟡",
    ),
    "Review": ("review", "in review", "needs review", "awaiting review", "qa", "testing"),
    "Blocked": ("blocked", "on hold", "waiting", "stuck", "paused", "⛔", "🛑", "⏸"),
    "Done": (
        "done",
        "complete",
        "completed",
        "closed",
        "finished",
        "shipped",
        "merged",
        "resolved",
        "implemented",
        "fixed",
        "✅",
        "✔",
        "☑",
    ),
    "Dropped": (
        "won't do",
        "wont do",
        "won t do",
        "cancelled",
        "canceled",
        "dropped",
        "obsolete",
        "superseded",
        "wontfix",
        "rejected",
        "abandoned",
        "reverted",
        "skipped",
        "⏭",
    ),
}

# Keys whose values are tables: the user's table is merged over the preset's.
_TABLE_KEYS = ("status_map", "severity", "rules")


def _with_phrases(**extra: tuple[str, ...]) -> dict[str, list[str]]:
    """The default status phrases of each named column, plus `extra` ones."""
    return {
        column.replace("_", " "): [*DEFAULT_STATUS_MAP[column.replace("_", " ")], *phrases]
        for column, phrases in extra.items()
    }


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    values: Mapping[str, Any]

    @property
    def toml(self) -> str:
        """The `[tool.charter]` text `charter init --preset` writes."""
        lines = [
            "[tool.charter]",
            f'preset = "{self.name}"  # {self.description}',
            "# The preset sets the keys below; uncomment one to change it.",
        ]
        for key in sorted(self.values):
            value = self.values[key]
            if isinstance(value, Mapping):
                continue
            lines.append(f"# {key} = {_toml_value(value)}")
        for key in sorted(self.values):
            value = self.values[key]
            if isinstance(value, Mapping):
                lines.append(f"# [tool.charter.{key}]")
                lines += [f"# {_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()]
        return "\n".join(lines) + "\n"


def _toml_key(key: str) -> str:
    return (
        key
        if key.replace("-", "").replace("_", "").isalnum() and key.isascii()
        else json.dumps(key)
    )


def _toml_value(value: Any) -> str:
    # JSON strings, booleans and lists of strings are valid TOML (ensure_ascii keeps
    # them ASCII; TOML reads the \uXXXX escapes back).
    if isinstance(value, bool):
        return "true" if value else "false"
    # Characters past U+FFFF (emoji) as TOML's \UXXXXXXXX: JSON's surrogate pairs are no TOML.
    text = json.dumps(value, ensure_ascii=False)
    return "".join(
        ch if ch.isascii() else f"\\U{ord(ch):08X}" if ord(ch) > 0xFFFF else f"\\u{ord(ch):04X}"
        for ch in text
    )


_CHINESE_STATUSES = _with_phrases(
    Backlog=("待修复", "待处理", "未开始", "待办", "计划中", "pending fix"),
    In_Progress=("进行中", "修复中", "处理中", "partial", "partially done"),
    Review=("待验证", "待审核", "验证中"),
    Blocked=("阻塞", "受阻"),
    Done=(
        "已修复",
        "已完成",
        "完成",
        "已解决",
        "已验证",
        "通过",
        "pass",
        "passed",
        "approved",
        "verified",
    ),
    Dropped=("已关闭", "不修复", "已取消", "wontfix"),
)

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "table-plans",
            "plans as Markdown tables with an ID column, IDs like ST-B-001, a hand-kept board",
            {
                "plans": ["docs/plans/**/*.md"],
                "require_frontmatter": False,
                "status_map": _with_phrases(In_Progress=("partial", "partially done")),
            },
        ),
        Preset(
            "evidence-checklists",
            "checklists without IDs, `Evidence:` paths, `.agent/task` copies of `tasks/tasks-*.md`",
            {
                "plans": ["tasks/**/*.md"],
                "mirrors": [".agent/task/**/*.md", "docs/TASKS.md"],
                "anonymous_tasks": True,
                "require_frontmatter": False,
            },
        ),
        Preset(
            "speckit",
            "spec-kit `specs/*/tasks.md` checklists (`- [ ] T012 [P] [US1] ...`, `[X]`, **T020a**)",
            {
                "plans": ["specs/**/tasks.md", "docs/plans/**/*.md"],
                # T012, T020a; `charter import speckit` writes 009-T012 (or 009-login-T012 when
                # two features share a number) to keep features apart.
                "id_pattern": r"(?:[0-9a-z]+(?:-[0-9a-z]+)*-)?T\d+[a-z]?",
                # tasks.md tables cross-reference tasks, they do not define them.
                "table_tasks": False,
                "require_frontmatter": False,
                "require_evidence": False,
                # Every feature numbers its tasks from T001.
                "severity": {"duplicate-task-id": "warning"},
                "status_map": _with_phrases(Dropped=("deferred", "skipped")),
            },
        ),
        Preset(
            "backlog-md",
            "Backlog.md task files imported with `charter import backlog backlog/`",
            {
                "plans": ["docs/plans/**/*.md"],
                "id_pattern": r"(?:task|TASK|[A-Z][A-Z0-9]*)-\d+(?:\.\d+)*",
                "require_evidence": False,  # imported history names no evidence paths
                "status_map": _with_phrases(Backlog=("draft",), Dropped=("archived",)),
            },
        ),
        Preset(
            "taskmaster",
            "Task Master `.taskmaster/tasks/tasks.json` imported with `charter import taskmaster`",
            {
                "plans": ["docs/plans/**/*.md"],
                "id_pattern": r"TM(?:-[A-Z0-9]+)*-\d+(?:\.\d+)*",
                "require_evidence": False,  # imported history names no evidence paths
                "status_map": _with_phrases(Backlog=("deferred",)),
            },
        ),
        Preset(
            "github-issues",
            "GitHub issues (#64) in plans, epics in a hand-written docs/SESSION_HANDOFF.md",
            {
                "plans": ["docs/plans/**/*.md"],
                "id_pattern": r"#\d+",
                "handoff_plans": ["docs/SESSION_HANDOFF.md"],
                # charter's own handoff must not overwrite the hand-written one it reads.
                "handoff": "docs/charter/SESSION_HANDOFF.md",
                "require_frontmatter": False,
                "require_evidence": False,
                "status_map": _with_phrases(Dropped=("not planned",)),
            },
        ),
        Preset(
            "role-sessions",
            "per-role session folders (architect/, developer/, qa/) holding checklists and "
            "defect tables",
            {
                "plans": ["docs/agents/sessions/**/*.md", ".agent/handover/**/*.md"],
                # The role folders are working documents, not charter session logs.
                "sessions": "docs/agents/charter-sessions",
                "exclude": ["**/README.md"],
                "require_frontmatter": False,
                "require_evidence": False,
                # Hand-offs repeat a defect's row in every report that mentions it.
                "severity": {"duplicate-task-id": "warning"},
                "status_map": _CHINESE_STATUSES,
            },
        ),
    )
}


def merge_preset(preset: Preset, table: Mapping[str, Any]) -> dict[str, Any]:
    """The preset's keys, then the user's; tables merged one level deep."""
    merged: dict[str, Any] = {k: v for k, v in preset.values.items()}
    for key, value in table.items():
        base = merged.get(key)
        if key in _TABLE_KEYS and isinstance(base, Mapping) and isinstance(value, Mapping):
            merged[key] = {**base, **value}
        else:
            merged[key] = value
    return merged
