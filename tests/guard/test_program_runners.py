"""Programs that run programs, write files or persist settings through their arguments.

A policy may allow a program outright (`fd`, `tree`, `npm`, `docker`); the built-in
rules still refuse the arguments that make it run a program of the caller's choosing,
write where a read-only tool should not, or write a setting that later commands obey.
Global options before a subcommand (`docker --context ci run`) hide nothing.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from charter.guard.builtin import builtin_denial
from charter.guard.decide import classify
from charter.guard.rules import subcommand_candidates
from tests.guard.helpers import compiled, make_context, make_repo

RUNS = "runs a command the guard cannot check"
READS_ONLY = "may only read"

HOSTILE: list[tuple[str, str]] = [
    # a wrapper subcommand behind global options, with or without their values
    ("docker --context default run img", RUNS),
    ("docker -D run img", RUNS),
    ("poetry -q run id", RUNS),
    ("bundle --verbose exec id", RUNS),
    ("kubectl -n ns exec pod -- id", RUNS),
    ("uv --offline tool run x", RUNS),
    ("npm --prefix=sub exec id", RUNS),
    # the same job under another name or tool
    ("npm x -- id", RUNS),
    ("npm explore pkg -- id", RUNS),
    ("tox exec -- id", RUNS),
    ("tox e -e py -- id", RUNS),
    ("mise exec -- id", RUNS),
    ("mise x node@20 -- id", RUNS),
    ("pixi run id", RUNS),
    ("bun x cowsay", RUNS),
    ("docker compose run svc id", RUNS),
    ("podman run img", RUNS),
    ("nix run nixpkgs#hello", RUNS),
    ("direnv exec . id", RUNS),
    ("perf record -- id", RUNS),
    ("meson devenv id", RUNS),
    ("gh extension install owner/ext", RUNS),
    ("git instaweb --httpd=id", "can run arbitrary commands"),
    # programs whose job is to run another program
    ("watchexec id", "runs another command"),
    ("entr id", "runs another command"),
    ("valgrind id", "runs another command"),
    ("gdb -batch -ex 'shell id'", "runs another command"),
    ("tmux new-session -d id", "runs another command"),
    ("xvfb-run id", "runs another command"),
    ("prlimit --nofile=10 id", "runs another command"),
    ("nix-shell --run id", "runs another command"),
    # options that run a program named on the command line
    ("split --filter=id big.txt", "--filter"),
    ("zip -TT id -T out.zip a", "-TT"),
    ("zip --unzip-command id -T out.zip a", "--unzip-command"),
    ("man -P id ls", "-P"),
    ("man --pager=id ls", "--pager"),
    ("fd -x id", "-x"),
    ("fd . --exec-batch id", "--exec-batch"),
    ("fdfind -X id", "-X"),
    ("bat --pager=id README.md", "--pager"),
    ("delta --pager id", "--pager"),
    ("ag --pager id x", "--pager"),
    ("fzf --preview 'id {}'", "--preview"),
    ("pandoc --filter=id in.md", "--filter"),
    ("pandoc -L evil.lua in.md", "-L"),
    ("pandoc --pdf-engine=id in.md -o out.pdf", "--pdf-engine"),
    ("hg --config hooks.pre-status=id status", "--config"),
    ("hg -R /tmp/other status", "-R"),
    ("gpg --photo-viewer id --list-keys", "--photo-viewer"),
    ("meson test --wrapper=id", "--wrapper"),
    ("pdflatex -shell-escape doc.tex", "-shell-escape"),
    ("xelatex --shell-escape doc.tex", "--shell-escape"),
    # read-only tools with an option that writes
    ("tree -o docs/agents/AUTONOMY.md", "-o"),
    ("tree -R -H . src", "-R"),
    ("file -C -m magic", "-C"),
    ("less -o copy.txt notes.txt", "-o"),
    ("less --log-file=copy.txt notes.txt", "--log-file"),
    ("date -s 2020-01-01", "-s"),
    # settings written now, obeyed by a later allowed command
    ("npm config set script-shell /tmp/evil", READS_ONLY),
    ("npm config -g set script-shell=/tmp/evil", READS_ONLY),
    ("npm set script-shell /tmp/evil", READS_ONLY),
    ("npm pkg set scripts.test=id", READS_ONLY),
    ("pnpm config set script-shell /tmp/evil", READS_ONLY),
    ("yarn config set yarnPath /tmp/evil.js", READS_ONLY),
    ("pip config set global.index-url http://evil", READS_ONLY),
    ("gh config set pager id", READS_ONLY),
    ("bundle config set path /tmp", READS_ONLY),
    ("go env -w GOFLAGS=-toolexec=id", "-w"),
    ("go env -u GOFLAGS", "-u"),
    ("pytest --pastebin=all", "--pastebin"),
    ("python -m pytest --pastebin failed", "--pastebin"),
]

ORDINARY = [
    "docker ps",
    "docker --context default ps",
    "poetry -q install",
    "npm --prefix=sub test",
    "npm config get registry",
    "npm config --json list",
    "npm pkg get name",
    "pip config list",
    "gh config get pager",
    "go env GOPATH",
    "tox -e py -- -x",
    "mise run test",
    "fd -e py src",
    "bat README.md",
    "man ls",
    "tree -L 2 src",
    "file src/app.py",
    "less README.md",
    "date +%F",
    "pandoc -o out.html in.md",
    "hg status",
    "meson test -v",
    "pdflatex doc.tex",
    "zip -r out.zip src",
    "split -l 100 big.txt",
]


@pytest.mark.parametrize(("command", "why"), HOSTILE)
def test_a_program_made_to_run_or_write_is_refused(command: str, why: str) -> None:
    denial = builtin_denial(shlex.split(command), nested=False)
    assert denial is not None, f"wrongly passed: {command!r}"
    assert why in denial, f"{command!r} refused for another reason: {denial}"


@pytest.mark.parametrize("command", ORDINARY)
def test_ordinary_uses_of_those_programs_pass(command: str) -> None:
    assert builtin_denial(shlex.split(command), nested=False) is None


@pytest.mark.parametrize(
    ("argv", "candidates"),
    [
        (["docker", "run", "x"], {"run"}),
        (["docker", "--context", "ci", "run", "x"], {"ci", "run"}),
        (["docker", "--context=ci", "ps"], {"ps"}),
        (["poetry", "-q", "run", "x"], {"run", "x"}),
        (["npm", "--", "exec"], set()),
        (["npm"], set()),
        (["git", "-C", "x", "status"], {"x"}),  # git's own reading: the first bare word
    ],
)
def test_subcommand_candidates(argv: list[str], candidates: set[str]) -> None:
    assert subcommand_candidates(argv) == candidates


POLICY = """\
---
charter_policy: 1
default_level: L3
levels:
  L0:
    title: Observe
    allow: ["ls", "tree", "less", "fd", "man"]
  L3:
    title: Online
    inherits: L0
    network: true
    allow: ["npm", "docker", "go", "gh", "tox", "pytest", "git commit"]
---
# Autonomy policy
"""


@pytest.mark.parametrize(
    ("command", "allowed"),
    [
        ("tree -L 2", True),
        ("tree -o docs/agents/AUTONOMY.md", False),
        ("fd --exec id", False),
        ("npm test", True),
        ("npm config set script-shell /tmp/evil", False),
        ("docker --context default run img", False),
        ("go env -w GOFLAGS=-toolexec=id", False),
        ("tox exec -- id", False),
        # KIND:PATH values write to PATH (pytest-cov's reports)
        ("tree --help", True),
        ("pytest --cov-report=xml:cov.xml", True),
        ("pytest --cov-report=xml:Makefile", False),
        ("pytest --cov-report lcov:.git/hooks/pre-commit", False),
        ("pytest --cov-report=annotate:/tmp/out", False),
        ("pytest tests/test_app.py::test_ok", True),
        ("git commit -m 'fix: typo in the guide'", True),
    ],
)
def test_the_guard_refuses_them_under_a_policy_that_allows_the_programs(
    tmp_path: Path, command: str, allowed: bool
) -> None:
    root = make_repo(tmp_path, POLICY)
    context = make_context(compiled(POLICY), root, level="L3", env={})
    assert classify(command, context).allowed is allowed


MANIFEST_POLICY = """\
---
charter_policy: 1
default_level: L3
levels:
  L3:
    title: Online
    network: true
    allow: ["npm", "uv", "cargo", "go", "poetry", "yarn", "pnpm", "bun", "pip install"]
UNPROTECTED
---
# Autonomy policy
"""


@pytest.mark.parametrize(
    ("command", "allowed"),
    [
        # a package named: the manifest is rewritten
        ("npm install left-pad", False),
        ("npm i -D left-pad", False),
        ("npm uninstall left-pad", False),
        ("npm version patch", False),
        ("npm init -y", False),
        ("uv add requests", False),
        ("uv version --bump patch", False),
        ("poetry add requests", False),
        ("cargo add serde", False),
        ("go get example.com/x", False),
        ("go mod tidy", False),
        ("yarn add x", False),
        ("pnpm add x", False),
        ("bun add x", False),
        # what the manifest lists is installed, or the manifest only read
        ("npm install", True),
        ("npm ci", True),
        ("npm version", True),
        ("uv sync", True),
        ("uv version", True),
        ("go mod download", True),
        ("yarn install", True),
        ("pip install requests", True),
        ("npm install -g typescript", True),  # the tool's own prefix, not the project
    ],
)
def test_a_package_manager_that_rewrites_its_manifest_writes_a_protected_file(
    tmp_path: Path, command: str, allowed: bool
) -> None:
    policy = MANIFEST_POLICY.replace("UNPROTECTED\n", "")
    root = make_repo(tmp_path, policy)
    (root / "src").mkdir(exist_ok=True)
    # GOPROXY=off: go fetches nothing, so only the manifest decides here (go's hosts are
    # judged in test_network_go.py)
    env = {"GOPROXY": "off"}
    for cwd in (root, root / "src"):  # the tools look upwards for their manifest
        context = make_context(compiled(policy), root, level="L3", cwd=cwd, env=env)
        decision = classify(command, context)
        assert decision.allowed is allowed, decision.reason
        if not allowed:
            assert "would rewrite its manifest" in decision.reason
            assert "is protected" in decision.reason


def test_unprotected_manifests_may_be_rewritten(tmp_path: Path) -> None:
    policy = MANIFEST_POLICY.replace(
        "UNPROTECTED\n", 'unprotected_paths: ["package.json", "pyproject.toml"]\n'
    )
    root = make_repo(tmp_path, policy)
    context = make_context(compiled(policy), root, level="L3")
    assert classify("npm install left-pad", context).allowed
    assert classify("uv add requests", context).allowed
    assert not classify("cargo add serde", context).allowed
