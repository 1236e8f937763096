"""The agents' own web tools, judged like a command that reaches the network.

Claude Code's WebFetch and WebSearch (and Gemini's web_fetch and google_web_search,
which the hook adapters translate to them) leave the machine as surely as `curl`
does: a fetch can carry the repository's contents out in its URL. So a level
without `network:` in the policy refuses them, the operator's opt-in variables
apply as they do to commands, and a fetch must go to a host the level lists
(`network: true` lists the package registries only). A search goes to the agent
vendor's search service, not to a host the agent names: a level that grants the
network allows it.
"""

from __future__ import annotations

from charter.guard.network.hosts import DEFAULT_HOSTS, WEB_SCHEMES, HostError, listed, url_host

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from charter.guard.compiled import CompiledPolicy

WEB_TOOLS = frozenset({"WebFetch", "WebSearch"})


def web_tool_reason(
    policy: CompiledPolicy,
    level: str,
    tool: str,
    tool_input: Mapping[str, Any],
    env: Mapping[str, str],
) -> str | None:
    """Why `tool` may not run at `level`, or None."""
    host = None
    if tool == "WebFetch":
        url = tool_input.get("url")
        if not isinstance(url, str) or not url.strip():
            return "WebFetch without a URL (url)"
        try:
            host = url_host(url.strip(), schemes=WEB_SCHEMES)
        except HostError as exc:
            return str(exc)
        if host is None:
            return f"{url[:60]!r} is not a web address (http:// or https://)"
    where = host or "a web search"
    granted, hosts, wanted = policy.network(level)
    if not granted:
        return (
            f"{tool} reaches the network ({where}), and level {level} grants none: online "
            "work needs a level with `network:` in the policy"
        )
    unset = [f"{key}={value}" for key, value in wanted.items() if env.get(key) != value]
    if unset:
        return f"the network at {level} needs the operator's opt-in: set {', '.join(unset)}"
    allowed = list(hosts) or list(DEFAULT_HOSTS)
    if host is not None and not listed(host, allowed):
        return f"{host} is not a host level {level} lists (listed: {', '.join(allowed)})"
    return None
