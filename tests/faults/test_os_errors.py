"""Full disks, read-only file systems and permission errors, for real.

ENOSPC: a tiny tmpfs mounted over an output folder, inside a user and mount
namespace the test makes (`unshare -rm`); EROFS: a read-only bind mount in
one; EACCES: charter run as an unprivileged user with no capabilities
(`setpriv`), so permission checks are really in force even when the tests
run as root. Each case: a plain diagnostic naming the file, a truthful exit
code, no traceback, and the files as they were (or, for an edit whose board
failed, the plan written and the message saying so).
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.faults import harness

pytestmark = pytest.mark.faults

NOBODY = 65534


def _namespaces_work() -> str | None:
    if shutil.which("unshare") is None:
        return "unshare is not installed"
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=16k tmpfs /mnt 2>&1 || exit 3"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return f"this kernel does not let the test make a user+mount namespace: {probe.stdout}"
    return None


NO_NAMESPACES = _namespaces_work()


def _privilege_drop_works() -> str | None:
    if os.geteuid() != 0:
        return "dropping to another user needs root; as a plain user permissions already hold"
    if shutil.which("setpriv") is None:
        return "setpriv is not installed"
    return None


NO_SETPRIV = _privilege_drop_works()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return harness.build_base(tmp_path_factory.mktemp("oserr") / "base")


@pytest.fixture
def repo(base: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(base, root, symlinks=True)
    return root


def digests(root: Path, *rels: str) -> dict[str, str]:
    return {rel: hashlib.sha256((root / rel).read_bytes()).hexdigest() for rel in rels}


def in_namespace(root: Path, setup: str, *args: str) -> harness.Result:
    """`charter ARGS` in `root`, after `setup` (shell, run as root of a fresh user+mount
    namespace, in `root`) has mounted what it likes; the mounts vanish with the namespace."""
    command = " ".join(shlex.quote(a) for a in harness.charter_argv(*args))
    script = f"set -e\ncd {shlex.quote(str(root))}\n{setup}\nset +e\n{command}"
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        env=harness.env(),
        capture_output=True,
        text=True,
        timeout=harness.COMMAND_TIMEOUT_S,
        check=False,
    )
    return harness.Result(done.returncode, done.stdout, done.stderr)


def full_disk(folder: str) -> str:
    """Shell: `folder` on a 64 KiB tmpfs holding its old files, then filled to the brim."""
    q = shlex.quote(folder)
    return (
        f"saved=$(mktemp -d)\ncp -a {q}/. $saved/\n"
        f"mount -t tmpfs -o size=64k tmpfs {q}\ncp -a $saved/. {q}/\n"
        f"dd if=/dev/zero of={q}/.filler bs=1k count=1024 2>/dev/null || true"
    )


def read_only(folder: str) -> str:
    q = shlex.quote(folder)
    return f"mount --bind {q} {q}\nmount -o remount,bind,ro {q}"


def plain_error(result: harness.Result, code: int, *needles: str) -> None:
    assert result.code == code, f"exit {result.code}\n{result.out}\n{result.err}"
    assert not result.traceback, result.err
    for needle in needles:
        assert needle in result.err, f"{needle!r} not in:\n{result.err}"


BOARD = ("docs/taskboard/TaskBoard.md", "docs/taskboard/TaskBoard.csv")


@pytest.mark.skipif(NO_NAMESPACES is not None, reason=str(NO_NAMESPACES))
@pytest.mark.parametrize(
    ("setup", "says"),
    [
        (full_disk("docs/taskboard"), "the disk is full"),
        (read_only("docs/taskboard"), "the file system is read-only"),
    ],
    ids=["ENOSPC", "EROFS"],
)
def test_board_on_a_full_or_read_only_folder(repo: Path, setup: str, says: str) -> None:
    harness.run(repo, "task", "set", "W-5", "--status", "In Progress", "--no-board")
    before = digests(repo, *BOARD)
    result = in_namespace(repo, setup, "board")
    plain_error(result, 2, "docs/taskboard/TaskBoard", says)
    assert digests(repo, *BOARD) == before


@pytest.mark.skipif(NO_NAMESPACES is not None, reason=str(NO_NAMESPACES))
@pytest.mark.parametrize(
    ("setup", "says"),
    [
        (full_disk("docs/taskboard"), "the disk is full"),
        (read_only("docs/taskboard"), "the file system is read-only"),
    ],
    ids=["ENOSPC", "EROFS"],
)
def test_an_edit_whose_board_fails_says_the_plan_was_written(
    repo: Path, setup: str, says: str
) -> None:
    before = digests(repo, *BOARD)
    result = in_namespace(repo, setup, "task", "set", "W-3", "--status", "In Progress")
    plain_error(result, 1, "docs/plans/work.md was written", "board was NOT regenerated", says)
    assert "W-3: updated in docs/plans/work.md" in result.out
    assert "- Status: In Progress" in (repo / "docs/plans/work.md").read_text()
    assert digests(repo, *BOARD) == before
    fixed = harness.run(repo, "board")
    assert fixed.code == 0, fixed.err


@pytest.mark.skipif(NO_NAMESPACES is not None, reason=str(NO_NAMESPACES))
@pytest.mark.parametrize(
    ("setup", "says"),
    [(full_disk("docs"), "the disk is full"), (read_only("docs"), "read-only")],
    ids=["ENOSPC", "EROFS"],
)
@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("handoff",), 2),
        (("task", "block", "W-4", "--reason", "waiting"), 2),
        (("session", "start", "W-7"), 2),
    ],
    ids=["handoff", "task block", "session start"],
)
def test_every_writer_on_a_full_or_read_only_docs_folder(
    repo: Path, setup: str, says: str, args: tuple[str, ...], code: int
) -> None:
    harness.run(repo, "task", "set", "W-5", "--status", "In Progress", "--no-board")
    harness.run(repo, "board")
    snapshot = harness.snapshot(repo)
    result = in_namespace(repo, setup, *args)
    plain_error(result, code, says)
    assert "docs/" in result.err, result.err  # names the file
    assert harness.snapshot(repo) == snapshot


def as_nobody(root: Path, *args: str) -> harness.Result:
    prefix = [
        "setpriv",
        f"--reuid={NOBODY}",
        f"--regid={NOBODY}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
    ]
    return harness.run(root, *args, prefix=prefix)


@pytest.fixture
def nobodys_repo(repo: Path) -> Path:
    """The repository owned by an unprivileged user, reachable through its parents."""
    for folder, _dirs, files in os.walk(repo):
        os.chown(folder, NOBODY, NOBODY)
        for name in files:
            os.chown(os.path.join(folder, name), NOBODY, NOBODY, follow_symlinks=False)
    for parent in repo.parents:
        if parent == Path("/"):
            break
        parent.chmod(parent.stat().st_mode | 0o005)
    return repo


@pytest.mark.skipif(NO_SETPRIV is not None, reason=str(NO_SETPRIV))
def test_permission_denied_on_the_board_folder(nobodys_repo: Path) -> None:
    repo = nobodys_repo
    assert as_nobody(repo, "task", "set", "W-5", "--owner", "bob", "--no-board").code == 0
    before = digests(repo, *BOARD)
    (repo / "docs/taskboard").chmod(0o555)
    result = as_nobody(repo, "board")
    plain_error(result, 2, "docs/taskboard/TaskBoard", "permission denied")
    assert digests(repo, *BOARD) == before


@pytest.mark.skipif(NO_SETPRIV is not None, reason=str(NO_SETPRIV))
def test_an_unreadable_plan_is_a_diagnostic_and_stops_every_regeneration(
    nobodys_repo: Path,
) -> None:
    repo = nobodys_repo
    harness.run(repo, "task", "set", "W-5", "--owner", "bob", "--no-board")
    before = digests(repo, *BOARD, "docs/SESSION_HANDOFF.md")
    (repo / "docs/plans/work.md").chmod(0o000)
    check = as_nobody(repo, "check")
    plain_error(check, 1)
    assert "docs/plans/work.md:1:1: CH001 cannot read file: Permission denied" in check.out
    for args in (("board",), ("handoff",)):
        plain_error(as_nobody(repo, *args), 2, "docs/plans/work.md", "may not have been read")
    assert digests(repo, *BOARD, "docs/SESSION_HANDOFF.md") == before


@pytest.mark.skipif(NO_SETPRIV is not None, reason=str(NO_SETPRIV))
def test_an_unlistable_plan_folder_is_a_diagnostic_not_silence(nobodys_repo: Path) -> None:
    repo = nobodys_repo
    secret = repo / "docs/plans/team"
    secret.mkdir()
    (secret / "t.md").write_text("- [ ] **T-1** Hidden\n  - Status: Backlog\n")
    os.chown(secret, NOBODY, NOBODY)
    secret.chmod(0o000)
    check = as_nobody(repo, "check")
    plain_error(check, 1)
    assert "docs/plans/team/:1:1: CH001" in check.out, check.out
    plain_error(as_nobody(repo, "board"), 2, "docs/plans/team/", "may not have been read")
