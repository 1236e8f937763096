"""The briefing `charter session start` prints: what the agent needs before its first command.

The task with its acceptance and evidence rule, the level and what it allows,
the gates, the stop conditions and the documents to read. Plain text, built
from what the preconditions already read.
"""

from __future__ import annotations

import re

from charter.config import Config
from charter.guard.policy_model import Policy
from charter.parse.sessions import parse_session
from charter.safety.status import LABELS
from charter.sandbox.layers import format_layers, session_layers
from charter.sessions.preconditions import Findings, plan_key
from charter.sessions.read_first import read_first
from charter.sessions.start import gate_context
from charter.state.session import ActiveSession

MAX_RULES = 12
# Used when AUTONOMY.md has no section about stopping.
DEFAULT_STOP_CONDITIONS = (
    "Blocked (a dependency, a decision or access you lack): record why in the log, then "
    '`charter session end --blocked "REASON"`.',
    "A gate cannot be measured: stop and log the missing data; do not guess a value.",
    "The guard denies a command you need: stop and ask for a higher level; do not work around it.",
    "Tests keep failing: stop with the failing command's output in the log.",
)
_STOP_HEADING = re.compile(r"\bstop", re.I)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(?P<text>.+)$")


def briefing(config: Config, findings: Findings, session: ActiveSession) -> str:
    task, plan, policy = findings.task, findings.plan, findings.policy
    assert task is not None and plan is not None and policy is not None
    out: list[str] = [f"Session {session.id} started; log: {session.log}", ""]
    out.append(f"Task {task.id}: {task.title}  ({task.path}:{task.line}, plan {plan_key(plan)})")
    acceptance = task.value("acceptance")
    out.append(
        f"  Acceptance: {acceptance}"
        if acceptance
        else "  Acceptance: none written; agree it in the plan before you change anything"
    )
    if task.depends:
        out.append(f"  Depends on (done): {', '.join(task.depends)}")
    out.append(
        "  Evidence rule: a task is done only with an `Evidence:` path that exists in the "
        "repo (e.g. a run manifest from `charter run --manifest`); "
        "`charter session end` refuses a done task without it."
    )
    out += ["", *_level_lines(policy, session)]
    out += ["", "Enforcement layers:", *_layer_lines(config, policy, session)]
    out += ["", f"Gates ({config.gates}, plan {plan_key(plan)}):"]
    for gate in map(gate_context, findings.gates):
        blocking = "blocking" if gate["blocking"] else "advisory"
        out.append(
            f"  - {gate['aggregate']}({gate['metric']}) {gate['threshold']}  "
            f"from {gate['source']}  [{blocking}]"
        )
    if findings.requires:
        out += ["", "Required tooling (present):", *[f"  - {c}" for c in findings.requires]]
    out += ["", "Stop conditions:", *[f"  - {s}" for s in stop_conditions(config)]]
    out += ["", "Read first:", *[f"  - {d}" for d in _documents(config, findings, session)]]
    out += [
        "",
        "Run every command through the guard (`charter run -- CMD`, or the agent's "
        "hook). When done: fill in every section of the log, then `charter session end` "
        '(or `charter session end --blocked "REASON"`).',
    ]
    return "\n".join(out) + "\n"


def _level_lines(policy: Policy, session: ActiveSession) -> list[str]:
    level = policy.level(session.level)
    default = "" if session.level != policy.default_level else ", the default"
    approved = f", approved by {session.approved_by}" if session.approved_by else ""
    lines = [f"Level {level.label}{default}{approved}"]
    if level.description:
        lines.append(f"  {level.description}")
    rules = [(lvl.name, rule) for lvl in policy.chain(level.name) for rule in lvl.allow]
    if rules:
        shown = ", ".join(f"`{rule}`" for _, rule in rules[:MAX_RULES])
        more = f" and {len(rules) - MAX_RULES} more" if len(rules) > MAX_RULES else ""
        lines.append(f"  Allows: {shown}{more}")
    else:
        lines.append("  Allows: no commands (read the repository only)")
    lines.append("  Anything else is denied; `charter guard --explain -- CMD` says why.")
    for name, value in (pair for lvl in policy.chain(level.name) for pair in lvl.env):
        lines.append(f"  Needs {name}={value} in the environment.")
    for requirement in (r for lvl in policy.chain(level.name) for r in lvl.requires):
        lines.append(f"  Requires: {requirement}")
    limits = policy.budget(level.name)
    if limits:
        spent = ", ".join(f"{limit} {LABELS[key]}" for key, limit in limits.items())
        lines.append(
            f"  Budget: {spent}; then every command is denied and the task escalated "
            "(docs/safety.md)."
        )
    return lines


def _layer_lines(config: Config, policy: Policy, session: ActiveSession) -> list[str]:
    import os

    return format_layers(session_layers(config.root, policy, session.level, dict(os.environ)))


def stop_conditions(config: Config) -> list[str]:
    """The bullets of the policy's section about stopping, else charter's defaults."""
    path = config.path(config.policy)
    try:
        document = parse_session(config.policy, path.read_bytes())
    except OSError:
        return list(DEFAULT_STOP_CONDITIONS)
    for section in document.sections:
        if _STOP_HEADING.search(section.title):
            found = [
                m.group("text").strip()
                for line in section.body.split("\n")
                if (m := _BULLET.match(line))
            ]
            if found:
                return found
    return list(DEFAULT_STOP_CONDITIONS)


def _documents(config: Config, findings: Findings, session: ActiveSession) -> list[str]:
    assert findings.plan is not None
    docs = [config.handoff] if config.path(config.handoff).is_file() else []
    docs += [findings.plan.path]
    try:
        plan_text = config.path(findings.plan.path).read_text("utf-8", "replace")
    except OSError:
        plan_text = ""
    docs += read_first(findings.plan, plan_text)  # what the plan asks to read first
    docs += [config.policy, config.gates, session.log]
    return list(dict.fromkeys(docs))
