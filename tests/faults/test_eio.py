"""I/O errors (EIO) on reads and writes of plans, inputs and outputs, injected for real.

A failing disk makes `read`, `write` or `fsync` fail with EIO, and the error
names no file. The fault shim (`shim/sitecustomize.py`, loaded only into the
child charter process) does exactly that for the paths a case chooses. Each case:
a plain diagnostic naming the file, an exit code that tells the truth, no
traceback, and nothing regenerated from an incomplete read: every file but the
ones the message says were written is as it was.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults import harness, inject

pytestmark = pytest.mark.faults

PLAN = "docs/plans/work.md"
BOARD_DIR = "docs/taskboard/"
HANDOFF = "docs/SESSION_HANDOFF.md"
EDIT = ("task", "set", "W-3", "--status", "In Progress")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = harness.build_base(tmp_path_factory.mktemp("eio") / "base")
    # Something for `board` and `handoff` to do: a plan edited since they last ran.
    edit = ("task", "set", "W-5", "--status", "In Progress", "--no-board")
    assert harness.run(root, *edit).code == 0
    return root


@pytest.fixture
def repo(base: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(base, root, symlinks=True)
    return root


def with_eio(
    root: Path, *args: str, read: str = "", write: str = "", on: str = "write"
) -> harness.Result:
    """`charter ARGS` in `root` with EIO on reads of paths matching `read` and on writes
    (`on`: write, or only fsync) of paths matching `write` (regular expressions)."""
    settings = {"mode": "eio", "on": on}
    settings.update({k: v for k, v in (("read", read), ("write", write)) if v})
    done = subprocess.run(
        harness.charter_argv(*args),
        cwd=root,
        env=inject.shim_env(**settings),
        capture_output=True,
        text=True,
        timeout=harness.COMMAND_TIMEOUT_S,
        check=False,
    )
    return harness.Result(done.returncode, done.stdout, done.stderr)


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    read: str = ""
    write: str = ""
    code: int = 2
    names: str = ""  # the file the message must name
    says: str = "input/output error"
    written: tuple[str, ...] = ()  # files the command says it wrote; all others unchanged
    setup: tuple[str, ...] = ()  # a charter command run first, without faults


def _re(rel: str) -> str:
    """A path pattern matching `rel` and the temp files written in its place."""
    folder, _, name = f"/{rel}".rpartition("/")
    return re.escape(f"{folder}/") + r"\.?" + re.escape(name) + r"(\.[a-z0-9_]{8}\.tmp)?$"


CASES = (
    # Reading a plan: nothing may be regenerated from what could not be read.
    Case("board, plan unreadable", ("board",), read=_re(PLAN), names=PLAN),
    Case("handoff, plan unreadable", ("handoff",), read=_re(PLAN), names=PLAN),
    Case("check, plan unreadable", ("check",), read=_re(PLAN), code=1, names=PLAN),
    Case("task set, plan unreadable", EDIT, read=_re(PLAN), names=PLAN),
    Case("task done, plan unreadable", ("task", "done", "W-2", "--evidence",
         "evidence/w2.txt"), read=_re(PLAN), names=PLAN),
    # Reading an input that is not a plan.
    Case("board, board CSV unreadable", ("board",), read=_re("docs/taskboard/TaskBoard.csv"),
         names="docs/taskboard/TaskBoard.csv"),
    Case("import, source unreadable", ("import", "taskmaster", "tm.json", "--out",
         "docs/plans/imported"), read=_re("tm.json"), names="tm.json"),
    Case("reconcile, hand board unreadable", ("reconcile", "--board", "hand-board.md",
         "--write"), read=_re("hand-board.md"), names="hand-board.md"),
    # Writing an output.
    Case("board, board write fails", ("board",), write=re.escape("/" + BOARD_DIR),
         names=BOARD_DIR),
    Case("handoff, handoff write fails", ("handoff",), write=_re(HANDOFF), names=HANDOFF),
    Case("task set, plan write fails", EDIT, write=_re(PLAN), names=PLAN),
    Case("task set, board write fails", EDIT, write=re.escape("/" + BOARD_DIR), code=1,
         names=BOARD_DIR, written=(PLAN,)),
    Case("session start, log write fails", ("session", "start", "W-7"),
         write=re.escape("/docs/agents/sessions/"), names="docs/agents/sessions/",
         setup=("board",)),
    Case("import, plan write fails", ("import", "taskmaster", "tm.json", "--out",
         "docs/plans/imported"), write=re.escape("/docs/plans/imported/"),
         names="docs/plans/imported/"),
)  # fmt: skip


# Every case; a failing write once more with the error only at fsync, where a disk's
# write-back error surfaces.
FAULTS = [(c, "write") for c in CASES] + [(c, "fsync") for c in CASES if c.write]


@pytest.mark.parametrize(("case", "on"), FAULTS, ids=[f"{c.name}-{on}" for c, on in FAULTS])
def test_eio_is_a_plain_diagnostic_and_nothing_is_regenerated(
    case: Case, on: str, repo: Path
) -> None:
    if case.setup:
        assert harness.run(repo, *case.setup).code == 0
    before = harness.snapshot(repo)
    result = with_eio(repo, *case.args, read=case.read, write=case.write, on=on)
    assert result.code == case.code, f"exit {result.code}\n{result.out}\n{result.err}"
    assert not result.traceback, result.err
    told = result.out + result.err
    assert case.names in told and case.says in told.lower(), told
    after = harness.snapshot(repo)
    changed = sorted(rel for rel in set(before) | set(after) if before.get(rel) != after.get(rel))
    assert changed == sorted(case.written), f"changed: {changed}\n{told}"
    if case.written:
        for rel in case.written:
            assert f"{rel} was written" in told, told


def test_eio_reading_a_cache_is_a_cache_miss_not_an_error(repo: Path) -> None:
    """A cache that cannot be read is not believed: rebuilt, the answer as without it."""
    assert harness.run(repo, "board").code == 0  # a warm cache, then the same board again
    reference = harness.run(repo, "check", "--format", "json", "--no-cache")
    result = with_eio(repo, "check", "--format", "json", read=re.escape("/.charter/cache/"))
    assert not result.traceback, result.err
    assert (result.code, result.out) == (reference.code, reference.out), result.err
