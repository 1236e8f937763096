"""Red-team classes closed in the guard's reading of program arguments.

Judged at L1 in the hostile `charter init` repository (test_classes.py) under
INTERPRETERS, a policy that allows interpreters, compilers, build tools and
compressors by their bare names, which is where an argument that makes an
allowed program run code of the caller's choosing shows:

- code written on the command line or read from stdin (`python -c`, `node -e`,
  `perl -lne`, `vim -c`, `echo CODE | python`): a mode the allow rule must name;
- files a compressor writes under a name derived from its argument
  (`gunzip Makefile.gz` writes the protected `Makefile`);
- options that make a compiler or build tool run a program or another build
  script (`gcc -wrapper`, `gradle --init-script`, `mvn -f`, `npm --userconfig`),
  and `git maintenance` registering itself outside the repository;
- `file:` URLs naming paths outside the repository (`git fetch file:///etc`);
- untracked and ignored files `git clean -x` and `git stash -a` delete without naming
  them (`.charter/`, which holds the active session and the kill switch, and `.env`);
- whole trees compressed, moved into an archive or removed (`gzip -r .`, `zip -rm out.zip .`,
  `git rm -r docs`): walked for forbidden files, judged as deletions;
- glob sets bash and git read but fnmatch does not (`.en[^x]`, `.[[:alpha:]]nv`).

Every denial is checked for its reason, every legitimate neighbour for being allowed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charter.guard.compiled import CompiledPolicy
from charter.guard.decide import Decision, classify
from charter.guard.hooks import handle
from tests.guard.helpers import compiled, make_context
from tests.guard.test_classes import build_hostile_repo

INTERPRETERS = """\
---
charter_policy: 1
default_level: L1
levels:
  L0:
    title: Observe
    allow: ["ls", "cat", "git status", "git log", "sqlite3", "echo"]
  L1:
    title: Edit & test
    inherits: L0
    allow: ["python", "python3", "pypy3", "node", "perl", "ruby", "php", "lua", "Rscript",
            "julia", "elixir", "ghc", "bun", "tsx", "ts-node", "vim", "vi", "nvim", "ex", "emacs",
            "erl", "gzip", "gunzip", "xz", "unxz", "bzip2", "zstd", "lz4", "brotli", "uncompress",
            "gcc", "g++", "clang", "cc", "cmake", "gradle", "mvn", "npm test", "npm run",
            "git fetch", "git clone", "git pull", "git maintenance run", "pip install", "pytest",
            "git clean", "git stash", "rg", "git log", "zip", "7z", "git rm", "git mv", "go",
            "psql", "mysql", "dc", "tclsh", "deno", "py", "guile", "crontab -l", "systemctl",
            "launchctl", "yarn", "git am", "jar", "7za", "bsdtar", "unrar", "ar", "unar"]
  L2:
    title: Experiment
    inherits: L1
    allow: ["python -c", "node -e", "perl -e", "python -", "vim +5", "python -m timeit"]
forbidden_paths: [".env", "*.pem", "secrets/**"]
---
# Autonomy policy
"""

NAME = "must name it"
PROTECTED = "is protected"
OUTSIDE = "outside the repository"

INLINE: list[tuple[str, str]] = [
    # Python: -c alone, attached, inside a cluster, after options that take a value
    ("python -c 'import os; os.system(\"id\")'", NAME),
    ("python3 -c x", NAME),
    ("python -cx", NAME),
    ("python -Ic x", NAME),
    ("python -E -c x", NAME),
    ("python -W ignore -c x", NAME),
    ("python -Wignore -c x", NAME),
    ("python -X dev -c x", NAME),
    ("pypy3 -c x", NAME),
    # the program from stdin: no script, `-`, or -i after the script
    ("python", NAME),
    ("python -", NAME),
    ("python -u -", NAME),
    ("python -B -E", NAME),
    ("python - < src/app.py", NAME),
    ("echo 'import os' | python", NAME),
    ("cat src/app.py | python3", NAME),
    ("python -i src/app.py", NAME),
    ("python -Ii src/app.py", NAME),
    ("python --check-hash-based-pycs always -c x", NAME),
    ("node --report-dir reports -e x", NAME),
    ("node --stack-trace-limit 5 --eval x", NAME),
    ("ruby --encoding utf-8 -e x", NAME),
    ("python -m timeit x", NAME),
    ("python -m code", NAME),
    ("python -m pdb -c 'import os' src/app.py", NAME),
    ("python -m pdb src/app.py", NAME),
    ("python -m asyncio", NAME),
    # node and its kin
    ("node -e x", NAME),
    ("node --eval x", NAME),
    ("node --eval=x", NAME),
    ("node -p x", NAME),
    ("node --print x", NAME),
    ("node -pe x", NAME),
    ("node", NAME),
    ("node -", NAME),
    ("node -i", NAME),
    ("node --interactive", NAME),
    ("node -r ./x -e y", NAME),
    ("node --require ./x -e y", NAME),
    ("node --input-type=module -e x", NAME),
    ("tsx -e x", NAME),
    ("ts-node --eval x", NAME),
    ("bun --eval 1", NAME),
    # perl and ruby: clusters, digits after -l/-0, letters whose value is attached
    ("perl -e 'system(\"id\")'", NAME),
    ("perl -E x", NAME),
    ("perl -ne x src/app.py", NAME),
    ("perl -lne x src/app.py", NAME),
    ("perl -l0ne x src/app.py", NAME),
    ("perl -pi -e x src/app.py", NAME),
    ("perl -Mstrict -e x", NAME),
    ("perl -MExporter -e1", NAME),
    ("perl -I. -e x", NAME),
    ("perl", NAME),
    ("perl -w", NAME),
    ("echo x | perl", NAME),
    ("perl -c", NAME),
    ("ruby -e x", NAME),
    ("ruby -ne x", NAME),
    ("ruby -r x -e y", NAME),
    ("ruby", NAME),
    # the rest of the interpreters with an evaluate option
    ("php -r x", NAME),
    ("php -B x -R y", NAME),
    ("php -a", NAME),
    ("php", NAME),
    ("lua -e x", NAME),
    ("lua", NAME),
    ("Rscript -e x", NAME),
    ("julia -e x", NAME),
    ("julia --eval x", NAME),
    ("julia -E x", NAME),
    ("elixir -e x", NAME),
    ("ghc -e x", NAME),
    ("erl -eval x", NAME),
    ("erl -noshell -s x", NAME),
    # editors run their command options
    ("vim -c ':!id' src/app.py", NAME),
    ("vim --cmd x src/app.py", NAME),
    ("vim +x src/app.py", NAME),
    ("vim '+!id' src/app.py", NAME),
    ("vi -c x src/app.py", NAME),
    ("nvim -c x", NAME),
    ("ex -c x src/app.py", NAME),
    ("emacs --eval x", NAME),
    ("emacs --batch --eval x", NAME),
    ("emacs --execute=x", NAME),
    # sqlite3's dot commands run programs (.shell, .system)
    ("sqlite3 db '.shell id'", NAME),
    ("sqlite3 db '.system id'", NAME),
    ("sqlite3 -cmd '.shell id' db", NAME),
    ("psql -c '\\! id'", NAME),
    ("psql -h db.local --command='\\! id'", NAME),
    ("mysql -e 'system id'", NAME),
    ("dc -e '!id'", NAME),
    ("echo '!id' | dc", NAME),
    ("tclsh", NAME),
    ("deno eval 'Deno.exit()'", NAME),
    ("deno repl", NAME),
    ("py -c x", NAME),
    ("guile -c x", NAME),
]

DERIVED: list[tuple[str, str]] = [
    ("gunzip Makefile.gz", PROTECTED),
    ("gzip -d Makefile.gz", PROTECTED),
    ("gzip -dv Makefile.gz", PROTECTED),
    ("gzip --decompress conftest.py.gz", PROTECTED),
    ("gunzip -S.x Makefile.x", PROTECTED),
    ("gzip -S .py conftest", PROTECTED),
    ("gzip --suffix=.py conftest", PROTECTED),
    ("xz -d Makefile.xz", PROTECTED),
    ("unxz Makefile.xz", PROTECTED),
    ("bzip2 -d Makefile.bz2", PROTECTED),
    ("zstd -d Makefile.zst", PROTECTED),
    ("lz4 -d Makefile.lz4", PROTECTED),
    ("brotli -d Makefile.br", PROTECTED),
    ("uncompress Makefile.Z", PROTECTED),
    ("gunzip .git/hooks/pre-commit.gz", PROTECTED),
    ("gunzip src/.git.tgz", PROTECTED),
    ("gunzip -f -- Makefile.gz", PROTECTED),
    ("gunzip hooks_link/pre-commit.gz", PROTECTED),
    ("gunzip ../x.gz", OUTSIDE),
]

OPTIONS: list[tuple[str, str]] = [
    ("gcc -wrapper id src/x.c", "makes gcc run a program"),
    ("gcc -wrapper=id src/x.c", "makes gcc run a program"),
    ("gcc -fplugin=./x.so src/x.c", "makes gcc run a program"),
    ("g++ -fplugin=x.so src/x.cc", "makes g++ run a program"),
    ("clang -fpass-plugin=x.so src/x.c", "makes clang run a program"),
    ("cc -specs=x src/x.c", "makes cc run a program"),
    ("cmake -E env id", "runs a command the guard cannot check"),
    ("yarn node -e x", "runs a command the guard cannot check"),
    ("cmake -E time id", "runs a command the guard cannot check"),
    ("cmake -E chdir . id", "runs a command the guard cannot check"),
    ("gradle -I x.gradle test", "other than the repository's own"),
    ("gradle --init-script x test", "other than the repository's own"),
    ("gradle --init-script=x test", "other than the repository's own"),
    ("gradle -b x.gradle test", "other than the repository's own"),
    ("gradle -c x test", "other than the repository's own"),
    ("gradle -p sub test", "other than the repository's own"),
    ("gradle -bsub/x.gradle test", "other than the repository's own"),
    ("gradle --project-dir sub test", "other than the repository's own"),
    ("mvn -f x/pom.xml test", "other than the repository's own"),
    ("mvn -f./x test", "other than the repository's own"),
    ("mvn --file x test", "other than the repository's own"),
    ("mvn -s s.xml test", "other than the repository's own"),
    ("mvn --settings=s.xml test", "other than the repository's own"),
    ("mvn -gs s test", "other than the repository's own"),
    ("npm test --node-options=--require=./x", "settings that name one"),
    ("npm test --userconfig=./x", "settings that name one"),
    ("npm --userconfig ./cfg test", "settings that name one"),
    ("npm run build --globalconfig x", "settings that name one"),
    ("go test -modfile=alt.mod ./...", "other than the repository's own"),
    ("go build -modfile alt.mod", "other than the repository's own"),
    ("go test -overlay=o.json ./...", "other than the repository's own"),
    ("crontab -l x", "after the session"),
    ("crontab -l -", "after the session"),
    ("crontab -l -r", "after the session"),
    ("at now", "runs another command"),
    ("batch", "runs another command"),
    ("systemctl --user link ./x.service", "runs a command the guard cannot check"),
    ("systemctl --user edit x", "runs a command the guard cannot check"),
    ("launchctl load x.plist", "runs a command the guard cannot check"),
    ("python -m gzip -d Makefile.gz", PROTECTED),
    ("git maintenance start", "scheduler"),
    ("git maintenance register", "scheduler"),
    ("git maintenance unregister", "scheduler"),
    ("git maintenance", "scheduler"),
]

FILE_URLS: list[tuple[str, str]] = [
    # the standard library's network clients and servers, run as `python -m`
    ("python -m imaplib mail.example", "network"),
    ("python -m poplib mail.example", "network"),
    ("python -m telnetlib host.example", "network"),
    ("python -m nntplib", "network"),
    ("python -m wsgiref.simple_server", "network"),
    ("python -m http.client", "network"),
    ("go install golang.org/x/tools/cmd/stringer@latest", "network"),
    ("go run github.com/x/y@v1", "network"),
    ("go mod download", "network"),
    ("git fetch file:///etc", OUTSIDE),
    ("git fetch file://localhost/etc", OUTSIDE),
    ("git clone file:///etc x", OUTSIDE),
    ("git fetch FILE:///etc", OUTSIDE),
    ("git fetch file:///%65tc", OUTSIDE),
    ("pip install file:///etc", OUTSIDE),
    ("pip install git+file:///etc", OUTSIDE),
    ("cat file:///etc/passwd", OUTSIDE),
    ("git pull file:///etc", OUTSIDE),
    ("git fetch file:.env", "forbidden by the policy"),
]

# untracked and ignored files git deletes without naming them: .charter/ (the session,
# the kill switch), forbidden files
GIT_CLEAN: list[tuple[str, str]] = [
    ("git clean -fdx", "would delete .charter"),
    ("git clean -f -d -x", "would delete .charter"),
    ("git clean -xfd", "would delete .charter"),
    ("git clean -ffdx", "would delete .charter"),
    ("git clean --force -d -x", "would delete .charter"),
    ("git clean -fdx -- .", "would delete .charter"),
    ("git clean -fX", "would delete .env"),
    ("git clean -fd", "forbidden by the policy"),
    ("git stash -a", "would delete .charter"),
    ("git stash --all", "would delete .charter"),
    ("git stash push -a", "would delete .charter"),
    ("git stash push --all -m x", "would delete .charter"),
    ("git stash save -a", "would delete .charter"),
    ("git stash -u", "forbidden by the policy"),
    ("git stash --include-untracked", "forbidden by the policy"),
]

# whole trees transformed, moved into an archive or removed without naming what they hold
BULK: list[tuple[str, str]] = [
    ("gzip -r .", "holds protected files"),
    ("gzip -r src/..", "holds protected files"),
    ("gzip --recursive .", "holds protected files"),
    ("zstd -r . --rm", "holds protected files"),
    ("xz -r .", "holds protected files"),
    ("bzip2 -r .", "holds protected files"),
    ("gzip -r config", "config/.env is forbidden"),
    ("zip -rm out.zip .", "holds protected files"),
    ("zip -r -m out.zip .", "holds protected files"),
    ("zip --move -r out.zip .", "holds protected files"),
    ("zip -r out.zip config", "config/.env is forbidden"),
    ("zip -rT out.zip .", "is forbidden by the policy"),
    ("7z a -sdel x.7z .", "holds protected files"),
    ("7z a x.7z config", "config/.env is forbidden"),
    ("git rm -r .", "holds protected files"),
    ("git rm -r docs", "holds protected files"),
    ("git mv docs d2", "holds protected files"),
    ("git mv . x", "holds protected files"),
]

# a mailbox's patches, applied by git am like git apply's
GIT_AM: list[tuple[str, str]] = [
    ("git am mk.patch", PROTECTED),
    ("git am -3 mk.patch", PROTECTED),
    ("git am < mk.patch", PROTECTED),
    ("git am evil_policy.patch", PROTECTED),
    ("git am", "standard input"),
]

# extractors: jar's zip archives listed like unzip's, formats the guard cannot list refused
EXTRACTORS: list[tuple[str, str]] = [
    ("jar xf evil_claude.zip", PROTECTED),
    ("jar -xf evil_claude.zip", PROTECTED),
    ("jar --extract --file=evil_claude.zip", PROTECTED),
    ("jar xf", "standard input"),
    ("7z x evil.zip", "cannot list"),
    ("7z -y x a.7z", "cannot list"),
    ("7za e a.7z", "cannot list"),
    ("bsdtar -xf evil_hooks.tar", "cannot list"),
    ("bsdtar xf evil_hooks.tar", "cannot list"),
    ("unrar x a.rar", "cannot list"),
    ("ar x lib.a", "cannot list"),
    ("ar -x lib.a", "cannot list"),
    ("unar a.zip", "cannot list"),
]

# bracket sets fnmatch does not read the way bash and git do
GLOB_SETS: list[tuple[str, str]] = [
    ("cat .en[^x]", "forbidden by the policy"),
    ("cat .[[:alpha:]]nv", "forbidden by the policy"),
    ("cat .e[[:lower:]]v", "forbidden by the policy"),
    ("cat .en[[=v=]]", "forbidden by the policy"),
    ("cat .en[[.v.]]", "forbidden by the policy"),
    ("cat secrets/ap[^x].txt", "forbidden by the policy"),
    ("cat keys/server.[[:alnum:]]em", "forbidden by the policy"),
    ("git log -- '.en[^x]'", "could match files forbidden"),
    ("rg -g '.[[:alpha:]]nv' x", "could match files forbidden"),
    # ripgrep's and the agents' glob tools read `{a,b}` alternation
    ("rg -g '{.env,a}' x", "could match files forbidden"),
    ("rg --iglob '*.{ENV,x}' x", "could match files forbidden"),
    ("git log -- '{x,{y,.env}}'", "could match files forbidden"),
]

ALLOWED = [
    "python src/app.py", "python -u src/app.py", "python -W error src/app.py", "python -m pytest",
    "python -m json.tool src/x.json", "python --version", "python -V", "python -B -m pytest -q",
    "node src/x.js", "node --version", "node -r ./x src/y.js", "node --require ./x src/y.js",
    "node --enable-source-maps src/x.js", "node --max-old-space-size=4096 src/x.js",
    "node --report-dir reports src/x.js",
    "perl src/x.pl", "perl -w src/x.pl", "perl -Ilib src/x.pl", "perl -v", "perl -pie x src/a",
    "ruby src/x.rb", "ruby -Ilib src/x.rb", "ruby -r ./x src/y.rb", "php src/x.php",
    "lua src/x.lua", "Rscript src/x.R", "julia src/x.jl", "julia -p 4 src/x.jl", "vim src/app.py",
    "emacs src/app.py", "sqlite3 db 'select 1'", "sqlite3 db", "bun src/x.ts", "tsx src/x.ts",
    "gunzip data.csv.gz", "gzip data.csv", "gunzip -c Makefile.gz", "gzip -t x.gz",
    "zstd -d data.zst -o data", "xz -dc Makefile.xz", "gzip -l x.gz",
    "gcc -O2 -o out src/x.c", "gcc -Wall -c src/x.c", "clang -o out src/x.c", "cmake -E copy a b",
    "cmake -S . -B build", "gradle test", "gradle -q test", "gradle -Pprofile=ci test",
    "gradle -Dorg.gradle.caching=true test", "gradle --continue test", "gradle -x lint test",
    "mvn test", "mvn -fae test", "mvn -ff test", "mvn -pl core -am test", "mvn -nsu -ntp test",
    "mvn -T 4 test", "mvn -rf :core test", "npm test", "npm run build",
    "git maintenance run", "git maintenance run --task=gc", "pytest -q", "go test -mod=mod ./...",
    "go test -run TestX ./...", "go vet ./...", "go build ./...", "go run .", "psql -h db.local -f src/q.sql", "mysql -u x db",
    "dc src/x.dc", "tclsh src/x.tcl", "deno run src/x.ts", "deno test", "py src/app.py",
    "jar xf ok.zip", "jar tf evil.zip", "7z l x.7z", "bsdtar -tf x.tar", "ar t lib.a",
    "git am ok.patch", "git am --continue", "git am --abort", "crontab -l", "systemctl --user status x", "launchctl list", "python -m gzip -d data.gz",
    "echo file:///etc", "git log --grep=file:", "git clean -n -dx", "git clean -fdx src",
    "git clean -fd src", "git stash", "git stash list", "git stash pop", "git stash push -m x",
    "gzip -r src", "zip -r out.zip src", "zip -rm out.zip src/app.py", "git rm src/app.py",
    "git rm -r --cached docs", "git mv src/app.py src/b.py", "7z a x.7z src",
    "rg -g '*.{py,md}' x src", "cat src/[a]pp.py", "cat sr[c]/app.py", "cat src/[^x]pp.py", "git log -- 'src/[[:alpha:]]*.py'",
]  # fmt: skip
# a rule that names the mode allows it, at the level that has the rule
NAMED_AT_L2 = [
    "python -c 'print(1)'", "node -e 1", "perl -e 1", "python - < src/app.py", "vim +5 src/app.py",
    "python -m timeit 1",
]  # fmt: skip


MAILBOX = (
    "From 1 Mon Sep 17 00:00:00 2001\nFrom: a <a@example.com>\nSubject: x\n\n---\n"
    "diff --git a/{0} b/{0}\nnew file mode 100644\n--- /dev/null\n+++ b/{0}\n"
    "@@ -0,0 +1 @@\n+x\n"
)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = build_hostile_repo(tmp_path_factory.mktemp("modes") / "repo")
    (root / "mk.patch").write_text(MAILBOX.format("Makefile"), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def policy() -> CompiledPolicy:
    return compiled(INTERPRETERS)


def _decide(command: str, policy: CompiledPolicy, root: Path, level: str = "L1") -> Decision:
    return classify(command, make_context(policy, root, level=level))


@pytest.mark.parametrize(("command", "reason"), INLINE + DERIVED + OPTIONS + FILE_URLS + GIT_CLEAN)
def test_escape_is_denied_for_its_reason(
    command: str, reason: str, policy: CompiledPolicy, hostile: Path
) -> None:
    decision = _decide(command, policy, hostile)
    assert not decision.allowed, command
    assert reason in decision.reason, (command, decision.reason)


@pytest.mark.parametrize("command", ALLOWED)
def test_legitimate_neighbours_stay_allowed(
    command: str, policy: CompiledPolicy, hostile: Path
) -> None:
    decision = _decide(command, policy, hostile)
    assert decision.allowed, (command, decision.reason)


@pytest.mark.parametrize("command", NAMED_AT_L2)
def test_a_rule_naming_the_mode_allows_it(
    command: str, policy: CompiledPolicy, hostile: Path
) -> None:
    assert not _decide(command, policy, hostile, "L1").allowed
    decision = _decide(command, policy, hostile, "L2")
    assert decision.allowed, (command, decision.reason)
    assert "L2 allow" in decision.rule


@pytest.mark.parametrize(
    ("tool", "tool_input", "allowed"),
    [
        ("Grep", {"pattern": "x", "glob": "{.env,a}", "path": "src"}, False),
        ("Grep", {"pattern": "x", "glob": ".en[^x]", "path": "src"}, False),
        ("Glob", {"pattern": "**/{.env,x}"}, False),
        ("Glob", {"pattern": "**/.[[:alpha:]]nv"}, False),
        ("Glob", {"pattern": "src/*.{py,md}"}, True),
        ("Grep", {"pattern": "x", "glob": "*.{py,md}", "path": "src"}, True),
    ],
)
def test_file_tools_read_globs_as_their_tools_do(
    tool: str, tool_input: dict[str, str], allowed: bool, hostile: Path
) -> None:
    request = {"cwd": str(hostile), "hook_event_name": "PreToolUse", "tool_name": tool,
               "tool_input": tool_input}  # fmt: skip
    result = handle("claude-code", json.dumps(request).encode(), root=str(hostile))
    assert (result.exit_code == 0) is allowed, result.stderr
    if not allowed:
        assert "could match files forbidden" in result.stderr


@pytest.mark.parametrize(
    ("tool_input", "reason"),
    [
        ({"command": ["cat", "passwd"], "workdir": "/etc"}, "no autonomy policy"),
        ({"command": ["ls"], "workdir": "../.."}, "no autonomy policy"),
        ({"cmd": "cat app.py", "workdir": "/tmp/../etc"}, "no autonomy policy"),
        ({"cmd": "cat /etc/passwd"}, "outside the repository"),
        (
            {
                "command": [
                    "apply_patch",
                    "*** Begin Patch\n*** Add File: pre-commit\n+id\n*** End Patch",
                ],
                "workdir": ".git/hooks",
            },
            "is protected",
        ),
        ({"command": ["cp", "src/app.py", "Makefile"], "workdir": "."}, "is protected"),
        ({"command": ["ls"], "workdir": 7}, "workdir must be a path"),
        ({"command": ["cat", "app.py"], "workdir": "src"}, None),
        ({"cmd": "ls"}, None),
    ],
)
def test_codex_shell_tools_run_in_their_workdir(
    tool_input: dict[str, object], reason: str | None, hostile: Path
) -> None:
    tool = "exec_command" if "cmd" in tool_input else "shell"
    request = {"cwd": str(hostile), "hook_event_name": "PreToolUse", "tool_name": tool,
               "tool_input": tool_input}  # fmt: skip
    result = handle("codex", json.dumps(request).encode(), level="L1")
    if reason is None:
        assert result.exit_code == 0, result.stderr
    else:
        assert result.exit_code == 2 and reason in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("tool_input", "allowed"),
    [
        ({"command": "cat passwd", "working_directory": "/etc"}, False),
        ({"command": "cat passwd", "cwd": "/etc"}, False),
        ({"command": "ls", "cwd": "src", "workdir": "/"}, False),
        ({"command": "ls", "cwd": 3}, False),
        ({"command": "cat app.py", "working_directory": "src"}, True),
        ({"command": "ls"}, True),
    ],
)
def test_cursor_shell_tools_run_in_their_directory(
    tool_input: dict[str, object], allowed: bool, hostile: Path
) -> None:
    from charter.guard.hook_adapters import handle_foreign  # lazy: as the entry point does

    request = {"cwd": str(hostile), "hook_event_name": "preToolUse", "tool_name": "Shell",
               "tool_input": tool_input}  # fmt: skip
    result = handle_foreign("cursor", json.dumps(request).encode(), level="L1")
    assert (result.exit_code == 0) is allowed, result.stdout + result.stderr


def test_the_denial_names_the_rule_to_write(policy: CompiledPolicy, hostile: Path) -> None:
    decision = _decide("perl -lne 'print' src/app.py", policy, hostile)
    assert decision.reason.endswith(
        "-e makes perl run a program written on the command line or read from stdin: an allow "
        "rule of level L1 must name it (`perl -E` or `perl -e`)"
    )
