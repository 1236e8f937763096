"""ssh, scp, sftp and rsync: the hosts named in their operands, and the ssh settings that
would send a connection elsewhere (ProxyCommand, ProxyJump, HostName aliases).

ssh's own configuration can map `github.com` to any address or run a program
to connect: when a configuration file the client reads holds such a setting,
no ssh destination can be proven and the command is denied.
"""

from __future__ import annotations

import glob
import os

from charter.guard.network.reach import Reach

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

# fmt: off
_SSH_VALUE = frozenset("bcDEeFIiJLlmOopQRSWwB")
_SSH_FLAG = frozenset("46AaCfGgKkMNnqsTtVvXxYy")
_SSH_REFUSED = {
    "F": "reads a configuration file the guard does not judge",
    "J": "jumps through another host",
    "L": "forwards ports", "R": "forwards ports", "D": "opens a SOCKS proxy",
    "W": "forwards a connection", "w": "opens a tunnel",
    "S": "reuses a control connection that may lead anywhere",
    "O": "controls a running connection", "E": "writes a log file",
    "I": "loads a PKCS#11 library", "Q": "", "B": "binds an interface", "b": "binds an address",
    "e": "", "m": "", "c": "",
}
_SCP_VALUE = frozenset("cDFiJloPSX")
_SCP_FLAG = frozenset("346ABCOpqRrsTv")
# ssh -o settings that change nothing about where the connection goes
_SAFE_OPTIONS = frozenset({
    "batchmode", "connecttimeout", "stricthostkeychecking", "port", "user", "identityfile",
    "identitiesonly", "serveraliveinterval", "serveralivecountmax", "loglevel",
    "compression", "connectionattempts", "passwordauthentication", "pubkeyauthentication",
    "userknownhostsfile", "updatehostkeys", "addkeystoagent", "requesttty",
})
# ssh_config keywords that choose another host or run a program to connect
_REDIRECTING = frozenset({
    "proxycommand", "proxyjump", "hostname", "localcommand", "permitlocalcommand", "match",
    "include", "canonicalizehostname", "canonicaldomains", "knownhostscommand",
    "remotecommand", "controlpath", "controlmaster", "localforward", "remoteforward",
    "dynamicforward", "tunnel", "proxyusefdpass",
})
# fmt: on
_DEBIAN_INCLUDE = "/etc/ssh/ssh_config.d/*.conf"


def ssh(reach: Reach, args: Sequence[str]) -> Reach:
    operands = _operands(reach, "ssh", args, _SSH_VALUE, _SSH_FLAG)
    if reach.problem is not None:
        return reach
    if not operands:
        return reach.refuse("ssh names no host")
    destination = operands[0]
    if "://" in destination:
        reach.url(destination)
    elif ":" in destination:
        return reach.refuse(f"ssh destination {destination[:60]!r} is not [user@]host")
    else:
        reach.remote(destination + ":")
    if reach.problem is None and not reach.hosts:
        return reach.refuse(f"ssh destination {destination[:60]!r} is not [user@]host")
    return ssh_config(reach)


def scp(reach: Reach, args: Sequence[str]) -> Reach:
    operands = _operands(reach, "scp", args, _SCP_VALUE, _SCP_FLAG)
    if reach.problem is not None:
        return reach
    remote = False
    for operand in operands:
        before = len(reach.hosts)
        reach.remote(operand)
        remote = remote or len(reach.hosts) > before or reach.problem is not None
    if not remote:
        return reach.refuse(f"{reach.program} names no remote host")
    return ssh_config(reach)


def rsync(reach: Reach, args: Sequence[str]) -> Reach:
    for name in ("RSYNC_RSH", "RSYNC_CONNECT_PROG"):
        if reach.env.get(name):
            return reach.refuse(f"the environment sets {name}: rsync would connect through a "
                                "program the guard does not judge")  # fmt: skip
    if reach.env.get("RSYNC_PROXY"):
        reach.proxy(reach.env["RSYNC_PROXY"], "the environment sets RSYNC_PROXY")
    remote = False
    for arg in args:
        if arg.startswith("--connect-program") or arg.startswith("--rsh"):
            return reach.refuse("rsync would connect through a program the guard does not judge")
        if arg.startswith("-"):
            continue
        before = len(reach.hosts)
        if "::" in arg and "://" not in arg:
            reach.remote(arg.replace("::", ":", 1))
        else:
            reach.remote(arg)
        remote = remote or len(reach.hosts) > before
    if reach.problem is None and not remote:
        return reach  # local copies reach no host
    return ssh_config(reach)


def _operands(
    reach: Reach, name: str, args: Sequence[str], values: frozenset[str], flags: frozenset[str]
) -> list[str]:
    operands: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            operands.extend(args[index:])
            break
        if not arg.startswith("-") or arg == "-":
            operands.append(arg)
            if name == "ssh":
                break  # the rest is the remote command, run on that host
            continue
        letters = arg[1:]
        for position, letter in enumerate(letters):
            if letter in flags:
                continue
            if letter not in values:
                reach.refuse(f"{name} -{letter} is not an option the guard knows")
                return []
            value = letters[position + 1 :]
            if not value:
                if index >= len(args):
                    reach.refuse(f"{name} -{letter} needs a value")
                    return []
                value = args[index]
                index += 1
            if letter == "o":
                key = value.split("=", 1)[0].split()[0].lower() if value.strip() else ""
                if key not in _SAFE_OPTIONS:
                    reach.refuse(f"{name} -o {key or value!r} can change where the "
                                 "connection goes or what runs: not allowed")  # fmt: skip
                    return []
            elif name == "ssh" and letter in _SSH_REFUSED:
                reason = _SSH_REFUSED[letter] or "is not allowed for guarded connections"
                reach.refuse(f"ssh -{letter} {reason}")
                return []
            elif name != "ssh" and letter in "FJSDX":
                reach.refuse(f"{name} -{letter} changes how the connection is made: not allowed")
                return []
            break
    return operands


def ssh_config(reach: Reach) -> Reach:
    """Refuse when the environment or a configuration file ssh reads could redirect it."""
    if reach.problem is not None:
        return reach
    for name in ("GIT_SSH", "GIT_SSH_COMMAND", "SSH_CONFIG"):
        if reach.env.get(name) and (name != "SSH_CONFIG" or reach.program == "ssh"):
            return reach.refuse(f"the environment sets {name}: ssh would run or read "
                                "something the guard does not judge")  # fmt: skip
    files = [os.path.join(reach.home, ".ssh", "config")] if reach.home else []
    files += ["/etc/ssh/ssh_config", *sorted(glob.glob(_DEBIAN_INCLUDE))]
    for path in files:
        keyword = _redirecting_keyword(path)
        if keyword is not None:
            return reach.refuse(f"{path} sets {keyword}, which can send an ssh connection to "
                                "another host or run a program: ssh destinations cannot be "
                                "proven")  # fmt: skip
    return reach


def _redirecting_keyword(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        return None
    except OSError:
        return "(an unreadable file)"
    for line in lines:
        words = line.replace("=", " ").split()
        if not words or words[0].startswith("#"):
            continue
        keyword = words[0].lower()
        if (
            keyword == "include"
            and path == "/etc/ssh/ssh_config"
            and words[1:] == [_DEBIAN_INCLUDE]
        ):
            continue  # read above
        if keyword in _REDIRECTING:
            return words[0]
    return None
