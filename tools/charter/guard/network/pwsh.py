"""PowerShell's web cmdlets (Invoke-WebRequest, Invoke-RestMethod and their aliases
iwr, irm, and curl and wget in Windows PowerShell): the URL, the proxy, redirects.

Parameters are matched as PowerShell does, case-folded and by any unambiguous
prefix; one the table does not know is refused (it might take the URL's place).
Both cmdlets follow redirects unless `-MaximumRedirection 0` says otherwise.
"""

from __future__ import annotations

from charter.guard.network.reach import Reach

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

WEB_CMDLETS = frozenset({"invoke-webrequest", "invoke-restmethod"})

# fmt: off
_VALUES = ("uri", "outfile", "infile", "method", "body", "contenttype", "useragent",
           "timeoutsec", "maximumredirection", "maximumretrycount", "retryintervalsec",
           "proxy", "transferencoding", "sslprotocol", "authentication", "custommethod",
           "httpversion", "connectiontimeoutseconds", "operationtimeoutseconds")
_SWITCHES = ("usebasicparsing", "skipcertificatecheck", "proxyusedefaultcredentials",
             "noproxy", "passthru", "resume", "skiphttperrorcheck", "disablekeepalive",
             "preserveauthorizationonredirect", "allowunencryptedauthentication",
             "skipheadervalidation", "allowinsecureredirect", "verbose", "debug")
_REFUSED = {
    "credential": "hands a credential over: not allowed for guarded downloads",
    "proxycredential": "hands a credential over: not allowed for guarded downloads",
    "websession": "reuses a session object the guard cannot see",
    "sessionvariable": "assigns a PowerShell variable",
    "responseheadersvariable": "assigns a PowerShell variable",
    "statuscodevariable": "assigns a PowerShell variable",
    "headers": "takes a hashtable the guard cannot read",
    "form": "takes a hashtable the guard cannot read",
    "certificate": "takes an object the guard cannot read",
    "certificatethumbprint": "selects a certificate from the store",
    "token": "hands a credential over: not allowed for guarded downloads",
}
# fmt: on
_ALL = (*_VALUES, *_SWITCHES, *_REFUSED)


def _parameter(text: str) -> str | None:
    name = text[1:].lower()
    if name in _ALL:
        return name
    matches = [known for known in _ALL if known.startswith(name)]
    return matches[0] if len(matches) == 1 else None


def web_cmdlet(reach: Reach, args: Sequence[str]) -> tuple[Reach, set[int]]:
    """The reach of an Invoke-WebRequest/Invoke-RestMethod call, and the positions of its
    URL arguments (not paths, for the path checks)."""
    urls: list[str] = []
    url_positions: set[int] = set()
    redirects: str | None = None
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg.startswith("-") and len(arg) > 1:
            name = _parameter(arg)
            if name is None:
                return reach.refuse(f"{arg} is not a parameter the guard knows (or it is "
                                    "ambiguous): write it in full"), url_positions  # fmt: skip
            if name in _REFUSED:
                return reach.refuse(f"-{name} {_REFUSED[name]}"), url_positions
            if name in _SWITCHES:
                continue
            if index >= len(args):
                return reach.refuse(f"{arg} needs a value"), url_positions
            value = args[index]
            index += 1
            if name == "uri":
                urls.append(value)
                url_positions.add(index - 1)
            elif name == "proxy":
                reach.proxy(value, "-Proxy")
                url_positions.add(index - 1)
            elif name == "maximumredirection":
                redirects = value
        else:
            urls.append(arg)
            url_positions.add(index - 1)
    if len(urls) != 1:
        return reach.refuse("the call must name exactly one -Uri"), url_positions
    if redirects != "0":
        return reach.refuse("the cmdlet follows redirects to hosts the guard cannot see: add "
                            "-MaximumRedirection 0"), url_positions  # fmt: skip
    if urls[0].lower().startswith("file:"):
        return reach.refuse("file: URIs read files past the path rules"), url_positions
    reach.url(urls[0])
    reach.env_proxies()
    return reach, url_positions
