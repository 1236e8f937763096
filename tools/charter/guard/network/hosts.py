"""Where a URL or a `[user@]host:path` goes, read strictly, and whether a policy lists it.

The readers refuse every spelling whose host two programs could read
differently: userinfo (`https://pypi.org@evil.example/`), percent-encoding,
backslashes, non-ASCII (IDN) names, and IP addresses in anything but their
plain form (`2130706433`, `0x7f.1`). A host is listed when it equals a listed
name, or ends in `.name` for a listed `*.name`; a trailing dot is dropped.
"""

from __future__ import annotations

import re

# Where the package managers go when nothing names another index or registry; a level
# with `network: true` (no host list) may reach these and nothing else.
DEFAULT_HOSTS = (
    "pypi.org",
    "files.pythonhosted.org",
    "registry.npmjs.org",
    "registry.yarnpkg.com",
)
PYPI = ("pypi.org", "files.pythonhosted.org")

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?\Z")
_OCTET = r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_DOTTED_QUAD = re.compile(_OCTET + r"(\." + _OCTET + r"){3}\Z")
_NUMERIC_LAST = re.compile(r"(0x[0-9a-f]*|\d+)\Z")
# schemes whose URLs never leave the machine
LOCAL_SCHEMES = frozenset({"file"})
# schemes a program may use to reach a host the guard can judge; `ssh` users are allowed
WEB_SCHEMES = frozenset({"http", "https"})
SSH_SCHEMES = frozenset({"ssh", "git+ssh", "ssh+git"})
REMOTE_SCHEMES = (
    WEB_SCHEMES
    | SSH_SCHEMES
    | frozenset({"git", "git+https", "git+http", "git+git", "rsync", "ftp", "sftp", "scp"})
)


class HostError(ValueError):
    """The text names no host the guard can prove: the reason, for the denial."""


def scheme_of(text: str) -> str | None:
    match = _SCHEME.match(text)
    return match.group(1).lower() if match else None


def url_host(url: str, *, schemes: frozenset[str] = REMOTE_SCHEMES) -> str | None:
    """The host `url` reaches; None for a local (`file:`) URL. HostError when unprovable."""
    scheme = scheme_of(url)
    if scheme is None:
        raise HostError(f"{url[:60]!r} is not a URL with a scheme (https://...)")
    if scheme in LOCAL_SCHEMES:
        return None
    if scheme not in schemes:
        raise HostError(f"the scheme {scheme}:// is not one the guard judges here")
    rest = url[len(scheme) + 3 :]
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in authority:
        user, _, authority = authority.rpartition("@")
        if scheme not in SSH_SCHEMES or not _plain_user(user):
            raise HostError(
                f"{url[:60]!r} holds userinfo (text before @): the host is not what it "
                "seems to a reader, and credentials do not belong on a command line"
            )
    return _host_port(authority, url)


def scp_host(text: str) -> str | None:
    """The host of scp-like `[user@]host:path` (git, scp, rsync), or None for a local path."""
    if text.startswith(("/", "./", "../", "~")) or ":" not in text:
        return None
    head = text.split(":", 1)[0]
    if "/" in head:
        return None  # git and scp read a slash before the colon as a local path
    if "@" in head:
        user, _, head = head.rpartition("@")
        if not _plain_user(user):
            raise HostError(f"{text[:60]!r}: the user part before @ is not a plain name")
    if head.startswith("["):
        raise HostError(f"{text[:60]!r}: bracketed addresses are not judged")
    return check_host(head, text)


def _plain_user(user: str) -> bool:
    return bool(user) and re.fullmatch(r"[A-Za-z0-9._-]+", user) is not None


def _host_port(authority: str, url: str) -> str:
    if authority.startswith("["):
        raise HostError(f"{url[:60]!r}: IPv6 address literals are not judged: name the host")
    host, sep, port = authority.partition(":")
    if sep and not port.isdigit():
        raise HostError(f"{url[:60]!r}: the port {port!r} is not a number")
    return check_host(host, url)


def check_host(host: str, where: str) -> str:
    """`host` in its one canonical spelling, or HostError."""
    if not host:
        raise HostError(f"{where[:60]!r} names no host")
    if not host.isascii():
        raise HostError(
            f"{host!r} is not ASCII: international names are judged only in their xn-- form, "
            "exactly as listed"
        )
    if any(char in host for char in "%\\@ \t"):
        raise HostError(f"{host!r} holds characters no host name has (% \\ @ or a space)")
    name = host.lower()
    if name.endswith("."):
        name = name[:-1]
    labels = name.split(".")
    if not all(_LABEL.match(label) for label in labels):
        raise HostError(f"{host!r} is not a host name (letters, digits, - and dots)")
    if _NUMERIC_LAST.match(labels[-1]) and not _DOTTED_QUAD.match(name):
        raise HostError(
            f"{host!r} reads as an IP address in an unusual form: write the dotted address"
        )
    return name


def listed(host: str, allowed: tuple[str, ...] | list[str]) -> bool:
    """Whether the canonical `host` is on the list (exact names, or `*.suffix`)."""
    for entry in allowed:
        pattern = entry.lower().rstrip(".")
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and host != pattern[2:]:
                return True
        elif host == pattern:
            return True
    return False


def proxy_host(value: str) -> str:
    """The host of a proxy setting (`http://proxy:3128`, `proxy:3128`)."""
    text = value.strip()
    if scheme_of(text) is None:
        text = "http://" + text
    host = url_host(text, schemes=WEB_SCHEMES | frozenset({"socks4", "socks5", "socks5h"}))
    if host is None:
        raise HostError(f"the proxy {value[:60]!r} is not a host")
    return host
