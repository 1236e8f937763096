"""Precondition 3: the commands a plan requires exist in the repository."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from charter.sessions.tooling import missing_tooling
from tests.sessions.helpers import write

MAKEFILE = """\
.PHONY: test lint
VAR := 1
test lint: deps
\tpytest
bench::
\ttrue
%.o: %.c
"""

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write(tmp_path, "Makefile", MAKEFILE)
    write(tmp_path, "sub/Makefile", "only:\n\ttrue\n")
    script = write(tmp_path, "tools/run.sh", "#!/bin/sh\n")
    os.chmod(script, 0o755)
    write(tmp_path, "tools/plain.sh", "echo\n")
    write(tmp_path, "scripts/gen.py", "print()\n")
    return tmp_path


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        pytest.param("make test", None, marks=needs_make),
        pytest.param("make test lint", None, marks=needs_make),
        pytest.param("make bench", None, marks=needs_make),
        pytest.param("make -C sub only", None, marks=needs_make),
        pytest.param("make", None, marks=needs_make),
        pytest.param("FAST=1 make test V=1", None, marks=needs_make),
        pytest.param("make deploy", "Makefile has no target deploy", marks=needs_make),
        pytest.param("make VAR", "Makefile has no target VAR", marks=needs_make),
        pytest.param("make -C sub test", "sub/Makefile has no target test", marks=needs_make),
        pytest.param("make -f other.mk x", "other.mk does not exist", marks=needs_make),
        ("tools/run.sh --fast", None),
        ("./tools/run.sh", None),
        ("tools/plain.sh", "is not executable"),
        ("bash tools/plain.sh", None),
        ("python scripts/gen.py --all", None),
        ("python3.11 -u scripts/gen.py", None),
        ("python scripts/missing.py", "scripts/missing.py does not exist"),
        ("tools/nope.sh", "tools/nope.sh does not exist"),
        ("../outside.sh", "outside the repo"),
        ("/usr/bin/env", "outside the repo"),
        ("git status", None),
        ("no-such-program-xyz", "neither in the repo nor installed on PATH"),
        ("make 'unclosed", "cannot read the command"),
        ("   ", "is empty"),
    ],
)
def test_required_commands(root: Path, command: str, problem: str | None) -> None:
    found = missing_tooling(root, command)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found, found


def test_a_repo_local_tool_counts_as_present(root: Path) -> None:
    write(root, "node_modules/.bin/eslint", "")
    assert missing_tooling(root, "eslint .") is None
