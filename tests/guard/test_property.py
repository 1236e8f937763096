"""Properties: what the guard allows runs exactly as predicted, and nothing breaks it.

The main property composes allowed and hostile fragments (random quoting and
escaping of every word, separators with and without spaces, subshells, groups,
`bash -c` wrappers, redirections, comments, substitutions, globs...), asks the
guard, and executes every allowed script under a real `bash -c` in a scratch
repository whose PATH holds only logging stubs. Each stub writes the argv it
received. The property: every executed argv is one the guard predicted, and
no file appears. Hypothesis runs 2,000 examples under the "guard-ci" profile.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from charter.guard.compiled import CompiledPolicy
from charter.guard.decide import Decision, classify
from charter.guard.execute import exec_args
from tests.guard.helpers import GUARD_PROFILE, make_context, make_repo

STUBS = (
    "git", "rg", "ls", "cat", "head", "wc", "pytest", "make", "ruff", "curl", "python", "touch",
    "rm", "cp", "env", "xargs", "timeout", "nohup", "printf",
)  # fmt: skip
STUB = '#!/bin/sh\nprintf \'%s\\0\' "${0##*/}" "$@" > "$CHARTER_STUB_DIR/$$.rec"\n'
# `cat` also prints: a here-document read by `cat` is the text a command receives
CAT_STUB = STUB + 'exec /bin/cat "$@"\n'

ALLOWED_HEADS = [
    ["git", "status"], ["git", "log"], ["git", "diff"], ["git", "show"], ["rg"], ["ls"],
    ["cat"], ["head"], ["wc"], ["pytest"], ["make", "test"], ["ruff", "check"],
]  # fmt: skip
OTHER_HEADS = [["curl"], ["python"], ["make", "bench"], ["git", "push"], ["env"], ["xargs"]]
SAFE_ARGS = ["-1", "--short", "-n", "-la", "src", "src/app.py", "HEAD~1", "--format=%h %s",
             "foo|bar", "a b", "", "-q", "it's", '"q"', "x=y", "--", "-k", "not slow"]  # fmt: skip
HOSTILE_WORDS = [
    "$(touch created)", "`touch created`", "$HOME", "${IFS}", "*", "?", "[ab]", "{a,b}", "~",
    "~/x", ">created", ">>created", "&", ";touch created", "|touch created", "#", "$((1))",
    "$'x'", "<(touch created)", ".env", "/dev/tcp/h/1", "\\\n", "a\\", "--pre=x", "-z",
    "--basetemp=x", "--no-verify",
]  # fmt: skip
HOSTILE_COMMANDS = [
    "touch created", "ls > created", "ls >> created", "ls 2> created", "ls &> created",
    "ls >| created", "X=1 ls", "f() { touch created; }", "cat <<EOF\n$(touch created)\nEOF",
    "ls $(touch created)", "bash -c 'touch created'", "eval 'touch created'",
    "exec touch created", "./cat x", "ls &", "if true; then ls; fi", "cat .env",
    "rg --pre touch x", "git -c core.pager=touch log", "cat < /dev/tcp/h/1",
]  # fmt: skip
SEPARATORS = ["; ", ";", " && ", "&&", " || ", "||", " | ", "|", "\n", " |& "]
HOSTILE_SEPARATORS = [" & ", "&", ";;", "\r\n", " \\\n "]
SAFE_REDIRECTS = [" 2>/dev/null", " >/dev/null", " 2>&1", " </dev/null", " < src/app.py",
                  " >/dev/null 2>&1"]  # fmt: skip
PLAIN_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:@%+,=")


@st.composite
def spelled(draw: st.DrawFn, word: str) -> str:
    """A shell spelling of `word`: bash turns it back into exactly `word`."""
    if not word:
        return draw(st.sampled_from(["''", '""']))
    chunks: list[str] = []
    rest = word
    while rest:
        size = draw(st.integers(1, len(rest)))
        chunks.append(rest[:size])
        rest = rest[size:]
    return "".join(draw(st.builds(_spell_chunk, st.just(c), st.integers(0, 3))) for c in chunks)


def _spell_chunk(chunk: str, style: int) -> str:
    plain_ok = all(c in PLAIN_CHARS for c in chunk) and not chunk.startswith("~")
    if style == 0 and plain_ok:
        return chunk
    if style == 1 and "'" not in chunk:
        return "'" + chunk + "'"
    if style == 2:
        escaped = "".join("\\" + c if c in '$`"\\' else c for c in chunk)
        return '"' + escaped + '"'
    out = []
    for char in chunk:
        if char.isalnum():
            out.append(char)
        elif char == "\n":
            out.append("'\n'")  # a backslash-newline would be a line continuation
        else:
            out.append("\\" + char)
    return "".join(out)


words = st.one_of(
    st.sampled_from(SAFE_ARGS),
    st.text(alphabet=" abc-=_./:@%+,'\"\\$`*?[]{}~#!;&|<>()\n\t^", max_size=6),
)


@st.composite
def commands(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 14))
    if kind == 0:
        return draw(st.sampled_from(HOSTILE_COMMANDS))
    head = draw(st.sampled_from(ALLOWED_HEADS if kind > 1 else OTHER_HEADS))
    args = draw(st.lists(words, max_size=3))
    parts = [" ".join(head)]  # names stay plain: a quoted name is refused outright
    for arg in args:
        if draw(st.integers(0, 20)) == 0:
            parts.append(draw(st.sampled_from(HOSTILE_WORDS)))
        else:
            parts.append(draw(spelled(arg)))
    text = " ".join(parts)
    if draw(st.booleans()):
        text += draw(st.sampled_from(SAFE_REDIRECTS))
    if draw(st.integers(0, 8)) == 0:
        text += " # " + draw(st.sampled_from(["note", "$(touch created)", "; touch created"]))
    return text


@st.composite
def scripts(draw: st.DrawFn, depth: int = 0) -> str:
    count = draw(st.integers(1, 3))
    pieces = []
    for index in range(count):
        if depth < 2 and draw(st.integers(0, 5)) == 0:
            inner = draw(scripts(depth + 1))
            wrap = draw(st.integers(0, 3))
            if wrap == 0:
                piece = f"( {inner} )"
            elif wrap == 1:
                piece = "{ " + inner + "; }"
            elif wrap == 2:
                piece = "bash -c " + draw(spelled(inner))
            else:
                piece = "! " + inner
        else:
            piece = draw(commands())
        if index:
            hostile = draw(st.integers(0, 25)) == 0
            separator = draw(st.sampled_from(HOSTILE_SEPARATORS if hostile else SEPARATORS))
            pieces.append(separator)
        pieces.append(piece)
    return "".join(pieces)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("sandbox")
    work = make_repo(base / "work")
    (work / "src" / "app.py").write_text("print('hi')\n", encoding="utf-8")
    bindir = base / "bin"
    bindir.mkdir()
    for name in STUBS:
        stub = bindir / name
        stub.write_text(CAT_STUB if name == "cat" else STUB, encoding="utf-8")
        stub.chmod(0o755)
    for shell in ("bash", "sh"):
        real = shutil.which(shell)
        assert real is not None
        (bindir / shell).symlink_to(real)
    records = base / "records"
    records.mkdir()
    home = base / "home"
    home.mkdir()
    return {"work": work, "bin": bindir, "records": records, "home": home}


def _tree(root: Path) -> set[tuple[str, int]]:
    entries = set()
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(directory) / name
            entries.add(
                (str(path.relative_to(root)), path.lstat().st_size if name in files else -1)
            )
    return entries


def _run(args: list[str], box: dict[str, Path]) -> list[tuple[str, ...]]:
    for old in box["records"].iterdir():
        old.unlink()
    env = {
        "PATH": str(box["bin"]),
        "CHARTER_STUB_DIR": str(box["records"]),
        "HOME": str(box["home"]),
        "LC_ALL": "C",
    }
    subprocess.run(
        args,
        cwd=box["work"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=30,
        check=False,
    )
    executed = []
    for record in box["records"].iterdir():
        fields = record.read_bytes().split(b"\0")[:-1]
        executed.append(tuple(field.decode("utf-8", "surrogateescape") for field in fields))
    return executed


def test_allowed_commands_run_exactly_as_predicted(
    sandbox: dict[str, Path], example_policy: CompiledPolicy
) -> None:
    context = make_context(example_policy, sandbox["work"], level="L1")
    before = _tree(sandbox["work"])
    stats: Counter[str] = Counter()

    @settings(GUARD_PROFILE)
    @given(script=scripts())
    @example(script="git status; ls -la src | head -3 && rg -n 'a|b' src 2>/dev/null")
    @example(script="bash -c 'git log -1 --format=\"%h %s\"; wc -l < src/app.py'")
    @example(script="git log 'a'\\ b\"c\" x\\$y # $(touch created)")
    @example(script="git log -m \"$(cat <<'EOF'\nfix: x\n\nbody $(touch created) `x`\nEOF\n)\"")
    @example(script='git log -m "a $(cat <<"EOF"\nx\\y\nEOF\n) b" HEAD@{1} @{u}..HEAD')
    @example(script='git log -m "a $(cat <<"EOF"\nx\nEOF)\nEOF\n) b"')
    @example(script="ls src/*.py && cat src/ap?.py")
    def check(script: str) -> None:
        decision = classify(script, context)
        stats["total"] += 1
        if not decision.allowed:
            return
        stats["allowed"] += 1
        predicted = set(decision.argvs)
        executed = _run(exec_args(decision), sandbox)
        stats["executed"] += len(executed)
        for argv in executed:
            assert argv in predicted, f"{script!r} ran {argv!r}, predicted {predicted!r}"
        assert _tree(sandbox["work"]) == before, f"{script!r} created or changed a file"

    check()
    print(f"guard property: {dict(stats)}")
    # the property is only as good as the share of examples that actually run
    assert stats["allowed"] >= stats["total"] // 5, stats
    assert stats["executed"] >= stats["allowed"], stats


def test_allowed_argv_runs_exactly_as_predicted(
    sandbox: dict[str, Path], example_policy: CompiledPolicy
) -> None:
    context = make_context(example_policy, sandbox["work"], level="L1")

    @settings(GUARD_PROFILE, max_examples=min(300, GUARD_PROFILE.max_examples))
    @given(head=st.sampled_from(ALLOWED_HEADS), args=st.lists(words, max_size=4))
    def check(head: list[str], args: list[str]) -> None:
        argv = [*head, *args]
        decision = classify(argv, context)
        if not decision.allowed:
            return
        assert decision.argvs == [tuple(argv)]
        executed = _run(exec_args(decision), sandbox)
        assert executed == [tuple(argv)]

    check()


@pytest.fixture(scope="module")
def decide_anything(
    tmp_path_factory: pytest.TempPathFactory, example_policy: CompiledPolicy
) -> Callable[[str | bytes], Decision]:
    context = make_context(example_policy, make_repo(tmp_path_factory.mktemp("any") / "repo"))
    return lambda data: classify(data, context)


def test_classify_never_raises_on_random_bytes(
    decide_anything: Callable[[str | bytes], Decision],
) -> None:
    @settings(GUARD_PROFILE)
    @given(data=st.binary(max_size=300))
    def check(data: bytes) -> None:
        decide_anything(data)

    check()


shellish = st.text(alphabet=" \n\t'\"\\$`(){}[]<>|&;#*?~!=-abcgit", max_size=200)


def test_classify_never_raises_on_random_text(
    decide_anything: Callable[[str | bytes], Decision],
) -> None:
    @settings(GUARD_PROFILE)
    @given(text=st.one_of(shellish, st.text(max_size=100)))
    def check(text: str) -> None:
        decide_anything(text)

    check()


@pytest.mark.parametrize(
    "text",
    ["(" * 8000, "$(" * 5000, "{ " * 5000, "(" * 3000 + "ls" + ")" * 3000, "! " * 5000 + "ls",
     "ls | " * 3000 + "ls", "ls && " * 2500 + "ls", '"' * 9000, "\\" * 9000],
)  # fmt: skip
def test_pathological_input_is_decided_without_error(
    decide_anything: Callable[[str | bytes], Decision], text: str
) -> None:
    decision = decide_anything(text)
    assert decision.allowed == text.startswith("ls")
