"""Property: a glob bash expands to a forbidden file is denied, however its sets are spelled.

Hypothesis spells the names of forbidden files (`.env`, `secrets/api.txt`,
`keys/server.pem`) one character at a time: literal, `?`, `*`, a bracket set
(`[v]`, `[!x]`, `[^x]`, `[]v]`), a POSIX class (`[[:alpha:]]`, `[[:punct:]]`)
or an equivalence class (`[[=v=]]`). Real bash (`bash -c 'printf ...'` in the
repository) says what the pattern expands to; whenever that holds a forbidden
file, `cat PATTERN` must be denied. A quoted pattern is compared with example
names of the forbidden patterns (docs/guard.md, "Limits"), so for `.env`, whose
example is itself, `git log -- 'PATTERN'` must be denied too (git's pathspecs
read the same sets).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from charter.guard.decide import classify
from tests.guard.cases_commands import PERMISSIVE
from tests.guard.helpers import GUARD_PROFILE, compiled, make_context
from tests.guard.test_classes import build_hostile_repo

FORBIDDEN_FILES = [".env", "secrets/api.txt", "keys/server.pem"]
SMALL = settings(GUARD_PROFILE, max_examples=min(GUARD_PROFILE.max_examples, 300))


def _spellings(char: str) -> list[str]:
    if char == "/":
        return ["/"]
    other = "x" if char != "x" else "y"
    kind = "alpha" if char.isalpha() else "digit" if char.isdigit() else "punct"
    return [char, "?", "*", f"[{char}]", f"[!{other}]", f"[^{other}]", f"[]{char}]",
            f"[[:{kind}:]]", f"[[={char}=]]", f"[{other}{char}]"]  # fmt: skip


@st.composite
def spelled(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(FORBIDDEN_FILES))
    return "".join(draw(st.sampled_from(_spellings(char))) for char in name)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_hostile_repo(tmp_path_factory.mktemp("globs") / "repo")


def _bash_expands(pattern: str, root: Path) -> list[str]:
    script = f"shopt -s dotglob; printf '%s\\n' {pattern}"
    done = subprocess.run(["bash", "-c", script], cwd=root, capture_output=True, text=True,
                          timeout=20, check=False)  # fmt: skip
    return done.stdout.splitlines()


@SMALL
@given(pattern=spelled())
@example(pattern=".en[^x]")
@example(pattern=".[[:alpha:]]nv")
@example(pattern="secrets/ap[[:lower:]].txt")
def test_a_glob_bash_expands_to_a_forbidden_file_is_denied(pattern: str, hostile: Path) -> None:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    # dotglob on: the widest reading bash may give the pattern (the guard judges that one)
    reached = set(_bash_expands(pattern, hostile)) & set(FORBIDDEN_FILES)
    if not reached:
        return
    ctx = make_context(compiled(PERMISSIVE), hostile)
    decision = classify(f"cat {pattern}", ctx)
    assert not decision.allowed, (pattern, reached)
    assert "forbidden" in decision.reason, decision.reason
    if reached == {".env"}:
        quoted = classify(f"git log -- {shlex.quote(pattern)}", ctx)
        assert not quoted.allowed, ("quoted", pattern)
