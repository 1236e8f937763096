"""go: the module downloads a command asks for, and where they go.

`go get`, `go mod download`, and `go install`/`go run` of `PATH@VERSION`
fetch modules (and, for install and run, build and run their code) through
the module proxies `GOPROXY` lists, checked against the checksum database
`GOSUMDB` names; `direct` in `GOPROXY` fetches from each module's own host.
The settings are read from the environment, which overrides go's own
settings file; a setting the guard cannot read there (`off`, a file URL,
`GOFLAGS`) is judged as refusing or unproven. Other go commands stay on the
machine as far as their arguments say.
"""

from __future__ import annotations

from charter.guard.network.reach import Reach

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

DEFAULT_PROXY = "https://proxy.golang.org,direct"
DEFAULT_SUMDB = "sum.golang.org"


def _fetches(words: Sequence[str]) -> list[str] | None:
    """The module paths a go command downloads, or None when it downloads none."""
    if not words:
        return None
    sub, rest = words[0], list(words[1:])
    if sub == "get" or (sub == "mod" and rest[:1] == ["download"]):
        return [word for word in rest if word != "download"]
    if sub in ("install", "run") and any("@" in word for word in rest):
        return [word for word in rest if "@" in word]
    return None


def _required(reach: Reach) -> list[str]:
    """The modules the repository's go.mod requires (what `go mod download` fetches)."""
    import os
    import re

    try:
        with open(os.path.join(reach.cwd, "go.mod"), encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError):
        reach.refuse("go.mod cannot be read: the modules go fetches cannot be judged")
        return []
    found = re.findall(r"^[ \t]*require[ \t]+([^\s(]\S*)[ \t]+\S+", text, re.MULTILINE)
    for block in re.findall(r"^\s*require\s*\((.*?)\)", text, re.MULTILINE | re.DOTALL):
        found += re.findall(r"^\s*(\S+)\s+v\S*", block, re.MULTILINE)
    return found


def go(reach: Reach, args: Sequence[str]) -> Reach:
    words = [arg for arg in args if not arg.startswith("-")]
    modules = _fetches(words)
    if modules is None:
        return reach
    if any(arg.startswith(("-modfile", "--modfile")) for arg in args):
        return reach.refuse("go with another module file: its requirements cannot be judged")
    proxies = reach.env.get("GOPROXY", DEFAULT_PROXY)
    for entry in proxies.replace("|", ",").split(","):
        entry = entry.strip()
        if entry == "off":
            return reach  # go fetches nothing
        if entry == "direct":
            for module in modules or _required(reach):
                path = module.split("@", 1)[0]
                head = path.split("/", 1)[0]
                if "." not in head:
                    return reach.refuse(
                        f"go fetches {module!r} directly from a host its path does not name"
                    )
                reach.host(head)
        elif entry:
            reach.url(entry if "://" in entry else f"https://{entry}")
    sumdb = reach.env.get("GOSUMDB", DEFAULT_SUMDB)
    if sumdb != "off":
        name = sumdb.split()[-1] if " " in sumdb else sumdb
        reach.url(name if "://" in name else f"https://{name.split('+', 1)[0]}")
    reach.env_proxies()
    return reach
