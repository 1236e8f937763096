"""Decisions as text for people and agents: one line per simple command and its rule."""

from __future__ import annotations

from charter.guard.decide import quote

TYPE_CHECKING = False
if TYPE_CHECKING:
    from charter.guard.compiled import CompiledPolicy
    from charter.guard.decide import Decision


def explain(decision: Decision, policy_path: str | None = None) -> str:
    source = decision.source
    shown = " ".join(quote(w) for w in source) if isinstance(source, list) else source
    lines = [f"command: {_one_line(shown)}"]
    how = {"argv": "exec (argv)", "pwsh": "PowerShell (string)"}.get(
        decision.mode, "bash -c (string)"
    )
    origin = f" ({decision.level_source})" if decision.level_source else ""
    lines.append(f"level:   {decision.level or 'unknown'}{origin}")
    if policy_path:
        lines.append(f"policy:  {policy_path}")
    lines.append(f"runs as: {how}")
    for problem in decision.problems:
        lines.append(f"  refused  line {problem.line}: {_one_line(problem.text)}")
        lines.append(f"           {problem.reason}")
    for verdict in decision.verdicts:
        mark = "allow" if verdict.allowed else "deny "
        via = f"  [via {verdict.via}]" if verdict.via else ""
        argv = " ".join(quote(word) for word in verdict.argv)
        lines.append(f"  {mark}    {_one_line(argv)}{via}")
        lines.append(f"           {verdict.rule}: {verdict.reason}")
    verdict_word = "allow" if decision.allowed else "deny"
    lines.append(f"decision: {verdict_word}" + ("" if decision.allowed else f": {decision.reason}"))
    return "\n".join(lines) + "\n"


def advice(decision: Decision, policy: CompiledPolicy | None) -> str:
    """The deny reason plus what the level does allow, for an agent choosing what to try next."""
    if policy is None or decision.level is None or decision.level not in policy.levels:
        return f"charter guard denied this command: {decision.reason}"
    text = f"charter guard denied this command at level {decision.level}: {decision.reason}"
    for key, what in (("allow", "commands"), ("powershell", "PowerShell calls")):
        allowed = [
            " ".join(tokens)
            for name in policy.chain(decision.level)
            for tokens in policy.levels[name][key]
        ]
        if allowed:
            listing = ", ".join(allowed)
            if len(listing) > 600:
                listing = listing[:600].rsplit(",", 1)[0] + ", ..."
            text += f"\nLevel {decision.level} allows {what} starting with: {listing}."
    text += f"\nSee {policy.path} and `charter guard --explain --command '...'`."
    return text


def _one_line(text: str) -> str:
    return text.replace("\n", "\\n").replace("\t", "\\t")
