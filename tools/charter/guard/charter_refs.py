"""Git commands that would write charter's own refs: refused at every level.

charter keeps two kinds of coordination state in git refs under `refs/charter/`: task
claims (`refs/charter/claims/<ID>`, who works on what) and the kill switch's second record
(`refs/charter/stop`). An agent that could write them could lift a stop, take a task from
another agent or hand itself one. Only charter's own commands write them, and the agent
does not run git plumbing for that, so the class is refused whatever the policy allows:

- `git update-ref` naming such a ref, or reading its updates from stdin (`--stdin`:
  the guard cannot see them); `git symbolic-ref` naming one;
- `git pack-refs`, `git fast-import`: rewrite every ref, or refs named on stdin;
- `git push`, `git send-pack`, `git fetch`, `git pull` with a refspec whose destination
  is, or a wildcard that covers, `refs/charter/` (`:refs/charter/stop` deletes the stop on
  the remote; `+refs/*:refs/*` mirrors it away), and `git push --mirror`, which pushes and
  deletes every ref.

Ref names are compared as git (and a case-insensitive file system) may read them: case
folded, repeated slashes collapsed. Standard library only: the guard's start-up path.
"""

from __future__ import annotations

from charter.guard.rules import option_present

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

PREFIX = "refs/charter/"
# Subcommands that rewrite refs from a stream or all at once.
_REWRITE_ALL = {
    "pack-refs": "rewrites every ref of the repository, charter's refs/charter/ among them",
    "fast-import": "writes the refs its input stream names, which the guard cannot see",
}
_REFSPEC_COMMANDS = frozenset({"push", "send-pack", "fetch", "pull"})
_REASON = (
    "writes charter's refs under refs/charter/ (task claims, the kill switch): only "
    "charter's own commands may (`charter task claim|release`, `charter stop|resume`)"
)


def _normal(ref: str) -> str:
    ref = ref.strip().lstrip("+").lower().replace("\\", "/")
    while "//" in ref:
        ref = ref.replace("//", "/")
    return ref.lstrip("/")


def names_charter_ref(ref: str) -> bool:
    """Whether writing to `ref` (a name or a refspec side, wildcards allowed) could write
    under refs/charter/."""
    ref = _normal(ref)
    # `charter/stop` is read as `refs/charter/stop` first when that ref exists
    if ref.startswith(PREFIX) or ref == "refs/charter" or ref.startswith("charter/"):
        return True
    star = ref.find("*")
    if star < 0:
        return False
    head = ref[:star]
    return PREFIX.startswith(head) or head.startswith(PREFIX)


def _destination(refspec: str, fetching: bool) -> str:
    """The side of a refspec that names the ref written: after the colon; for a push
    without one, the source name (pushed under the same name)."""
    if ":" in refspec:
        return refspec.split(":", 1)[1]
    return "" if fetching else refspec


def charter_ref_denial(argv: Sequence[str], sub: str | None) -> str | None:
    """Why `argv` (a git command, `sub` its subcommand) may not run, or None."""
    if sub is None:
        return None
    args = list(argv[argv.index(sub) + 1 :]) if sub in argv else list(argv[1:])
    if sub in _REWRITE_ALL:
        return f"`git {sub}` {_REWRITE_ALL[sub]}: never allowed"
    if sub in ("update-ref", "symbolic-ref"):
        if option_present(args, "--stdin"):
            return f"`git {sub} --stdin` reads refs the guard cannot see: never allowed"
        if any(names_charter_ref(a) for a in args if not a.startswith("-")):
            return f"`git {sub}` {_REASON}"
        return None
    if sub not in _REFSPEC_COMMANDS:
        return None
    fetching = sub in ("fetch", "pull")
    if not fetching and option_present(args, "--mirror"):
        return f"`git {sub} --mirror` pushes and deletes every ref, refs/charter/ among them"
    for position, arg in enumerate(args):
        if arg == "--":
            continue
        if arg.startswith("-"):
            if option_present([arg], "--refmap"):
                _, equals, value = arg.partition("=")
                if not equals and position + 1 < len(args):
                    value = args[position + 1]
                if names_charter_ref(_destination(value, False)):
                    return f"`git {sub} --refmap` {_REASON}"
            continue
        if names_charter_ref(_destination(arg, fetching)):
            return f"`git {sub} {arg}` {_REASON}"
    return None
