"""The kill switch's second record: the git ref `refs/charter/stop`.

`.charter/STOP` is a file in a folder people delete ("clean the local state",
`git clean -fdx`, a fresh clone on another machine). A stop that disappears
with it is no stop, so `charter stop` also writes the ref `refs/charter/stop`
(pointing to a blob holding the same JSON) in the repository's git directory,
which every command the guard allows leaves alone (`.git/**` and
`packed-refs` are protected paths). The guard checks it with one `stat` of the
loose ref and, when that is absent, a read of `packed-refs` (where
`git pack-refs` moves refs); `charter resume` deletes both records. Push it with
`git push origin refs/charter/stop` to stop every clone that fetches it.

Standard library only: the guard reads this module on every decision.
"""

from __future__ import annotations

import os

REF = "refs/charter/stop"


def common_git_dir(root: str) -> str | None:
    """The git directory holding the repository's refs (a worktree's common one), or None."""
    dot_git = os.path.join(root, ".git")
    if os.path.isdir(dot_git):
        return dot_git
    try:
        with open(dot_git, encoding="utf-8") as handle:
            first = handle.readline().strip()
    except OSError:
        return None
    if not first.startswith("gitdir:"):
        return None
    git_dir = first.removeprefix("gitdir:").strip()
    if not os.path.isabs(git_dir):
        git_dir = os.path.join(root, git_dir)
    try:
        with open(os.path.join(git_dir, "commondir"), encoding="utf-8") as handle:
            common = handle.read().strip()
    except OSError:
        return git_dir
    return common if os.path.isabs(common) else os.path.normpath(os.path.join(git_dir, common))


def engaged(root: str) -> bool:
    """Whether `refs/charter/stop` exists, loose or packed."""
    git_dir = common_git_dir(root)
    if git_dir is None:
        return False
    if os.path.exists(os.path.join(git_dir, *REF.split("/"))):
        return True
    try:
        with open(os.path.join(git_dir, "packed-refs"), "rb") as handle:
            packed = handle.read()
    except OSError:
        return False
    return f" {REF}\n".encode() in packed


def write(root: str, text: str) -> str | None:
    """Point the ref at a blob holding `text`; None on success, else why it could not."""
    import subprocess

    def git(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "-C", root, *args], input=stdin, capture_output=True, text=True, check=False
        )

    try:
        blob = git("hash-object", "-w", "--stdin", stdin=text)
        if blob.returncode != 0:
            return f"git hash-object failed: {blob.stderr.strip() or blob.returncode}"
        update = git("update-ref", "-m", "charter stop", REF, blob.stdout.strip())
        if update.returncode != 0:
            return f"git update-ref failed: {update.stderr.strip() or update.returncode}"
    except OSError as exc:
        return f"git cannot run: {exc.strerror}"
    return None


def delete(root: str) -> str | None:
    """Delete the ref; None on success (or when there was none), else why it could not."""
    import subprocess

    if not engaged(root):
        return None
    try:
        done = subprocess.run(
            ["git", "-C", root, "update-ref", "-d", REF],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        return f"git cannot run: {exc.strerror}"
    if done.returncode != 0:
        return f"git update-ref -d failed: {done.stderr.strip() or done.returncode}"
    return None
