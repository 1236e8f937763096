"""The built-in rules: what no level may do, whatever the policy says.

No level may run another command through a wrapper or a shell the guard cannot
see into, change the shell's state, skip the repository's hooks, or use an
option that makes an allowed program run a program of the caller's choosing
(`git -c core.fsmonitor=...`, `rg --pre`, `find -exec`). The tables are data:
a new entry is one line, and `docs/guard.md` lists them for people.
"""

from __future__ import annotations

from charter.guard.charter_refs import charter_ref_denial
from charter.guard.grammar.match import has_option
from charter.guard.grammar.programs import read_argv
from charter.guard.rules import git_subcommand, is_name, option_present, subcommand_candidates

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from charter.guard.grammar.programs import Reading

# fmt: off
# Programs whose job is to run another program: the guard would see only them.
WRAPPERS = frozenset({
    "env", "timeout", "xargs", "eval", "exec", "command", "builtin", "nohup", "nice", "ionice",
    "stdbuf", "setsid", "chroot", "sudo", "doas", "su", "runuser", "time", "coproc", "watch",
    "parallel", "strace", "ltrace", "flock", "unbuffer", "script", "expect", "busybox", "chrt",
    "taskset", "numactl", "firejail", "systemd-run", "nsenter", "unshare", "uvx",
    "pnpx", "bunx", "fakeroot", "proot", "watchexec", "entr", "valgrind", "gdb", "lldb",
    "xvfb-run", "prlimit", "setpriv", "faketime", "rlwrap", "proxychains", "proxychains4",
    "torsocks", "chronic", "ifne", "nix-shell", "tmux", "screen", "dbus-run-session",
    "catchsegv", "mpirun", "mpiexec", "sg",
    # schedulers: the command runs later, outside the guard's view and the session
    "at", "batch",
})
# Reserved words reach the decision as command names only through a misparse.
RESERVED = frozenset({
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for",
    "select", "function", "in", "{", "}", "!", "[[", "]]",
})
# Builtins that change how later commands are found or run.
SHELL_STATE = frozenset({
    "alias", "unalias", "hash", "enable", "set", "shopt", "export", "declare", "typeset",
    "local", "readonly", "unset", "source", ".", "trap", "read", "mapfile", "readarray", "let",
    "getopts", "bind", "complete", "compopt", "fc", "history", "ulimit", "umask",
})
SHELLS = frozenset({
    "bash", "sh", "zsh", "dash", "ksh", "mksh", "fish", "csh", "tcsh", "ash", "yash", "rbash",
    "pwsh",
})
CHANGES_DIRECTORY = frozenset({"cd", "pushd", "popd"})
# `tool sub` pairs that run a command named in their arguments, or change governance.
WRAPPER_SUBCOMMANDS = frozenset({
    ("uv", "run"), ("uv", "tool"), ("poetry", "run"), ("pipenv", "run"), ("pdm", "run"),
    ("hatch", "run"), ("conda", "run"), ("pipx", "run"), ("npm", "exec"), ("pnpm", "exec"),
    ("pnpm", "dlx"), ("yarn", "exec"), ("yarn", "dlx"), ("bundle", "exec"), ("docker", "exec"),
    ("docker", "run"), ("kubectl", "exec"), ("git", "filter-branch"), ("git", "credential"),
    ("git", "daemon"), ("git", "instaweb"), ("charter", "resume"), ("charter", "export"),
    # aliases and kin of the above: the same job under another name or tool
    ("npm", "x"), ("npm", "explore"), ("tox", "exec"), ("tox", "e"), ("mise", "exec"),
    ("mise", "x"), ("pixi", "run"), ("pixi", "exec"), ("bun", "x"), ("bun", "exec"),
    ("rye", "run"), ("mamba", "run"), ("micromamba", "run"), ("devbox", "run"),
    ("direnv", "exec"), ("nix", "run"), ("nix", "shell"), ("nix", "develop"),
    ("docker", "compose"), ("docker-compose", "run"), ("docker-compose", "exec"),
    ("podman", "run"), ("podman", "exec"), ("flatpak", "run"), ("toolbox", "run"),
    ("perf", "record"), ("perf", "stat"), ("perf", "trace"), ("meson", "devenv"),
    ("gh", "extension"), ("gh", "ext"), ("gh", "alias"), ("aws-vault", "exec"),
    ("op", "run"), ("doppler", "run"), ("cmake", "env"), ("cmake", "time"), ("cmake", "chdir"),
    ("yarn", "node"), ("pnpm", "node"),
    # units and jobs the system runs later: a unit file linked from the repository runs
    # whatever it says, after the session
    ("systemctl", "link"), ("systemctl", "edit"), ("systemctl", "set-environment"),
    ("systemctl", "import-environment"), ("launchctl", "submit"), ("launchctl", "load"),
    ("launchctl", "bootstrap"), ("launchctl", "setenv"),
})
# `tool config` commands that may only read: a written setting outlives the command and
# can name a program the tool runs later under an allowed command (npm's script-shell,
# gh's pager, pip's index). A word not listed here after the subcommand is a write.
CONFIG_READS: dict[tuple[str, str], frozenset[str]] = {
    ("npm", "config"): frozenset({"get", "list", "ls"}), ("npm", "set"): frozenset(),
    ("npm", "pkg"): frozenset({"get"}), ("pnpm", "config"): frozenset({"get", "list"}),
    ("pnpm", "set"): frozenset(), ("yarn", "config"): frozenset({"get", "list"}),
    **{(pip, "config"): frozenset({"get", "list", "debug"}) for pip in ("pip", "pip3")},
    ("gh", "config"): frozenset({"get", "list"}), ("bundle", "config"): frozenset({"get", "list"}),
}
# `crontab FILE` installs a table of commands the system runs later; only listing is a read
CRONTAB_READS = frozenset({"-l"})
_WRAPPER_SUBCOMMAND_REASONS = {
    "git": "can run arbitrary commands or reveal credentials",
    "charter": "changes charter's own governance state: a person runs it",
}

# (program, subcommand or None for any, options, reason). Options use deny-rule matching.
OPTION_RULES: tuple[tuple[str, str | None, tuple[str, ...], str], ...] = (
    ("git", None, ("--exec", "--upload-pack", "--receive-pack", "--open-files-in-pager", "-O"),
     "makes git run a program named on the command line"),
    ("git", None, ("--output",), "makes git write a file"),
    ("git", "format-patch", ("-o", "--output-directory"), "makes git write files"),
    ("git", "rebase", ("-x",), "makes git run a program named on the command line"),
    ("git", "difftool", ("-x", "--extcmd", "-t", "--tool"),
     "makes git run a program named on the command line"),
    ("git", "commit", ("-n",), "skips the commit hooks (-n is --no-verify)"),
    ("git", "archive", ("--remote",), "makes git run a remote program"),
    ("git", "init", ("--separate-git-dir", "--template", "--bare"),
     "makes git put its directory, hooks or configuration elsewhere"),
    ("git", "clone", ("--separate-git-dir", "--template", "-c", "--config", "--bare",
                      "--mirror", "-u"),
     "makes git put its directory, hooks or configuration elsewhere, or run a program"),
    ("git", "submodule", ("foreach",), "makes git run a program named on the command line"),
    ("git", "bisect", ("run",), "makes git run a program named on the command line"),
    ("rg", None, ("--pre", "--pre-glob", "-z", "--search-zip", "--hostname-bin"),
     "makes ripgrep run other programs"),
    ("pytest", None, ("--basetemp",), "pytest deletes the --basetemp directory"),
    ("pytest", None, ("--pastebin",), "makes pytest send test output to a paste service"),
    ("find", None, ("-exec", "-execdir", "-ok", "-okdir", "-delete", "-fprint", "-fprint0",
                    "-fprintf", "-fls"), "makes find run programs, delete or write files"),
    ("make", None, ("-f", "--file", "--makefile", "-C", "--directory", "--eval", "-E", "-e",
                    "--environment-overrides", "-I", "--include-dir"),
     "makes make read other makefiles or override what its recipes run"),
    ("sort", None, ("-o", "--output", "--compress-program"), "makes sort write a file"),
    ("printf", None, ("-v",), "assigns a shell variable"),
    ("tar", None, ("--to-command", "--use-compress-program", "-I", "--checkpoint-action",
                   "--info-script", "-F", "--new-volume-script", "--rsh-command"),
     "makes tar run other programs"),
    ("rsync", None, ("-e", "--rsh", "--rsync-path"), "makes rsync run other programs"),
    ("go", None, ("-exec", "--exec", "-toolexec", "--toolexec", "-vettool", "--vettool"),
     "makes go run a program named on the command line"),
    ("cargo", None, ("--config",), "can set the runner or linker cargo runs"),
    ("npm", None, ("--script-shell", "--node-options", "--userconfig", "--globalconfig"),
     "makes npm run scripts with another program, or read settings that name one"),
    ("go", "env", ("-w", "-u"), "writes go's settings, where GOFLAGS can name programs go runs"),
    ("go", None, ("-modfile", "--modfile", "-overlay", "--overlay"),
     "makes go read a module file or sources other than the repository's own (a go.mod names "
     "the toolchain and tools go runs)"),
    ("split", None, ("--filter",), "makes split run a program named on the command line"),
    ("zip", None, ("-TT", "--unzip-command"), "makes zip run a program named on the command line"),
    ("man", None, ("-P", "--pager", "-H", "--html"),
     "makes man run a program named on the command line"),
    ("less", None, ("-o", "-O", "--log-file", "--LOG-FILE"), "makes less write a file"),
    ("tree", None, ("-o", "-R"), "makes tree write files"),
    ("file", None, ("-C", "--compile"), "makes file write a compiled magic file"),
    ("date", None, ("-s", "--set"), "sets the system clock"),
    *((fd, None, ("-x", "--exec", "-X", "--exec-batch"), "makes fd run programs")
      for fd in ("fd", "fdfind")),
    *((pager, None, ("--pager",), f"makes {pager} run a program named on the command line")
      for pager in ("bat", "batcat", "delta", "ag", "ack")),
    ("fzf", None, ("--preview", "--bind", "--with-shell"), "makes fzf run programs"),
    ("nodemon", None, ("-x", "--exec"), "makes nodemon run a program named on the command line"),
    ("pandoc", None, ("--filter", "-F", "--lua-filter", "-L", "--pdf-engine"),
     "makes pandoc run a program or a script"),
    ("hg", None, ("--config", "-R", "--repository", "--cwd"),
     "can set the hooks or extensions hg runs"),
    ("gpg", None, ("--photo-viewer", "--exec-path"),
     "makes gpg run a program named on the command line"),
    ("meson", "test", ("--wrapper", "--gdb", "--gdb-path"),
     "makes meson run a program named on the command line"),
    *((cc, None, ("-wrapper", "-fplugin", "-fpass-plugin", "-specs", "--specs"),
       f"makes {cc} run a program or load code named on the command line")
      for cc in ("gcc", "g++", "cc", "c++", "clang", "clang++")),
    ("gradle", None, ("--init-script", "--build-file", "--settings-file", "--project-dir",
                      "--gradle-user-home"),
     "makes gradle run build scripts other than the repository's own"),
    ("mvn", None, ("--file", "--settings", "--global-settings", "--toolchains"),
     "makes maven read a build file or settings other than the repository's own"),
    *((tex, None, ("-shell-escape", "--shell-escape", "-enable-write18", "--enable-write18"),
       "lets TeX run programs") for tex in ("tex", "latex", "pdftex", "pdflatex", "xelatex",
                                             "lualatex", "luatex", "xetex")),
)

# Commands that only read the paths they are given: they may name paths outside the
# repository and protected paths. Every other command may write to its arguments.
READ_ONLY = frozenset({
    "cat", "ls", "head", "tail", "wc", "rg", "grep", "egrep", "fgrep", "stat", "file", "du",
    "tree", "diff", "cmp", "pwd", "echo", "printf", "realpath", "readlink", "basename",
    "dirname", "which", "true", "false", "test", "[", "nl", "less", "more", "md5sum",
    "sha1sum", "sha256sum", "cksum", "od", "hexdump", "column", "cut", "tr", "comm", "tac",
    "rev", "strings", "jq", "date", "whoami", "id", "uname", "printenv", "find", "sort",
})
READ_ONLY_GIT = frozenset({
    "status", "diff", "log", "show", "blame", "ls-files", "ls-tree", "rev-parse", "rev-list",
    "grep", "shortlog", "describe", "cat-file", "show-ref", "whatchanged", "version", "help",
})
# Commands that remove or replace what they are given: naming the repository root,
# or a directory holding protected files, is refused too.
DESTRUCTIVE = frozenset({
    "rm", "rmdir", "mv", "cp", "ln", "chmod", "chown", "chgrp", "shred", "unlink", "truncate",
    "rsync", "install", "touch", "mkdir",
})
# `--bare` makes git take the working directory for its git directory, obeying a `config`
# file there; the others name another directory, configuration or program directly.
_GIT_GLOBAL = ("-c", "-C", "--config-env", "--exec-path", "--git-dir", "--work-tree",
               "--namespace", "--super-prefix", "--bare", "--list-cmds")
# Global options that take no value and change nothing that runs: allow rules match
# `git --no-pager log` as `git log`. Any other option before the subcommand is refused,
# since one that takes a value would hide the options after it.
SAFE_GIT_GLOBAL = frozenset({
    "-p", "--paginate", "-P", "--no-pager", "--no-replace-objects",
    "--no-lazy-fetch", "--no-optional-locks", "--no-advice", "--literal-pathspecs",
    "--glob-pathspecs", "--noglob-pathspecs", "--icase-pathspecs", "--version", "--help",
    "-h", "--html-path", "--man-path", "--info-path",
})
_GIT_CONFIG_READS = frozenset({"--get", "--get-all", "--get-regexp", "--list", "-l", "get",
                               "list"})
# fmt: on

# Short options of programs that take no clusters of letters, matched case-sensitively
# (`gradle -Pprofile` holds no `-p`): alone, with `=`, or with the value attached; for maven,
# whose other options are multi-letter words (`mvn -fae`), only a path-like value attached.
EXACT_SHORT_OPTIONS: dict[str, tuple[tuple[str, ...], str, str | None]] = {
    "gradle": (
        ("-I", "-b", "-c", "-p", "-g"),
        "makes gradle run build scripts other than the repository's own",
        None,
    ),
    "mvn": (
        ("-f", "-s", "-gs", "-t"),
        "makes maven read a build file or settings other than the repository's own",
        "=./~",
    ),
}

_OPTION_INDEX: dict[str, list[tuple[str | None, tuple[str, ...], str]]] = {}
for _program, _sub, _options, _reason in OPTION_RULES:
    _OPTION_INDEX.setdefault(_program, []).append((_sub, _options, _reason))


def builtin_denial(
    argv: Sequence[str], *, nested: bool, reading: Reading | None = None
) -> str | None:
    """Why no level may run `argv`, or None. With a `reading` of the program (for
    `python -m MODULE`, of MODULE), options are matched as the program parses them."""

    def present(option: str) -> bool:
        if reading is None or reading.words[0] != argv[0]:
            return option_present(argv[1:], option)
        return has_option(reading, option)

    name = argv[0]
    if name in SHELLS:
        if nested:
            return "a shell inside `bash -c` is not allowed: unwrap it and run the commands"
        return (
            "shells are allowed only in the exact form `bash -c 'SCRIPT'`: "
            "no other options and no arguments after the script"
        )
    if name in WRAPPERS:
        return f"`{name}` runs another command the guard cannot check: run the command directly"
    if name in RESERVED:
        return f"the shell keyword `{name}` cannot be checked as a command"
    if name in SHELL_STATE:
        return f"`{name}` changes how later commands run and is not allowed"
    if _is_python(name) and len(argv) > 2 and argv[1] == "-m" and is_name(argv[2]):
        # `python -m pytest --basetemp=.git` is pytest: its rules apply
        inner = builtin_denial(argv[2:], nested=nested, reading=read_argv(argv[2:]))
        if inner is not None:
            return inner
    args = argv[1:]
    if present("--no-verify") or (reading is not None and "--no-verify" in reading.options()):
        return "--no-verify skips the repository's hooks and is never allowed"
    if any(arg.startswith("SKIP=") for arg in args):
        return "SKIP= skips pre-commit hooks and is never allowed"
    subs = subcommand_candidates(argv)
    for sub in sorted(subs):
        if (name, sub) in WRAPPER_SUBCOMMANDS:
            reason = _WRAPPER_SUBCOMMAND_REASONS.get(name, "runs a command the guard cannot check")
            return f"`{name} {sub}` {reason}"
    for sub in sorted(subs):
        reads = CONFIG_READS.get((name, sub))
        if reads is not None:
            words = subcommand_candidates(argv[argv.index(sub, 1) :])
            if not words <= reads:
                allowed = ", ".join(sorted(reads)) or "nothing"
                return (
                    f"`{name} {sub}` may only read ({allowed}): a setting it writes can "
                    "name a program that later commands run"
                )
    if name == "crontab" and (not args or not set(args) <= CRONTAB_READS):
        return "`crontab` may only list (-l): a table it installs runs commands after the session"
    if name == "charter" and argv[1:3] == ["session", "start"]:
        return "`charter session start` sets the autonomy level: a person runs it"
    if name == "git":
        denial = _git_denial(argv)
        if denial is not None:
            return denial
    if name == "make":
        for arg in args:
            if "=" in arg and not arg.startswith("-") and is_name(arg.split("=", 1)[0]):
                return f"make variable overrides ({arg}) can replace what recipes run"
    exact_options, exact_reason, attaching = EXACT_SHORT_OPTIONS.get(name, ((), "", None))
    for option in exact_options:
        for arg in args:
            attached = arg[len(option) :]
            if arg.startswith(option) and (
                not attached or attaching is None or attached[0] in attaching
            ):
                return f"`{name} {option}` {exact_reason}"
    for sub_rule, options, reason in _OPTION_INDEX.get(name, ()):
        if sub_rule is not None and sub_rule not in subs:
            continue
        for option in options:
            if present(option):
                return f"`{name} {option}` {reason}"
    return None


def _is_python(name: str) -> bool:
    version = name.removeprefix("python")
    return name.startswith("python") and all(char in "0123456789." for char in version)


def _git_denial(argv: Sequence[str]) -> str | None:
    for arg in argv[1:]:
        if not arg.startswith("-"):
            break
        # global options that change which configuration, repository or programs git uses
        for option in _GIT_GLOBAL:
            if option_present([arg], option):
                return (
                    f"`git {option}` changes git's configuration or repository and is never "
                    "allowed (core.fsmonitor, core.pager and aliases run commands)"
                )
        if arg not in SAFE_GIT_GLOBAL:
            return (
                f"`git {arg}` is not a git global option the guard knows: put options after "
                "the subcommand"
            )
    refs = charter_ref_denial(argv, git_subcommand(argv))
    if refs is not None:
        return refs
    if git_subcommand(argv) == "maintenance":
        words = [arg for arg in argv[argv.index("maintenance") + 1 :] if not arg.startswith("-")]
        if not words or words[0] != "run":
            return (
                "`git maintenance` other than `run` writes git's global configuration or "
                "the system's scheduler, outside the repository"
            )
    if git_subcommand(argv) == "config":
        rest = argv[argv.index("config") + 1 :]
        if not rest or rest[0] not in _GIT_CONFIG_READS:
            return (
                "`git config` may only read (--get, --list): settings such as "
                "core.fsmonitor or core.pager make git run commands"
            )
    return None


def for_allow_rules(argv: Sequence[str]) -> Sequence[str]:
    """`argv` as allow rules see it: git's harmless global options dropped."""
    if argv[0] != "git":
        return argv
    rest = list(argv[1:])
    while rest and rest[0] in SAFE_GIT_GLOBAL:
        rest.pop(0)
    return [argv[0], *rest]


def is_read_only(argv: Sequence[str]) -> bool:
    name = argv[0]
    if name == "git":
        return git_subcommand(argv) in READ_ONLY_GIT
    return name in READ_ONLY
