"""The files no agent may write, as classes: what steers the programs the guard allows.

An allowed command is only as safe as the files it reads. `make test` runs what
the makefile says, `pytest` imports every `conftest.py`, `git` obeys its config
and any directory that looks like a git directory, `charter board` writes where
its configuration points. A file that steers an allowed program is therefore as
sensitive as the program's own arguments, and writing it is refused at every
level, through the shell and through the agents' file tools alike.

Two classes (docs/guard.md, "Protected files"):

- CORE: git's directory and configuration, charter's state and configuration,
  the agents' hook and permission settings. No policy can unprotect them.
- STEERING: build files, test-runner configurations and plugins, interpreter
  start-up hooks, search-tool ignore files, charter's templates, the virtual
  environment. Protected by default; `unprotected_paths` in the policy lists
  the ones a team lets agents edit (typically `pyproject.toml` or
  `package.json`, for dependency changes).

Patterns follow `charter.guard.paths`: a pattern with a slash is anchored at the
repository root (`/config` is the root-level file only), one without matches
that name anywhere; matching ignores case.
"""

from __future__ import annotations

# fmt: off
CORE = (
    # git: its directory (also a `.git` file or folder below the root, which makes git use
    # another directory and its config there), HEAD anywhere (git takes a folder holding
    # HEAD, objects/ and refs/ for a git directory and obeys the config beside it), and
    # the files in the work tree git itself reads
    ".git/**", ".git", "HEAD", "**/objects/info/**", "/packed-refs", "/commondir",
    ".gitattributes", ".gitmodules", ".githooks/**", ".gitconfig", ".lfsconfig",
    # charter: its state (the active session sets the level) and its configuration
    ".charter/**", "charter.toml",
    # agents' settings and hook configurations, and the hooks that run the checks
    ".claude/**", ".codex/**", ".gemini/**", ".cursor/**", ".mcp.json", ".husky/**",
    ".pre-commit-config.yaml", ".pre-commit-hooks.yaml", "lefthook.yml", ".lefthook.yml",
)
STEERING = (
    # build files: what `make`, pip, cargo, go, npm and friends run
    "Makefile", "makefile", "GNUmakefile", "*.mk", "pyproject.toml", "setup.py", "setup.cfg",
    "tox.ini", "noxfile.py", "Cargo.toml", "build.rs", ".cargo/**", "go.mod", "go.work",
    "package.json", ".npmrc", ".yarnrc", ".yarnrc.yml", "justfile", "Justfile", "Taskfile.yml",
    "Rakefile", "CMakeLists.txt", "meson.build",
    # the same for the JVM, Ruby, Elixir, PHP, Deno and pipenv builds, and rustup's toolchain
    # choice (its `path` names the compiler cargo runs)
    "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts",
    "gradle.properties", "gradlew", "/gradle/wrapper/**", "pom.xml", ".mvn/**", "build.sbt",
    "Gemfile", "mix.exs", "composer.json", "deno.json", "deno.jsonc", "Pipfile",
    "rust-toolchain", "rust-toolchain.toml",
    # test runners and checkers that import code named in their configuration
    "conftest.py", "pytest.ini", ".pytest.ini", "jest.config.*", "vitest.config.*",
    "vite.config.*", ".mocharc*", "karma.conf.*", "playwright.config.*", "babel.config.*",
    ".babelrc*", "mypy.ini", ".pylintrc", "pylintrc", ".coveragerc", "eslint.config.*",
    ".eslintrc*", "prettier.config.*", ".prettierrc*",
    # pdb's start-up commands, run when a test stops in the debugger
    ".pdbrc",
    # code Python runs at start-up from the working directory or the environment
    "sitecustomize.py", "usercustomize.py", "*.pth", ".venv/**", "venv/**",
    "node_modules/.bin/**",
    # the installed tools allowed commands run from inside the repository: npm's packages
    # (`npx jest` runs node_modules/jest/bin/jest.js), tox's and nox's environments,
    # Yarn's own release and its Plug'n'Play loader, composer's and bundler's
    "**/node_modules/**", ".tox/**", ".nox/**", "__pypackages__/**", ".yarn/releases/**",
    ".yarn/plugins/**", ".pnp.cjs", ".pnp.loader.mjs", "vendor/bin/**", ".bundle/**",
    # ignore files that make ripgrep search what .gitignore hides
    ".ignore", ".rgignore",
    # charter's template overrides, rendered by `charter board` and friends; the editor's
    # tasks and settings, which run commands when a person opens the project
    "/templates/**", ".vscode/**",
    # the same for a dev container (initializeCommand runs on the person's machine) and
    # for mise, whose hooks and env scripts run when a person enters the folder
    ".devcontainer/**", ".devcontainer.json", "mise.toml", ".mise.toml", "mise.local.toml",
    ".mise.local.toml", ".config/mise.toml", ".config/mise/**", ".envrc",
    # bun's test preloads and pnpm's install hooks: code the runner loads by configuration
    "bunfig.toml", ".pnpmfile.cjs",
)
# fmt: on


def always_protected(policy_path: str) -> tuple[str, ...]:
    """The patterns no policy can unprotect: CORE and the policy file itself."""
    return (*CORE, policy_path)
