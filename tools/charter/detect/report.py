"""`charter detect`'s report: what was found, how it is written, the config it implies."""

from __future__ import annotations

from typing import Any

from charter.detect import Detection
from charter.presets import _toml_key, _toml_value


def config_toml(detection: Detection) -> str:
    """charter.toml text for the detected configuration, each guess with its evidence."""
    lines = ["# Written by `charter init --detect`: what charter found here. Edit freely."]
    for key, why in detection.reasons:
        lines.append(f"# {key}: {why}")
    lines.append("[tool.charter]")
    for key, value in detection.table.items():
        if not isinstance(value, dict):
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def as_dict(detection: Detection, tasks: dict[str, int]) -> dict[str, Any]:
    located = detection.located
    return {
        "root": str(detection.root),
        "native": detection.native,
        "found": detection.found,
        "plans": located.plans,
        "handoffs": located.handoffs,
        "sessions": located.sessions,
        "tasks": tasks,
        "task_total": sum(tasks.values()),
        "config": detection.table,
        "evidence": [{"key": k, "why": w} for k, w in detection.reasons],
        "walked": located.walked,
        "truncated": located.truncated,
        "warning": detection.warning(),
    }


def as_text(detection: Detection, tasks: dict[str, int]) -> str:
    located = detection.located
    out = [f"charter detect: {detection.root}"]
    if detection.native:
        out.append(
            "docs/plans/ holds plans with frontmatter: charter's defaults fit, nothing to set"
        )
    warning = detection.warning()
    if warning:
        out.append(warning)
        return "\n".join(out)
    out.append(f"plans ({len(located.plans)} file(s), {sum(tasks.values())} task(s)):")
    for path in [*located.plans, *located.handoffs][:40]:
        out.append(f"  {path}: {tasks.get(path, 0)} task(s)")
    if len(located.plans) + len(located.handoffs) > 40:
        out.append(f"  ... and {len(located.plans) + len(located.handoffs) - 40} more")
    for folder, count in sorted(located.sessions.items()):
        out.append(f"sessions: {folder}/ ({count} log(s))")
    out.append("evidence:")
    out += [f"  {key}: {why}" for key, why in detection.reasons]
    out.append("config it would use (`charter init --detect` writes it as charter.toml):")
    out += ["  " + line for line in config_toml(detection).splitlines() if not line.startswith("#")]
    return "\n".join(out)
