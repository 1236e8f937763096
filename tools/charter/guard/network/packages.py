"""Package managers: the index or registry they use, from the command line, the
environment and their configuration files, and every URL a package spec names.

pip and uv fall back to PyPI (pypi.org, files.pythonhosted.org), npm and pnpm
to registry.npmjs.org, yarn to registry.yarnpkg.com. A configuration file is
read for every URL and proxy in it; one that cannot be read denies. What the
downloaded packages do when they build or install is not the guard's to see
(docs/guard.md, "Online work").
"""

from __future__ import annotations

import json
import os
import re

from charter.guard.network.hosts import PYPI
from charter.guard.network.reach import Reach

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>,;)\]}]+")

PIP_NETWORK = frozenset({"install", "download", "wheel", "index", "search", "lock"})
# uv subcommands that leave the machine only through the index
UV_NETWORK = frozenset({"add", "remove", "sync", "lock", "build", "export", "tree"})
UV_PIP_NETWORK = frozenset({"install", "sync", "compile"})
NPM_NETWORK = frozenset({
    "install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal",
    "isntall", "add", "ci", "clean-install", "ic", "install-clean", "isntall-clean", "update",
    "up", "upgrade", "udpate", "audit", "outdated", "view", "v", "info", "show", "publish",
    "unpublish", "dedupe", "ddp", "doctor", "login", "logout", "adduser", "search", "s", "se",
    "find", "ping", "whoami", "dist-tag", "deprecate", "owner", "access", "token", "star",
    "stars", "unstar", "fetch", "install-test", "it", "install-ci-test", "cit", "pack",
})  # fmt: skip
YARN_NETWORK = frozenset(
    {
        "add",
        "install",
        "upgrade",
        "up",
        "outdated",
        "audit",
        "info",
        "npm",
        "publish",
        "import",
        "upgrade-interactive",
        "why",
        "dedupe",
    }
)
_GIT_HOSTS = {"github": "github.com", "gitlab": "gitlab.com", "bitbucket": "bitbucket.org",
              "gist": "gist.github.com"}  # fmt: skip


def pip(reach: Reach, args: Sequence[str]) -> Reach:
    sub = _leading_subcommand(args)
    if sub is not None and sub not in PIP_NETWORK and not (sub == "list" and _outdated(args)):
        return reach
    index_set = False
    no_index = False
    position = 0
    while position < len(args):
        arg = args[position]
        position += 1
        name, eq, value = arg.partition("=")
        takes, attached = _pip_value_option(name)
        if takes is not None and not eq:
            if attached is not None:
                value = attached
            else:
                value = args[position] if position < len(args) else ""
                position += 1
        if takes == "index":
            index_set = True
        elif takes == "proxy":
            reach.proxy(value, "pip --proxy")
        elif takes == "requirement":
            _requirements(reach, value, 0)
        elif name == "--no-index":
            no_index = True
        for url in _URL.findall(value if takes else arg):
            reach.url(url)
    index_set = index_set or bool(reach.env.get("PIP_INDEX_URL"))
    for variable in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS"):
        for url in _URL.findall(reach.env.get(variable, "")):
            reach.url(url)
    if reach.env.get("PIP_PROXY"):
        reach.proxy(reach.env["PIP_PROXY"], "the environment sets PIP_PROXY")
    index_set = _pip_config(reach) or index_set
    if not no_index and not index_set:
        for host in PYPI:
            reach.host(host)
    reach.env_proxies()
    return reach


def _leading_subcommand(args: Sequence[str]) -> str | None:
    """The subcommand when it is the first word; None when options come first (one of them
    may take the next word as its value, so the subcommand is not certain: judged as
    reaching the network)."""
    if args and not args[0].startswith("-"):
        return args[0]
    return None


def _outdated(args: Sequence[str]) -> bool:
    return any(a in ("-o", "--outdated", "-u", "--uptodate") for a in args)


def _pip_value_option(name: str) -> tuple[str | None, str | None]:
    """What the value of pip option `name` is, for the options that matter, and the value
    when it is attached (`-ihttps://...`, `-qr req.txt` reads -r). optparse takes any
    unambiguous prefix of a long option."""
    if name.startswith("-") and not name.startswith("--") and len(name) > 1:
        letters = name[1:]
        for position, letter in enumerate(letters):
            kind = _PIP_SHORT.get(letter)
            if kind is not None:
                return kind, letters[position + 1 :] or None
        return None, None
    if not name.startswith("--") or len(name) < 5:
        return None, None
    for option, kind in (("--index-url", "index"), ("--extra-index-url", "url"),
                         ("--find-links", "url"), ("--proxy", "proxy"),
                         ("--requirement", "requirement"), ("--constraint", "requirement"),
                         ("--editable", "url")):  # fmt: skip
        if option.startswith(name):
            return kind, None
    return None, None


_PIP_SHORT = {"i": "index", "r": "requirement", "c": "requirement", "f": "url", "e": "url"}


def _requirements(reach: Reach, name: str, depth: int) -> None:
    path = os.path.join(reach.cwd, name)
    if "://" in name:
        reach.url(name)
        return
    if depth > 4:
        reach.refuse(f"requirements files nest too deeply at {name}")
        return
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError):
        reach.refuse(f"the requirements file {name} cannot be read")
        return
    for number, line in enumerate(lines, 1):
        text = line.split(" #", 1)[0].strip()
        if not text or text.startswith("#"):
            continue
        if "${" in text:
            reach.refuse(f"{name}:{number} expands an environment variable: the URL cannot "
                         "be proven")  # fmt: skip
            return
        words = text.split()
        if words[0] in ("-r", "-c", "--requirement", "--constraint") and len(words) > 1:
            _requirements(reach, os.path.join(os.path.dirname(name), words[1]), depth + 1)
            continue
        if words[0] in ("--proxy",):
            reach.refuse(f"{name}:{number} sets a proxy")
            return
        for url in _URL.findall(text):
            reach.url(url)


def _pip_config(reach: Reach) -> bool:
    """Read every pip configuration file for URLs and proxies; whether one sets the index."""
    env = reach.env
    home = reach.home
    xdg = env.get("XDG_CONFIG_HOME") or (os.path.join(home, ".config") if home else "")
    files = [env.get("PIP_CONFIG_FILE", ""), "/etc/pip.conf", "/etc/xdg/pip/pip.conf"]
    if home:
        files.append(os.path.join(home, ".pip", "pip.conf"))
    if xdg:
        files.append(os.path.join(xdg, "pip", "pip.conf"))
    if env.get("VIRTUAL_ENV"):
        files.append(os.path.join(env["VIRTUAL_ENV"], "pip.conf"))
    if env.get("PIP_CONFIG_FILE") == os.devnull:
        return False  # pip reads no configuration file at all then
    index_set = False
    for path in files:
        text = _read_config(reach, path)
        if text is None:
            continue
        for line in text.splitlines():
            key = line.split("=", 1)[0].strip().lower().replace("_", "-")
            if key == "index-url" or key == "index":
                index_set = True
            if key == "proxy" and "=" in line:
                reach.proxy(line.split("=", 1)[1], f"{path} sets a proxy")
            if key in ("constraint", "requirement") and "=" in line:
                for name in line.split("=", 1)[1].split():
                    _requirements(reach, name, 1)
        for url in _URL.findall(text):
            reach.url(url)
    return index_set


def _read_config(reach: Reach, path: str) -> str | None:
    if not path or not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return "\n".join(
                line for line in handle.read().splitlines() if not line.lstrip().startswith(
                    ("#", ";"))
            )  # fmt: skip
    except (OSError, UnicodeDecodeError):
        reach.refuse(f"{path} cannot be read: its settings cannot be judged")
        return None


def uv(reach: Reach, args: Sequence[str]) -> Reach:
    words = [a for a in args if not a.startswith("-")]
    if not words or (_leading_subcommand(args) is None and words[0] not in UV_NETWORK):
        words = ["sync", *words]  # options first: judged as reaching the index
    if words[0] == "python" and len(words) > 1 and words[1] in ("install", "fetch"):
        return reach.refuse("uv python install downloads Python builds from hosts the guard "
                            "does not judge")  # fmt: skip
    network = words[0] in UV_NETWORK or (
        words[0] == "pip" and len(words) > 1 and words[1] in UV_PIP_NETWORK
    )
    if not network:
        return reach
    index_set = False
    for position, arg in enumerate(args):
        name = arg.split("=", 1)[0]
        if name in ("-i", "--index-url", "--default-index"):
            index_set = True
        requirement = name in ("-r", "--requirement", "-c", "--constraint") and "=" not in arg
        if requirement and position + 1 < len(args):
            _requirements(reach, args[position + 1], 0)
        for url in _URL.findall(arg):
            reach.url(url)
    for variable in ("UV_INDEX_URL", "UV_DEFAULT_INDEX", "UV_EXTRA_INDEX_URL", "UV_INDEX",
                     "UV_FIND_LINKS"):  # fmt: skip
        for url in _URL.findall(reach.env.get(variable, "")):
            reach.url(url)
    index_set = index_set or any(reach.env.get(v) for v in ("UV_INDEX_URL", "UV_DEFAULT_INDEX"))
    home = reach.home
    for path in (os.path.join(reach.root, "pyproject.toml"), os.path.join(reach.root, "uv.toml"),
                 os.path.join(home, ".config", "uv", "uv.toml") if home else "",
                 "/etc/uv/uv.toml"):  # fmt: skip
        text = _read_config(reach, path)
        if text is not None and ("tool.uv" in text or path.endswith("uv.toml")):
            for url in _URL.findall(text):
                reach.url(url)
    if "--offline" not in args and not index_set:
        for host in PYPI:
            reach.host(host)
    reach.env_proxies()
    return reach


def npm(reach: Reach, args: Sequence[str]) -> Reach:
    """npm, pnpm and yarn (`reach.program`)."""
    program = reach.program
    words = [a for a in args if not a.startswith("-")]
    sub = _leading_subcommand(args)
    if program == "yarn":
        network = sub is None or sub in YARN_NETWORK
    else:
        network = sub is None or sub in NPM_NETWORK
    if not network:
        return reach
    if sub == "init" or sub == "create":
        return reach.refuse(f"{program} {sub} runs a package's code")
    registry_set = False
    position = 0
    while position < len(args):
        arg = args[position]
        position += 1
        name, eq, value = arg.partition("=")
        if name in ("--registry", "--proxy", "--https-proxy"):
            if not eq:
                value = args[position] if position < len(args) else ""
                position += 1
            if name == "--registry":
                registry_set = True
                reach.url(value)
            else:
                reach.proxy(value, f"{program} {name}")
        elif not arg.startswith("-") and arg != sub:
            _package_spec(reach, arg)
    registry_set = _npm_config(reach) or registry_set
    if not registry_set:
        reach.host("registry.yarnpkg.com" if program == "yarn" else "registry.npmjs.org")
    if len(words) <= 1:  # installs what package.json and the lock file name
        _manifest_hosts(reach)
    reach.env_proxies()
    return reach


def _package_spec(reach: Reach, spec: str) -> None:
    if "://" in spec:
        reach.remote(spec.split("#", 1)[0].removeprefix("git+"))
        return
    prefix, colon, _rest = spec.partition(":")
    if colon and prefix in _GIT_HOSTS:
        reach.host(_GIT_HOSTS[prefix])
        return
    if colon and prefix in ("file", "link", "workspace", "npm", "portal", "patch"):
        return
    if spec.startswith((".", "/", "~")) or spec.endswith((".tgz", ".tar.gz")):
        return
    if not spec.startswith("@") and "/" in spec.split("@", 1)[0]:
        reach.host("github.com")  # `user/repo` is a GitHub shorthand
    elif "@" in spec[1:] and ("/" in spec.split("@")[-1] or ":" in spec.split("@")[-1]):
        reach.refuse(f"the package spec {spec[:60]!r} names a location the guard cannot read")


def _npm_config(reach: Reach) -> bool:
    env = reach.env
    registry_set = False
    for key, value in env.items():
        lowered = key.lower()
        if not lowered.startswith(("npm_config_", "yarn_")):
            continue
        if lowered.endswith("registry") or lowered.endswith("registry_server"):
            registry_set = registry_set or lowered in ("npm_config_registry", "yarn_registry",
                                                       "yarn_npm_registry_server")  # fmt: skip
            reach.url(value)
        elif lowered.endswith("proxy"):
            reach.proxy(value, f"the environment sets {key}")
        elif lowered.endswith(("userconfig", "globalconfig", "rc_filename")):
            reach.refuse(f"the environment sets {key}: a configuration the guard does not read")
    home = reach.home
    files = [os.path.join(base, name) for base in dict.fromkeys((reach.root, reach.cwd))
             for name in (".npmrc", ".yarnrc", ".yarnrc.yml", ".pnpmrc")]  # fmt: skip
    if home:
        files += [os.path.join(home, name) for name in (".npmrc", ".yarnrc", ".yarnrc.yml")]
    files += ["/etc/npmrc", "/usr/etc/npmrc", "/usr/local/etc/npmrc"]
    for path in files:
        text = _read_config(reach, path)
        if text is None:
            continue
        if "${" in text:
            reach.refuse(f"{path} expands environment variables: its settings cannot be judged")
        for line in text.splitlines():
            key = re.split(r"[=:\s]", line.strip(), maxsplit=1)[0].strip("\"'").lower()
            if key in ("registry", "npmregistryserver"):
                registry_set = True
            if key in ("proxy", "https-proxy", "httpproxy", "httpsproxy"):
                value = re.split(r"[=:\s]", line.strip(), maxsplit=1)[-1].strip(" \"'")
                reach.proxy(value, f"{path} sets a proxy")
        for url in _URL.findall(text):
            reach.url(url)
    return registry_set


def _manifest_hosts(reach: Reach) -> None:
    """Every host package.json and the lock files name (resolved URLs, git dependencies)."""
    base = reach.cwd
    manifest = os.path.join(base, "package.json")
    if os.path.exists(manifest):
        try:
            with open(manifest, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            reach.refuse("package.json cannot be read: the dependencies cannot be judged")
            return
        for field in ("dependencies", "devDependencies", "optionalDependencies",
                      "peerDependencies"):  # fmt: skip
            deps = data.get(field) if isinstance(data, dict) else None
            if isinstance(deps, dict):
                for spec in deps.values():
                    if isinstance(spec, str):
                        _package_spec(reach, spec)
    for name in ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"):
        text = _read_config(reach, os.path.join(base, name))
        if text is not None:
            for url in dict.fromkeys(_URL.findall(text)):
                reach.url(url)
