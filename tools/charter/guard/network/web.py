"""curl and wget: every URL they are given, every proxy, and the options that would send
them somewhere the arguments do not say (redirects, config files, name overrides).

Options are read from tables; an option not in them is refused, since it might
take the next word as its value and hide a URL, or change where the program
connects. Redirects are refused: a listed host may answer with any other.
"""

from __future__ import annotations

import os

from charter.guard.network.reach import Reach

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

# fmt: off
_CURL_SHORT_VALUE = frozenset("AbcCdDeEFHKmoPQrTtuUwxXyYz")
_CURL_SHORT_FLAG = frozenset("0123456aBfgGIijJklMnNOpqRsSvVZ#")
_CURL_LONG_VALUE = frozenset({
    "user-agent", "cookie", "cookie-jar", "continue-at", "data", "data-ascii", "data-binary",
    "data-raw", "data-urlencode", "dump-header", "referer", "cert", "cert-type", "form",
    "form-string", "header", "max-time", "output", "ftp-port", "quote", "range", "upload-file",
    "user", "proxy-user", "write-out", "request", "speed-limit", "speed-time", "time-cond",
    "connect-timeout", "retry", "retry-delay", "retry-max-time", "cacert", "capath", "key",
    "key-type", "pass", "limit-rate", "max-filesize", "output-dir", "url", "proxy", "preproxy",
    "json", "oauth2-bearer", "ciphers", "tls-max", "expect100-timeout", "keepalive-time",
    "max-redirs", "interface", "local-port", "trace", "trace-ascii", "stderr", "variable",
    "proto", "proto-redir", "proto-default", "etag-save", "etag-compare", "aws-sigv4",
    "create-file-mode", "parallel-max", "happy-eyeballs-timeout-ms", "sasl-authzid",
})
_CURL_LONG_FLAG = frozenset({
    "fail", "fail-with-body", "silent", "show-error", "verbose", "include", "head", "insecure",
    "remote-name", "remote-name-all", "remote-header-name", "compressed", "get", "http1.0",
    "http1.1", "http2", "http3", "ipv4", "ipv6", "no-buffer", "no-keepalive", "progress-bar",
    "globoff", "create-dirs", "retry-connrefused", "retry-all-errors", "no-progress-meter",
    "remote-time", "xattr", "tcp-nodelay", "tcp-fastopen", "tlsv1.2", "tlsv1.3", "ssl-reqd",
    "compressed-ssh", "netrc", "netrc-optional", "anyauth", "basic", "digest", "ntlm",
    "negotiate", "parallel", "parallel-immediate", "fail-early", "styled-output",
    "no-styled-output", "path-as-is", "raw", "junk-session-cookies", "disable-eprt",
    "disable-epsv", "no-sessionid", "no-alpn", "no-npn", "skip-existing", "no-clobber",
    "remove-on-error", "http2-prior-knowledge", "sslv2", "sslv3", "list-only", "append",
    "crlf", "use-ascii", "manual", "version", "help",
})
# where the connection really goes is not what the URL says
_CURL_REFUSED = {
    "location": "follows redirects to hosts the guard cannot see (-L): download from the "
    "final URL",
    "location-trusted": "follows redirects to hosts the guard cannot see",
    "config": "reads options (URLs, proxies) from a file the guard does not judge",
    "connect-to": "connects to another host than the URL names",
    "resolve": "connects to another address than the URL's host resolves to",
    "doh-url": "resolves names through a server the guard does not judge",
    "dns-servers": "resolves names through servers the guard does not judge",
    "unix-socket": "connects through a socket the guard cannot judge",
    "abstract-unix-socket": "connects through a socket the guard cannot judge",
    "next": "starts another transfer with its own options: run one curl per URL",
    "socks4": "sends the connection through a proxy", "socks4a": "sends the connection "
    "through a proxy", "socks5": "sends the connection through a proxy", "socks5-hostname":
    "sends the connection through a proxy",
}
_CURL_SHORT_NAMES = {"L": "location", "K": "config", "x": "proxy", ":": "next"}

_WGET_SHORT_VALUE = frozenset("oaeiBtOTwQPUlDRAIX")
_WGET_SHORT_FLAG = frozenset("VhbdqvFcNSxkKE46")
_WGET_MULTI_SHORT = frozenset({"-nv", "-nc", "-nH", "-nd", "-np"})
_WGET_LONG_VALUE = frozenset({
    "output-file", "append-output", "tries", "output-document", "timeout", "dns-timeout",
    "connect-timeout", "read-timeout", "wait", "waitretry", "quota", "limit-rate",
    "directory-prefix", "user-agent", "header", "user", "password", "http-user",
    "http-password", "post-data", "post-file", "body-data", "body-file", "method",
    "ca-certificate", "ca-directory", "certificate", "private-key", "secure-protocol",
    "max-redirect", "progress", "restrict-file-names", "referer", "load-cookies",
    "save-cookies", "compression", "retry-on-http-error", "bind-address", "report-speed",
    "https-only",
})
_WGET_LONG_FLAG = frozenset({
    "version", "help", "background", "debug", "quiet", "verbose", "no-verbose",
    "no-clobber", "continue", "timestamping", "server-response", "spider", "no-check-certificate",
    "no-cache", "no-cookies", "ignore-length", "no-config", "inet4-only", "inet6-only",
    "content-disposition", "trust-server-names", "auth-no-challenge", "show-progress",
    "no-http-keep-alive", "no-dns-cache", "adjust-extension", "no-directories",
    "no-host-directories", "no-parent", "force-directories", "ignore-case", "no-proxy",
    "retry-connrefused", "unlink", "backups",
})
_WGET_REFUSED = {
    "execute": "runs wgetrc commands (a proxy, other URLs) given on the command line",
    "input-file": "reads URLs from a file the guard does not judge",
    "config": "reads settings (proxies, URLs) from a file the guard does not judge",
    "recursive": "follows links to pages the guard cannot see",
    "mirror": "follows links to pages the guard cannot see",
    "page-requisites": "follows links to pages the guard cannot see",
    "span-hosts": "follows links to other hosts",
    "base": "resolves links against a base the guard does not judge",
    "force-html": "reads URLs from a file the guard does not judge",
    "use-askpass": "runs a program to ask for a password",
}
_WGET_SHORT_NAMES = {"e": "execute", "i": "input-file", "r": "recursive", "m": "mirror",
                     "p": "page-requisites", "H": "span-hosts", "B": "base", "F": "force-html",
                     "L": "relative"}
# fmt: on


def curl(reach: Reach, args: Sequence[str]) -> Reach:
    urls: list[str] = []
    index = 0
    if not (args and args[0] in ("-q", "--disable")):
        rc = _first_existing(reach, _curlrc_paths(reach))
        if rc is not None:
            return reach.refuse(f"curl reads {rc}, which can set proxies and URLs: start "
                                "with -q, or remove the file")  # fmt: skip
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            urls.extend(args[index:])
            break
        if arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
            if name.startswith("no-") and name[3:] in _CURL_LONG_FLAG | _CURL_LONG_VALUE:
                continue
            if name in _CURL_REFUSED:
                return reach.refuse(f"curl --{name} {_CURL_REFUSED[name]}")
            if name in _CURL_LONG_FLAG and not eq:
                continue
            if name not in _CURL_LONG_VALUE:
                return reach.refuse(f"curl --{name} is not an option the guard knows")
            if not eq:
                if index >= len(args):
                    return reach.refuse(f"curl --{name} needs a value")
                value = args[index]
                index += 1
            _curl_value(reach, name, value, urls)
        elif arg.startswith("-") and len(arg) > 1:
            letters = arg[1:]
            for position, letter in enumerate(letters):
                named = _CURL_SHORT_NAMES.get(letter)
                if named in _CURL_REFUSED:
                    return reach.refuse(f"curl -{letter} {_CURL_REFUSED[named]}")
                if letter in _CURL_SHORT_FLAG:
                    continue
                if letter not in _CURL_SHORT_VALUE:
                    return reach.refuse(f"curl -{letter} is not an option the guard knows")
                value = letters[position + 1 :]
                if not value:
                    if index >= len(args):
                        return reach.refuse(f"curl -{letter} needs a value")
                    value = args[index]
                    index += 1
                _curl_value(reach, "proxy" if letter == "x" else letter, value, urls)
                break
        else:
            urls.append(arg)
    if not urls:
        return reach.refuse("curl names no URL")
    for url in urls:
        if url.lower().startswith("file:"):
            return reach.refuse("curl file:// reads files past the path rules: use cat")
        reach.url(url)
    reach.env_proxies()
    return reach


# options whose value may name a file to send with `@FILE` (`-d @.env`): the path rules do
# not see inside the value, so the form is refused
_CURL_FILE_VALUES = frozenset({"d", "data", "data-ascii", "data-binary", "data-urlencode",
                               "json", "F", "form", "b", "cookie", "H", "header"})  # fmt: skip


def _curl_value(reach: Reach, name: str, value: str, urls: list[str]) -> None:
    if name in _CURL_FILE_VALUES and "@" in value:
        reach.refuse(f"curl {'-' if len(name) == 1 else '--'}{name} {value[:30]!r} can send a "
                     "file (@FILE) past the path rules: send literal data")  # fmt: skip
    elif name == "url":
        urls.append(value)
    elif name in ("proxy", "preproxy"):
        reach.proxy(value, f"curl --{name}")
    elif name in ("proto-redir", "max-redirs"):
        pass  # only matter with -L, which is refused


def wget(reach: Reach, args: Sequence[str]) -> Reach:
    urls: list[str] = []
    redirects: str | None = None
    no_config = "--no-config" in args
    if not no_config:
        if reach.env.get("WGETRC"):
            return reach.refuse("WGETRC names a settings file the guard does not judge")
        rc = _first_existing(reach, [os.path.join(reach.home, ".wgetrc")] if reach.home else [])
        if rc is not None:
            return reach.refuse(f"wget reads {rc}, which can set proxies: add --no-config")
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            urls.extend(args[index:])
            break
        if arg in _WGET_MULTI_SHORT:
            continue
        if arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
            base = name[3:] if name.startswith("no-") else name
            if base in _WGET_REFUSED:
                return reach.refuse(f"wget --{name} {_WGET_REFUSED[base]}")
            if name in _WGET_LONG_FLAG and not eq:
                continue
            if name not in _WGET_LONG_VALUE:
                return reach.refuse(f"wget --{name} is not an option the guard knows")
            if not eq:
                if index >= len(args):
                    return reach.refuse(f"wget --{name} needs a value")
                value = args[index]
                index += 1
            if name == "max-redirect":
                redirects = value
            elif name in ("post-file", "body-file"):
                return reach.refuse(f"wget --{name} sends a file past the path rules")
        elif arg.startswith("-") and len(arg) > 1:
            letters = arg[1:]
            for position, letter in enumerate(letters):
                named = _WGET_SHORT_NAMES.get(letter)
                if named in _WGET_REFUSED:
                    return reach.refuse(f"wget -{letter} {_WGET_REFUSED[named]}")
                if letter in _WGET_SHORT_FLAG:
                    continue
                if letter not in _WGET_SHORT_VALUE:
                    return reach.refuse(f"wget -{letter} is not an option the guard knows")
                if not letters[position + 1 :]:
                    index += 1
                break
        else:
            urls.append(arg)
    if not urls:
        return reach.refuse("wget names no URL")
    if redirects != "0":
        return reach.refuse("wget follows redirects to hosts the guard cannot see: add "
                            "--max-redirect=0 and download from the final URL")  # fmt: skip
    for url in urls:
        reach.url(url)
    reach.env_proxies()
    return reach


def _curlrc_paths(reach: Reach) -> list[str]:
    paths = []
    for base in (reach.env.get("CURL_HOME"), reach.env.get("XDG_CONFIG_HOME"), reach.home):
        if base:
            paths.append(os.path.join(base, ".curlrc"))
    if reach.home:
        paths.append(os.path.join(reach.home, ".config", ".curlrc"))
    return paths


def _first_existing(reach: Reach, paths: list[str]) -> str | None:
    for path in paths:
        if os.path.exists(path):
            return path
    return None
