"""Package managers that rewrite the project's manifest without naming it.

`npm install left-pad` writes package.json, `uv add requests` pyproject.toml,
`cargo add serde` Cargo.toml, `go get` go.mod: protected files (what allowed
programs run, and dependency changes a person should see), written though no
argument names them. The guard judges each as a write of that file, from the
working directory and the repository root (the tools look upwards for their
manifest), so `unprotected_paths` decides as it does for any other write.
"""

from __future__ import annotations

from charter.guard.rules import subcommand_candidates

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

_PACKAGE_JSON = "package.json"
_PYPROJECT = "pyproject.toml"
# fmt: off
# (program, subcommand) -> (the manifest it writes, whether only with package operands:
# `npm install` alone installs what package.json lists and writes it not)
_EDITS: dict[tuple[str, str], tuple[str, bool]] = {
    **{("npm", sub): (_PACKAGE_JSON, True) for sub in (
        "install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal",
        "isntall", "add")},
    **{("npm", sub): (_PACKAGE_JSON, False) for sub in (
        "uninstall", "un", "unlink", "remove", "rm", "r", "update", "up", "upgrade", "udpate",
        "init", "create")},
    ("npm", "version"): (_PACKAGE_JSON, True), ("yarn", "version"): (_PACKAGE_JSON, True),
    **{("pnpm", sub): (_PACKAGE_JSON, False) for sub in (
        "add", "remove", "rm", "uninstall", "un", "update", "up", "upgrade", "init")},
    ("pnpm", "install"): (_PACKAGE_JSON, True), ("pnpm", "i"): (_PACKAGE_JSON, True),
    **{("yarn", sub): (_PACKAGE_JSON, False) for sub in (
        "add", "remove", "up", "upgrade", "upgrade-interactive", "init")},
    **{("bun", sub): (_PACKAGE_JSON, False) for sub in (
        "add", "a", "remove", "rm", "update", "init")},
    ("bun", "install"): (_PACKAGE_JSON, True), ("bun", "i"): (_PACKAGE_JSON, True),
    **{(tool, sub): (_PYPROJECT, False) for tool in ("uv", "poetry", "pdm") for sub in (
        "add", "remove", "init")},
    **{(tool, "version"): (_PYPROJECT, True) for tool in ("uv", "poetry", "pdm")},
    **{("cargo", sub): ("Cargo.toml", False) for sub in ("add", "remove", "rm", "init")},
    ("go", "get"): ("go.mod", False), ("go", "work"): ("go.work", False),
}
# `go mod` writes go.mod only through these; download, graph, verify and why read
_GO_MOD_WRITES = frozenset({"tidy", "edit", "init"})
# fmt: on
_GLOBAL = frozenset({"-g", "--global", "--location=global"})


def manifests_written(argv: Sequence[str]) -> list[str]:
    """The manifest files `argv` rewrites though it does not name them."""
    if any(arg in _GLOBAL for arg in argv[1:]):
        return []  # a global install writes the tool's own prefix, not the project
    found: dict[str, None] = {}
    for sub in sorted(subcommand_candidates(argv)):
        rest = argv[argv.index(sub, 1) + 1 :]
        if argv[0] == "go" and sub == "mod":
            after = subcommand_candidates(["go", *rest])
            if after & _GO_MOD_WRITES or not after:
                found["go.mod"] = None
            continue
        edit = _EDITS.get((argv[0], sub))
        if edit is not None and (not edit[1] or any(not a.startswith("-") for a in rest)):
            found[edit[0]] = None
    return list(found)
