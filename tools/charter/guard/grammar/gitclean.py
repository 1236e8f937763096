"""Files git deletes without naming them: `git clean` and `git stash --include-untracked/--all`.

`git clean -fdx` removes every untracked and ignored file, `.charter/` (the
active session and the kill switch) and `.env` among them; `git stash -a` moves
the same files into a stash. The command names none of them, so the guard asks
git itself which paths would go (`git clean --dry-run`, with the command's own
selection options and pathspecs) and judges each as a deletion. When git cannot
say, the command is refused: the guard fails closed.
"""

from __future__ import annotations

import subprocess

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

_CLEAN_VALUED = frozenset({"-e", "--exclude"})
_STASH_UNTRACKED = frozenset({"-u", "--include-untracked"})
_STASH_ALL = frozenset({"-a", "--all"})
_STASH_DRY = frozenset({"list", "show", "pop", "apply", "drop", "clear", "branch", "create",
                        "store"})  # fmt: skip


def _clean_query(args: Sequence[str]) -> list[str] | None:
    """`git clean` ARGS as a dry run that lists what they would remove; None: nothing goes."""
    query = ["clean", "--dry-run"]
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            query += ["--", *args[index:]]
            return query
        if not arg.startswith("-") or arg == "-":
            query += ["--", arg, *args[index:]]  # pathspecs; git reads no options after them
            return query
        name, eq, value = arg.partition("=")
        if name in ("-n", "--dry-run"):
            return None
        if name in _CLEAN_VALUED or (arg.startswith("-e") and not arg.startswith("--")):
            if name == "-e" and not eq:
                value = args[index] if index < len(args) else ""
                index += 1
            elif arg.startswith("-e") and name != "-e":
                value = arg[2:]
            query.append(f"--exclude={value}")
            continue
        if name in ("-d", "-x", "-X"):
            query.append(name)
        elif not arg.startswith("--"):
            letters = arg[1:]
            if "n" in letters:
                return None
            query += [f"-{letter}" for letter in letters if letter in "dxX"]
            if "e" in letters:
                return ["refuse"]  # an exclude pattern inside a cluster: not read here
    return query


def _stash_query(args: Sequence[str]) -> list[str] | None:
    words = [arg for arg in args if not arg.startswith("-")]
    if words and words[0] in _STASH_DRY:
        return None
    options = {arg.split("=", 1)[0] for arg in args if arg.startswith("--")}
    letters = {letter for arg in args if arg.startswith("-") and not arg.startswith("--")
               for letter in arg[1:]}  # fmt: skip
    if options & _STASH_ALL or "a" in letters:
        return ["clean", "--dry-run", "-d", "-x"]
    if options & _STASH_UNTRACKED or "u" in letters:
        return ["clean", "--dry-run", "-d"]
    return None


def removed_paths(argv: Sequence[str], cwd: str, env: Mapping[str, str]) -> list[str] | str | None:
    """The paths `git clean`/`git stash` ARGV would delete (relative to `cwd`), a reason why
    that cannot be known, or None when the command deletes no untracked file."""
    if argv[0] != "git":
        return None
    index = 1
    while index < len(argv) and argv[index].startswith("-"):
        index += 1  # global options: the built-ins refused any that change git's behaviour
    if index >= len(argv) or argv[index] not in ("clean", "stash"):
        return None
    sub, args = argv[index], list(argv[index + 1 :])
    query = _clean_query(args) if sub == "clean" else _stash_query(args)
    if query is None:
        return None
    if query == ["refuse"]:
        return f"git {sub}: an exclude pattern inside a cluster of options (-fe) is not read"
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotePath=false", *query], cwd=cwd, env=dict(env),
            capture_output=True, text=True, timeout=20, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        return f"git could not be asked what `git {sub}` would delete ({exc})"
    if done.returncode != 0:
        return f"git could not say what `git {sub}` would delete: {done.stderr.strip()[:200]}"
    prefix = "Would remove "
    found = [line[len(prefix) :] for line in done.stdout.splitlines() if line.startswith(prefix)]
    if any(path.startswith('"') for path in found):
        return f"git {sub} would delete a file whose name git quotes: name the files instead"
    return [path.rstrip("/") or path for path in found]
