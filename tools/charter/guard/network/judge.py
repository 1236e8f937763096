"""The network judge: a network command's reach, and the level's verdict on it."""

from __future__ import annotations

from charter.guard.network import PYTHON_SERVING as _PYTHON_SERVING
from charter.guard.network import UNJUDGED, gitremote, golang, packages, shells, web
from charter.guard.network.hosts import DEFAULT_HOSTS, listed
from charter.guard.network.reach import Reach

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from charter.guard.context import GuardContext
    from charter.guard.verdict import Verdict

    Reader = Callable[[Reach, Sequence[str]], Reach]

_READERS: dict[str, Reader] = {
    "curl": web.curl,
    "wget": web.wget,
    "ssh": shells.ssh,
    "scp": shells.scp,
    "sftp": shells.scp,
    "rsync": shells.rsync,
    "git": gitremote.git,
    "pip": packages.pip,
    "uv": packages.uv,
    "npm": packages.npm,
    "pnpm": packages.npm,
    "yarn": packages.npm,
    "go": golang.go,
}

_VERSION_ONLY = (("--version",), ("-V",), ("-v",), ("--help",), ("-h",), ("help",))


def program_key(argv: Sequence[str]) -> str:
    name = argv[0]
    if name.startswith("pip") and all(c in "0123456789." for c in name[3:]):
        return "pip"
    return name


def reach_of(program: Sequence[str], ctx: GuardContext) -> Reach | None:
    """Where `program` (an argv, `python -m` already stripped) connects; None when it is
    not a network command."""
    key = program_key(program)
    args = list(program[1:])
    if key in _PYTHON_SERVING:
        reach = Reach(key, ctx.env, ctx.root, ctx.cwd)
        return reach.refuse(f"python -m {key} serves on or fetches from the network by itself")
    if key in UNJUDGED:
        reach = Reach(key, ctx.env, ctx.root, ctx.cwd)
        return reach.refuse(f"the guard does not judge where {key} connects: use curl, wget, "
                            "git or a package manager")  # fmt: skip
    reader = _READERS.get(key)
    if reader is None or tuple(args) in _VERSION_ONLY:
        return None
    reach = reader(Reach(key, ctx.env, ctx.root, ctx.cwd), args)
    if reach.problem is None and not reach.hosts:
        return None  # this use of the program stays on the machine
    return reach


def allowed_hosts(ctx: GuardContext) -> tuple[bool, list[str], list[str]]:
    """(the level grants the network, the hosts it lists, the opt-in variables unset)."""
    granted, hosts, env = ctx.policy.network(ctx.level)
    unset = [f"{key}={value}" for key, value in env.items() if ctx.env.get(key) != value]
    return granted, list(hosts) or list(DEFAULT_HOSTS), unset


def judged_reach(
    verdict: Verdict, reach: Reach, ctx: GuardContext, deny: Callable[[str, str], Verdict]
) -> Verdict:
    """`verdict` once the command's reach is judged: an allowed command that would go where
    the level lists no host is denied (with `deny(rule, reason)`); the hosts are recorded."""
    refused = network_denial(reach, ctx) if verdict.allowed else None
    if refused is not None:
        verdict = deny(*refused)
    verdict.network = reach.hosts
    return verdict


def network_denial(reach: Reach, ctx: GuardContext) -> tuple[str, str] | None:
    """(rule, reason) denying the network command, or None when the level lets it go."""
    if reach.problem is not None:
        return "network: unproven", reach.problem
    granted, hosts, unset = allowed_hosts(ctx)
    if not granted:
        return "network: level", (
            f"{reach.program} reaches the network ({', '.join(reach.hosts)}), and level "
            f"{ctx.level} grants none: online work needs a level with `network:` in the policy"
        )
    if unset:
        return "network: opt-in", (
            f"the network at {ctx.level} needs the operator's opt-in: set {', '.join(unset)}"
        )
    unlisted = [host for host in reach.hosts if not listed(host, hosts)]
    if unlisted:
        return "network: host", (
            f"{', '.join(unlisted)} is not a host level {ctx.level} lists "
            f"(listed: {', '.join(hosts)})"
        )
    return None
