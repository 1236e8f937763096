"""git: the remotes a command talks to, with their URLs as git itself rewrites them.

Remote names and URLs are resolved by git (`git remote get-url`, `git ls-remote
--get-url`, which apply `url.<base>.insteadOf`); a command that names no remote
is judged on every remote (and every submodule), a superset of what it may use.
Settings that send git elsewhere or run a program to connect (proxies are
judged as hosts; `core.sshCommand`, `core.gitProxy`, `url.*.pushInsteadOf`,
remote helpers) deny.
"""

from __future__ import annotations

import os
import re
import subprocess

from charter.guard.network.reach import Reach
from charter.guard.network.shells import ssh_config

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

NETWORK = frozenset({"clone", "fetch", "pull", "push", "ls-remote", "remote", "submodule",
                     "request-pull", "send-email", "lfs", "svn", "p4"})  # fmt: skip
_UNJUDGED = {
    "send-email": "sends mail through a server the guard does not judge",
    "lfs": "talks to LFS endpoints the guard does not judge",
    "svn": "talks to Subversion servers the guard does not judge",
    "p4": "talks to Perforce servers the guard does not judge",
}
_REDIRECTING = re.compile(
    r"^(core\.sshcommand|core\.gitproxy|url\..*\.pushinsteadof|remote\..*\.(vcs|uploadpack|"
    r"receivepack)|protocol\.ext\.allow|lfs\..*)$"
)
_PROXY = re.compile(r"^(http|https)(\..*)?\.proxy$|^remote\..*\.proxy$")


def git(reach: Reach, args: Sequence[str]) -> Reach:
    """`args` after `git` (global options were refused by the built-ins)."""
    words = [a for a in args if not a.startswith("-")]
    if not words or words[0] not in NETWORK:
        return reach
    sub = words[0]
    rest = list(args[args.index(sub) + 1 :])
    operands = [a for a in rest if not a.startswith("-")]
    if sub in _UNJUDGED:
        return reach.refuse(f"git {sub} {_UNJUDGED[sub]}")
    if sub == "remote":
        if not operands or operands[0] not in ("update", "add", "show", "prune", "set-head"):
            return reach  # listing and editing remotes stays on the machine
        if operands[0] == "add" and not any(a in ("-f", "--fetch") for a in rest):
            return reach
        if operands[0] == "show" and "-n" in rest:
            return reach
    config = _config(reach)
    if reach.problem is not None:
        return reach
    for key, value in config:
        if _REDIRECTING.match(key):
            return reach.refuse(
                f"git's configuration sets {key}, which can send git to "
                "another host or run a program: remote hosts cannot be proven"
            )
        if _PROXY.match(key):
            reach.proxy(value, f"git's configuration sets {key}")
    push = sub == "push"
    if sub == "clone":
        if any(a.startswith(("--recurse-submodules", "--recursive")) for a in rest):
            return reach.refuse(
                "git clone --recurse-submodules fetches submodules the guard "
                "cannot see before the clone: clone, then update them"
            )
        targets = operands[:1]
        if not targets:
            return reach.refuse("git clone names no repository")
        _location(reach, targets[0], push=False)
    elif sub == "submodule":
        for key, value in config:
            if key.startswith("submodule.") and key.endswith(".url"):
                _location(reach, value, push=False)
        _gitmodules(reach)
    else:
        names = _remote_names(reach)
        named = (
            [op for op in operands[1:2] if op not in ("update",)]
            if sub == "remote"
            else (operands[:1] if not any(a in ("--all", "--multiple") for a in rest) else [])
        )
        if sub == "remote" and operands[0] == "add":
            named = operands[2:3]
        targets = named or names
        if sub == "remote" and operands[0] == "update":
            targets = names
        if any(a in ("--all", "--multiple") for a in rest):
            targets = names + [op for op in operands if op not in names]
        for target in targets:
            _location(reach, target, push=push, remote=target in names)
        if sub in ("fetch", "pull") and "--no-recurse-submodules" not in rest:
            _gitmodules(reach)
        if not targets:
            return reach.refuse(f"git {sub}: no remote is configured to judge")
    reach.env_proxies()
    return reach


def _location(reach: Reach, target: str, *, push: bool, remote: bool = False) -> None:
    if remote:
        query = ["remote", "get-url", "--all", *(["--push"] if push else []), target]
    else:
        query = ["ls-remote", "--get-url", target]
    output = _git(reach, query)
    if output is None:
        return
    for url in output.splitlines() or [target]:
        url = url.strip()
        if "::" in url.split("/", 1)[0] or url.startswith("ext::"):
            reach.refuse(f"{url[:60]!r} goes through a remote helper the guard does not judge")
            return
        if url.startswith("file://") or ("://" not in url and not _scp_like(reach, url)):
            continue  # a local repository
        before = len(reach.hosts)
        reach.remote(url)
        if len(reach.hosts) > before and not url.startswith(("http://", "https://")):
            ssh_config(reach)


def _scp_like(reach: Reach, text: str) -> bool:
    head = text.split(":", 1)[0]
    return ":" in text and "/" not in head and not os.path.exists(os.path.join(reach.cwd, text))


def _gitmodules(reach: Reach) -> None:
    path = os.path.join(reach.root, ".gitmodules")
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return
    except (OSError, UnicodeDecodeError):
        reach.refuse(".gitmodules cannot be read: the submodules' hosts cannot be judged")
        return
    for match in re.finditer(r"^\s*url\s*=\s*(\S+)", text, re.MULTILINE):
        _location(reach, match.group(1), push=False)


def _remote_names(reach: Reach) -> list[str]:
    output = _git(reach, ["remote"])
    return [] if output is None else [name for name in output.split() if name]


def _config(reach: Reach) -> list[tuple[str, str]]:
    output = _git(reach, ["config", "--list", "-z"])
    if output is None:
        return []
    pairs = []
    for entry in output.split("\0"):
        if entry:
            key, _, value = entry.partition("\n")
            pairs.append((key.lower(), value))
    return pairs


def _git(reach: Reach, args: list[str]) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=reach.cwd, env=dict(reach.env), capture_output=True,
            text=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        reach.refuse(f"git could not be asked where it would connect ({exc})")
        return None
    if done.returncode != 0:
        if args[0] == "config":
            return ""  # no configuration at all
        if args[:2] == ["remote", "get-url"]:
            reach.refuse(f"git knows no remote {args[-1]!r}")
            return None
        return ""
    return done.stdout
