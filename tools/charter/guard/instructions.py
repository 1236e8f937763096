"""The agents' instruction files, generated from the policy: how to work under charter.

One section, rendered from the autonomy policy, goes into `AGENTS.md` (Codex and
most agents read it) between `<!-- charter:begin agent-instructions -->` and
`<!-- charter:end agent-instructions -->`; whatever a person wrote around it is
kept. `CLAUDE.md` and `GEMINI.md` import AGENTS.md (`@AGENTS.md`, which both
agents resolve); `.cursor/rules/charter.mdc` is an always-applied Cursor rule
holding the same section. The section stays far below Codex's 32 KiB limit for
AGENTS.md: lists are capped, and the policy file is named for the rest.
"""

from __future__ import annotations

from charter.guard.policy_model import Policy
from charter.stamps import find_region, region_markers, replace_region

REGION = "agent-instructions"
AGENTS_MD = "AGENTS.md"
CLAUDE_MD = "CLAUDE.md"
GEMINI_MD = "GEMINI.md"
CURSOR_RULE = ".cursor/rules/charter.mdc"
IMPORT_LINE = "@AGENTS.md"
MAX_LISTED = 40
MCP_TOOLS = (
    "next_task",
    "show_task",
    "list_tasks",
    "set_status",
    "block",
    "done",
    "session_status",
    "guard_explain",
    "read_handoff",
    "check",
)


def render_section(policy: Policy) -> str:
    """The generated section, Markdown, LF, byte-stable."""
    default = policy.level(policy.default_level)
    # the level's own rules first: its test and build commands matter most to an agent
    allowed = [rule for level in reversed(policy.chain(default.name)) for rule in level.allow]
    lines = [
        "## Working under charter",
        "",
        f"Generated from the autonomy policy, {policy.path}: change the policy, not this",
        "section. Every command named here in backquotes is one you may run.",
        "",
        f"- Levels: {', '.join(level.label for level in policy.levels)}. The default is"
        f" {default.label}; a session runs at the level its briefing names.",
        "- A person starts your session (make session-start with the task's ID); read the"
        " briefing and the session log it names.",
        "- Tasks: use the `charter` MCP server's tools when your agent lists them ("
        + ", ".join(f"`{name}`" for name in MCP_TOOLS)
        + "); otherwise `charter task next`, `charter task show ID`, `charter task set ID"
        ' --status "In Progress"`, `charter task block ID --reason "REASON"`. Never edit the'
        " board or the handoff by hand: they are generated.",
        "- Shell commands: your agent's hook asks the guard before each one; without a"
        " hook, run `charter run -- CMD`. Unsure of one? The `guard_explain` tool says what"
        " would be decided, and why.",
        "- Done means evidence: `charter task done ID --evidence PATH` (or the `done` tool),"
        " PATH a file in the repository that proves it.",
        f"- Allowed at {default.name}: {_listed(allowed)}.",
    ]
    if policy.deny:
        lines.append(f"- Denied at every level: {_listed(policy.deny)}.")
    if policy.forbidden_paths:
        lines.append(f"- Never read or write: {_listed(policy.forbidden_paths)}.")
    protected = [policy.path, *policy.protected_paths]
    lines.append(f"- Never change: {_listed(protected)} (and the agents' hook configs).")
    lines.append(
        "- When blocked: record why in the session log, then"
        ' `charter session end --blocked "REASON"`. When a budget is spent or the kill'
        ' switch is engaged, every command is denied: `charter escalate --reason "..."`.'
    )
    return "\n".join(lines) + "\n"


def _listed(items: tuple[str, ...] | list[str]) -> str:
    unique = list(dict.fromkeys(items))
    shown = ", ".join(f"`{item}`" for item in unique[:MAX_LISTED])
    more = len(unique) - MAX_LISTED
    return (
        shown + (f" and {more} more (see the policy)" if more > 0 else "") if unique else "nothing"
    )


def render_agents_md(existing: str | None, policy: Policy) -> str:
    """AGENTS.md with the section's region replaced, or appended when it has none."""
    section = render_section(policy)
    if existing is not None and find_region(existing, REGION) is not None:
        return replace_region(existing, REGION, section)
    begin, end = region_markers(REGION)
    block = f"{begin}\n{section}{end}\n"
    if not existing:
        return "# Working in this repository\n\n" + block
    return existing + ("" if existing.endswith("\n") else "\n") + "\n" + block


def render_import(existing: str | None) -> str:
    """CLAUDE.md / GEMINI.md: the file as it is when it imports AGENTS.md, else with the import
    added on its first line."""
    if existing is not None and IMPORT_LINE in existing.splitlines():
        return existing
    return IMPORT_LINE + "\n" + (("\n" + existing) if existing else "")


def render_cursor_rule(policy: Policy) -> str:
    front = [
        "---",
        "description: How to work in this repository under charter (generated; edit the policy)",
        "alwaysApply: true",
        "---",
        "",
    ]
    return "\n".join(front) + render_section(policy)
