"""What one network command reaches: its hosts, or why they cannot be proven.

Readers add every destination they find: URLs in the arguments, the index or
registry a package manager falls back to, configured mirrors and proxies. The
first thing they cannot read makes the destination unprovable, and the command
is denied at every level (fail closed).
"""

from __future__ import annotations

from charter.guard.network.hosts import HostError, proxy_host, scp_host, url_host

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

# proxy variables every HTTP client here honours (curl reads http_proxy only in lower case,
# the others either: both are read, so a set variable is never overlooked)
PROXY_VARIABLES = (
    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
    "ftp_proxy", "FTP_PROXY",
)  # fmt: skip


class Reach:
    __slots__ = ("cwd", "env", "home", "hosts", "problem", "program", "root")

    def __init__(self, program: str, env: Mapping[str, str], root: str, cwd: str):
        self.program = program
        self.env = env
        self.root = root
        self.cwd = cwd
        self.home = env.get("HOME", "")
        self.hosts: list[str] = []
        self.problem: str | None = None

    def refuse(self, reason: str) -> Reach:
        if self.problem is None:
            self.problem = reason
        return self

    def host(self, host: str | None) -> None:
        if host is not None and host not in self.hosts:
            self.hosts.append(host)

    def url(self, text: str) -> None:
        try:
            self.host(url_host(text))
        except HostError as exc:
            self.refuse(str(exc))

    def remote(self, text: str) -> None:
        """A git/scp/rsync location: a URL, `[user@]host:path`, or a local path."""
        try:
            if "://" in text:
                self.host(url_host(text))
            else:
                self.host(scp_host(text))
        except HostError as exc:
            self.refuse(str(exc))

    def proxy(self, value: str, where: str) -> None:
        try:
            self.host(proxy_host(value))
        except HostError as exc:
            self.refuse(f"{where}: {exc}")

    def env_proxies(self) -> None:
        """A proxy in the environment is where the connection goes first: it must be listed."""
        for name in PROXY_VARIABLES:
            value = self.env.get(name)
            if value:
                self.proxy(value, f"the environment sets {name}")
