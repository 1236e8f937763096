"""The git side of `charter init`: ignore rules, merge attributes, local config, hooks.

Everything here adds and never replaces: a line already in `.gitignore` or
`.gitattributes` is not written twice and no line a person wrote is touched;
a hook or a config key that exists is kept as it is and reported.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

MERGE_DRIVER = "charter-generated"
# `true` leaves the current side of the file (git's %A) in place and reports a clean
# merge: a generated file is rebuilt from the merged plans anyway (see the hooks below
# and docs/DECISIONS.md), and `true` works on a machine where charter is not installed.
MERGE_DRIVER_COMMAND = "true"
MERGE_DRIVER_NAME = "charter: keep one side of a generated file; it is regenerated after the merge"
HOOK_MARK = "installed by charter init"


@dataclass
class GitSetup:
    written: list[str] = field(default_factory=list)  # files created or appended to
    kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def append_missing_lines(path: Path, lines: Sequence[str], header: str) -> list[str]:
    """Append to `path` the `lines` it does not hold yet, under a `header` comment.

    Compares whole lines (stripped); creates the file when missing; never
    rewrites what is there. Returns the lines added.
    """
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        text = ""
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in dict.fromkeys(lines) if line.strip() not in present]
    if not missing:
        return []
    block = "".join(f"{line}\n" for line in (f"# {header}", *missing))
    if text:
        # a blank line between a person's lines and charter's; one more if theirs lacks a newline
        block = ("\n" if text.endswith("\n") else "\n\n") + block
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(block)
    return missing


def git_dir_of(root: Path) -> tuple[Path | None, str | None]:
    """The hooks folder of the repository whose top level is `root`, or why there is none."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None:
        return None, "not a git repository"
    if Path(top).resolve() != root.resolve():
        return None, f"{root} is inside the git repository {top}, not its top level"
    if _git(root, "config", "--get", "core.hooksPath"):
        return None, "core.hooksPath is set: this repository's hooks are managed elsewhere"
    hooks = _git(root, "rev-parse", "--git-path", "hooks")
    if hooks is None:
        return None, "git did not say where the hooks go"
    path = Path(hooks)
    return (path if path.is_absolute() else root / path), None


def set_merge_driver(root: Path, setup: GitSetup) -> None:
    """Register the merge driver in the repository's local config, unless it is set."""
    key = f"merge.{MERGE_DRIVER}.driver"
    current = _git(root, "config", "--local", "--get", key)
    if current is not None:
        setup.kept.append(f"git config {key} (set to {current!r})")
        return
    name_key = f"merge.{MERGE_DRIVER}.name"
    if (
        _git(root, "config", "--local", key, MERGE_DRIVER_COMMAND) is None
        or _git(root, "config", "--local", name_key, MERGE_DRIVER_NAME) is None
    ):
        setup.notes.append(f"could not set git config {key}; see docs/init.md to set it by hand")
        return
    setup.written.append(f"set     git config {key} {MERGE_DRIVER_COMMAND} (the merge driver)")


def install_hooks(
    root: Path, hooks: Path, pre_commit: str | None, install_command: str, setup: GitSetup
) -> None:
    """The pre-commit hook (through pre-commit when installed) and the post-merge hook."""
    commit_hook = hooks / "pre-commit"
    if commit_hook.exists():
        setup.kept.append(f"{_shown(root, commit_hook)}, a hook of your own")
    elif pre_commit is not None and (root / ".pre-commit-config.yaml").is_file():
        run = subprocess.run(
            [pre_commit, "install"], cwd=root, capture_output=True, text=True, check=False
        )
        if run.returncode == 0:
            setup.written.append(
                f"installed {_shown(root, commit_hook)} with `pre-commit install`: "
                ".pre-commit-config.yaml's charter checks run before each commit"
            )
        else:
            setup.notes.append(
                f"`pre-commit install` failed ({(run.stderr or run.stdout).strip()[:200]}); "
                "run it yourself"
            )
    else:
        _write_hook(commit_hook, _commit_script(install_command))
        setup.written.append(
            f"installed {_shown(root, commit_hook)} (pre-commit is not installed): "
            "charter check, board --check and handoff --check run before each commit"
        )
    merge_hook = hooks / "post-merge"
    if merge_hook.exists():
        setup.kept.append(f"{_shown(root, merge_hook)}, a hook of your own")
    else:
        _write_hook(merge_hook, _merge_script())
        setup.written.append(
            f"installed {_shown(root, merge_hook)}: the board and handoff in each merge "
            "commit are regenerated from the merged plans"
        )


def _shown(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _write_hook(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o755)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


# Both hooks look for charter where docs/init.md says: the repository's own .venv,
# then PATH. Neither holds a path of the machine that ran init.
_FIND_CHARTER = """\
cd "$(git rev-parse --show-toplevel)" || exit 1
if [ -x .venv/bin/charter ]; then charter=.venv/bin/charter
elif command -v charter >/dev/null 2>&1; then charter=charter
else charter=
fi
"""


def _commit_script(install_command: str) -> str:
    return f"""#!/bin/sh
# charter's checks before every commit ({HOOK_MARK}; see charter's docs/init.md).
# `git commit --no-verify` skips it once; delete this file to remove it.
{_FIND_CHARTER}if [ -z "$charter" ]; then
  echo "charter pre-commit hook: charter is not installed ({install_command})," >&2
  echo "so the commit was stopped; or commit with --no-verify" >&2
  exit 1
fi
"$charter" check && "$charter" board --check && "$charter" handoff --check
"""


def _merge_script() -> str:
    # git computes a merge commit's tree before any hook runs (pre-merge-commit cannot
    # change it), so the board is regenerated after the commit and the commit amended:
    # a merge commit made a moment ago, on this machine, holding only its own changes
    # (git refuses to merge with anything staged). A fast-forward or a squash is left
    # with the regenerated files staged, to commit with the rest.
    return f"""#!/bin/sh
# Regenerate charter's derived files from the merged plans after a merge, so the
# board `charter board --check` accepts is in the merge commit
# ({HOOK_MARK}; see charter's docs/init.md). It never fails a merge.
{_FIND_CHARTER}if [ -z "$charter" ]; then
  echo "charter post-merge hook: charter is not installed;" >&2
  echo "run 'charter board && charter handoff' and commit them" >&2
  exit 0
fi
if ! "$charter" board >/dev/null 2>&1 || ! "$charter" handoff >/dev/null 2>&1; then
  echo "charter post-merge hook: could not regenerate;" >&2
  echo "run 'charter board && charter handoff' and commit them" >&2
  exit 0
fi
git ls-files | git check-attr --stdin merge | sed -n 's/: merge: {MERGE_DRIVER}$//p' |
  while IFS= read -r file; do git add -- "$file"; done
if git diff --cached --quiet; then
  exit 0
fi
if [ "$1" != 1 ] && git rev-parse -q --verify HEAD^2 >/dev/null; then
  # `git commit --amend` refuses while git still finishes the merge: the same by plumbing,
  # keeping the merge's parents, message and author.
  head=$(git rev-parse HEAD) && tree=$(git write-tree) &&
    parents=$(git rev-parse "HEAD^@" | sed 's/^/-p /') &&
    commit=$(git log -1 --format=%B HEAD |
      GIT_AUTHOR_NAME=$(git log -1 --format=%an) GIT_AUTHOR_EMAIL=$(git log -1 --format=%ae) \
      GIT_AUTHOR_DATE=$(git log -1 --format=%ad --date=raw) git commit-tree "$tree" $parents) &&
    git update-ref -m "charter: derived files regenerated in the merge" HEAD "$commit" "$head" &&
    echo "charter: the merge commit now holds the regenerated board and handoff" &&
    exit 0
  echo "charter: regenerated the board and handoff after the merge; commit them"
else
  echo "charter: regenerated the board and handoff after the merge; commit them"
fi
exit 0
"""


def _git(root: Path, *args: str) -> str | None:
    try:
        run = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=False, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return run.stdout.strip() if run.returncode == 0 else None
