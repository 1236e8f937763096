"""The shell commands the agents' hooks run: they find charter when they run, on any machine.

`.claude/settings.json` and `.codex/hooks.json` are committed, so the command
in them names no path of the machine that wrote them. A small POSIX sh script
finds the repository (`$CLAUDE_PROJECT_DIR`, else `git rev-parse
--show-toplevel` from the hook's working directory) and then charter, in this
order (docs/guard.md):

1. the repository's own environment, `<repo>/.venv/bin/charter`;
2. `charter` on PATH;
3. `python3 -m charter`, when python3 can import it.

A `charter` script counts only when it is charter's own console script (it
names `charter.cli`), so another tool that happens to be called `charter` is
passed over instead of being asked to decide. When none is found, the guard
hook exits 2 with one line saying how to install charter: every tool call is
blocked, never let through. So is every failure to run it (`|| exit 2`).
The script is wrapped in `sh -c '...'` so that it means the same under the
user's login shell, whatever that is, and holds no backslash or single quote.
"""

from __future__ import annotations

from typing import Any

from charter import DISTRIBUTION

INSTALL_HINT = (
    f"install it into the repository (python3 -m venv .venv && .venv/bin/pip install "
    f"{DISTRIBUTION}) or put charter on PATH; see docs/guard.md"
)
_CLAUDE_ROOT = 'r="${CLAUDE_PROJECT_DIR:-$(git rev-parse --show-toplevel 2>/dev/null)}"'
_GIT_ROOT = 'r="$(git rev-parse --show-toplevel 2>/dev/null)"'


def guard_hook_command(agent: str) -> str:
    """`charter guard --hook AGENT` for a PreToolUse hook; blocks (exit 2) when it cannot run."""
    root = _CLAUDE_ROOT if agent == "claude-code" else _GIT_ROOT
    missing = f"charter guard: charter is not installed for this repository: {INSTALL_HINT}"
    return _wrap(
        root,
        f"guard --hook {agent} --root {_R}",
        module="charter.guard",
        module_args=f"--hook {agent} --root {_R}",
        on_fail="|| exit 2; exit 0",
        on_missing=f"echo {_dq(missing)} >&2; exit 2",
        no_root=f"echo {_dq('charter guard: cannot find the repository root')} >&2; exit 2",
    )


def stop_hook_command() -> str:
    """`charter session check --hook claude-code` for Claude Code's Stop hook. A Stop hook
    that cannot run must not keep the agent from stopping: when charter is missing it
    says so and exits 0."""
    missing = f"charter session check skipped: charter is not installed here: {INSTALL_HINT}"
    args = f"session check --hook claude-code --repo {_R}"
    return _wrap(
        _CLAUDE_ROOT,
        args,
        module="charter",
        module_args=args,
        on_fail="",
        on_missing=f"echo {_dq(missing)} >&2; exit 0",
        no_root="exit 0",
    )


_R = '"$r"'


def mcp_server_script() -> str:
    """The sh script (for `sh -c SCRIPT`, as an argument list) that starts `charter mcp` for an
    agent's MCP client: found as the hooks find charter; exit 127 with one line when missing."""
    missing = f"charter mcp: charter is not installed for this repository: {INSTALL_HINT}"
    args = f"mcp --repo {_R}"
    return _script(
        'r="$(git rev-parse --show-toplevel 2>/dev/null || pwd)"',
        args,
        module="charter",
        module_args=args,
        on_fail="",
        on_missing=f"echo {_dq(missing)} >&2; exit 127",
        no_root="exit 127",
    )


def _wrap(
    root: str,
    args: str,
    *,
    module: str,
    module_args: str,
    on_fail: str,
    on_missing: str,
    no_root: str,
) -> str:
    script = _script(
        root,
        args,
        module=module,
        module_args=module_args,
        on_fail=on_fail,
        on_missing=on_missing,
        no_root=no_root,
    )
    return f"sh -c '{script}'"


def _script(
    root: str,
    args: str,
    *,
    module: str,
    module_args: str,
    on_fail: str,
    on_missing: str,
    no_root: str,
) -> str:
    ends = f" {on_fail}" if on_fail else "; exit $?"
    script = " ".join(
        [
            f"{root};",
            f'[ -n "$r" ] || {{ {no_root}; }};',
            'for c in "$r/.venv/bin/charter" "$(command -v charter)"; do',
            '[ -f "$c" ] && [ -x "$c" ] && grep -q charter.cli "$c" 2>/dev/null &&',
            f'{{ "$c" {args}{ends}; }};',
            "done;",
            f"python3 -I -c {_dq('import ' + module)} 2>/dev/null &&",
            f"{{ python3 -I -m {module} {module_args}{ends}; }};",
            f"{on_missing}",
        ]
    )
    if "'" in script or "\\" in script:  # `sh -c '...'` relies on neither
        raise ValueError(f"hook script needs quoting: {script}")
    return script


def _dq(text: str) -> str:
    """`text` in double quotes for sh: it holds nothing sh expands there."""
    if any(ch in text for ch in '"$`\\!'):
        raise ValueError(f"text sh would expand: {text}")
    return f'"{text}"'


def with_stop_command(settings: dict[str, Any], command: str) -> dict[str, Any]:
    """Claude Code settings with `command` in place of every Stop hook that runs charter's
    `session check`: an older charter wrote its interpreter's path there. Only those hooks'
    command strings change; everything else is kept as it is."""
    hooks = settings.get("hooks")
    stops = hooks.get("Stop") if isinstance(hooks, dict) else None
    if not isinstance(stops, list):
        return settings
    renewed = []
    for entry in stops:
        inner = entry.get("hooks") if isinstance(entry, dict) else None
        if isinstance(inner, list):
            inner = [
                {**hook, "command": command} if _runs_session_check(hook) else hook
                for hook in inner
            ]
            entry = {**entry, "hooks": inner}
        renewed.append(entry)
    return {**settings, "hooks": {**hooks, "Stop": renewed}}  # type: ignore[dict-item]


def _runs_session_check(hook: Any) -> bool:
    command = hook.get("command") if isinstance(hook, dict) else None
    return isinstance(command, str) and "session check --hook claude-code" in command
