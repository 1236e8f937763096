"""Property: under a rule that allows an interpreter by name, no allowed argv runs code
written into the command or read from stdin.

Hypothesis composes argvs for the real `python3`, `perl` and `node` from their
options (clusters, attached and separate values, `-`, `--`, `-i`) and a code
word that creates a marker file; stdin holds code that creates it too, and the
repository holds a harmless script. Every argv the guard allows is run for real:
the marker must not appear. The allowed examples (`python3 ok.py`, `perl -w
ok.pl`, `node -r ./ok.js ok.js`) show the property is not met by refusing all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from charter.guard.decide import classify
from tests.guard.helpers import GUARD_PROFILE, compiled, make_context, make_repo

POLICY = """\
---
charter_policy: 1
default_level: L0
levels:
  L0:
    title: Observe
    allow: ["python3", "perl", "node"]
---
# Autonomy policy
"""
MARK = "MARK"
CODE = {
    "python3": f"open({MARK!r}, 'w')",
    "perl": f"open(F, '>{MARK}')",
    "node": f"require('fs').writeFileSync({MARK!r}, '')",
}
SCRIPTS = {"python3": "ok.py", "perl": "ok.pl", "node": "ok.js"}
WORDS = {
    "python3": ["-c", "-I", "-E", "-B", "-u", "-O", "-W", "ignore", "-X", "dev", "-Ic", "-i",
                "-Ii", "-s", "-S", "-q", "-", "--", "-m", "json.tool", "-V",
                "--check-hash-based-pycs", "always"],
    "perl": ["-e", "-E", "-n", "-l", "-l0", "-w", "-MExporter", "-Mstrict", "-I.", "-p",
             "-ne", "-le", "-lne", "-0777", "-s", "-", "--", "-c", "-v"],
    "node": ["-e", "--eval", "-p", "--print", "-pe", "-r", "./ok.js", "--require",
             "--no-warnings", "-i", "--interactive", "-", "--", "-v", "--stack-trace-limit",
             "5", "--title", "t"],
}  # fmt: skip
SMALL = settings(GUARD_PROFILE, max_examples=min(GUARD_PROFILE.max_examples, 300))


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_repo(tmp_path_factory.mktemp("inline") / "repo", POLICY)
    (root / "ok.py").write_text("pass\n", encoding="utf-8")
    (root / "ok.pl").write_text("1;\n", encoding="utf-8")
    (root / "ok.js").write_text("0;\n", encoding="utf-8")
    return root


def _argv(program: str, data: st.DataObject) -> list[str]:
    pool = [*WORDS[program], CODE[program], SCRIPTS[program]]
    words = data.draw(st.lists(st.sampled_from(pool), max_size=5))
    if data.draw(st.booleans()):
        # the code attached to an option that takes it: `-cCODE`, `--eval=CODE`
        attach = data.draw(st.sampled_from(["-c", "-e", "--eval=", "-E"]))
        words.insert(data.draw(st.integers(0, len(words))), attach + CODE[program])
    return [program, *words]


def _runs_code(argv: list[str], root: Path) -> bool:
    marker = root / MARK
    marker.unlink(missing_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(root)}
    subprocess.run(argv, cwd=root, input=CODE[argv[0]].encode(), env=env,
                   capture_output=True, timeout=20, check=False)  # fmt: skip
    return marker.exists()


@pytest.mark.parametrize("program", sorted(CODE))
def test_allowed_argvs_run_no_code_of_the_command(program: str, sandbox: Path) -> None:
    if shutil.which(program) is None:
        pytest.skip(f"{program} is not installed")
    policy = compiled(POLICY)

    @SMALL
    @given(data=st.data())
    @example(data=None)  # the legitimate argv: it must be allowed, and run no code
    def check(data: st.DataObject | None) -> None:
        argvs = [_legit(program)] if data is None else [_argv(program, data)]
        for argv in argvs:
            decision = classify(argv, make_context(policy, sandbox, level="L0"))
            if data is None:
                assert decision.allowed, (argv, decision.reason)
            if decision.allowed:
                assert not _runs_code(argv, sandbox), (argv, decision.rule)

    check()


def _legit(program: str) -> list[str]:
    return {
        "python3": ["python3", "-B", "ok.py"],
        "perl": ["perl", "-w", "ok.pl"],
        "node": ["node", "-r", "./ok.js", "ok.js"],
    }[program]


@pytest.mark.parametrize("program", sorted(CODE))
def test_the_code_word_does_run_when_the_guard_is_not_asked(program: str, sandbox: Path) -> None:
    """The marker code is live: without the guard, `PROGRAM -e CODE` and stdin create it."""
    if shutil.which(program) is None:
        pytest.skip(f"{program} is not installed")
    option = "-c" if program == "python3" else "-e"
    assert _runs_code([program, option, CODE[program]], sandbox)
    assert _runs_code([program], sandbox)
