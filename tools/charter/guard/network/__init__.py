"""Guarded online work: which commands reach the network, where, and whether the level
lets them (docs/guard.md, "Online work").

A network command is allowed only at a level that grants the network
(`network: true`, or a list of hosts, with the level's opt-in variables set),
and only when every host it reaches is listed (`network: true` lists the
package registries, `hosts.DEFAULT_HOSTS`). A command whose destination
cannot be proven is denied at every level. The other rules (allow rules, paths)
still apply; this is one more way to be denied, never a way to be allowed.
"""

from __future__ import annotations

# programs that reach the network in ways the guard does not read: denied at every level
UNJUDGED = frozenset({
    "nc", "ncat", "netcat", "socat", "telnet", "ftp", "tftp", "lftp", "nmap", "aria2c",
    "http", "https", "xh", "httpie", "sftp-server", "openssl", "ssh-keyscan", "axel",
})  # fmt: skip
# python modules that serve on the network, or fetch from it on their own
PYTHON_SERVING = frozenset({"http.server", "smtpd", "xmlrpc.server", "ftplib", "smtplib",
                            "urllib.request", "webbrowser", "pydoc", "imaplib", "poplib",
                            "nntplib", "telnetlib", "wsgiref.simple_server", "http.client",
                            "xmlrpc.client", "aiosmtpd"})  # fmt: skip
JUDGED = frozenset({"curl", "wget", "ssh", "scp", "sftp", "rsync", "git", "pip", "uv", "npm",
                    "pnpm", "yarn", "go"})  # fmt: skip
# every program name the network judge reads (pip3, pip3.12 are `pip`); the decision loads
# the judge only for these, so other commands pay nothing for it
NAMES = UNJUDGED | PYTHON_SERVING | JUDGED


def is_network_name(name: str) -> bool:
    if name.startswith("pip") and all(c in "0123456789." for c in name[3:]):
        return True
    return name in NAMES
