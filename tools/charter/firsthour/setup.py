"""The part of `charter init` that ties the scaffold to git and to the project.

- `.gitignore` gets the policy's forbidden paths, so `git add -A` does not
  stage a secret (CH024 is the second line of defence, in the hook).
- `.gitattributes` marks the generated files with charter's merge driver, and
  the local git config registers it, so two branches that edit different
  tasks merge without a conflict in the board.
- The git hooks: `pre-commit` (through pre-commit when it is installed,
  charter's own script otherwise) and `post-merge`, which regenerates
  the board from the merged plans. An existing hook is never replaced.
"""

from __future__ import annotations

from collections.abc import Sequence

from charter import DISTRIBUTION
from charter.config import Config
from charter.errors import CharterError
from charter.firsthour.gitsetup import (
    MERGE_DRIVER,
    GitSetup,
    append_missing_lines,
    git_dir_of,
    install_hooks,
    set_merge_driver,
)
from charter.firsthour.project import TestCommand
from charter.firsthour.result import InitResult
from charter.guard.policy import load_policy
from charter.rulecodes import FORBIDDEN_FILE_COMMITTED

INSTALL_COMMAND = f"pip install {DISTRIBUTION}"


def first_hour(
    config: Config,
    result: InitResult,
    tests: Sequence[TestCommand],
    *,
    git_hooks: bool,
    pre_commit: str | None,
) -> None:
    root = config.root.resolve()
    _report_tests(config, tests, result)
    _ignore_forbidden(config, result)
    generated = (config.board, config.board_csv, config.handoff)
    _append(
        config,
        ".gitattributes",
        [f"{_attr_path(rel)} merge={MERGE_DRIVER}" for rel in generated],
        "charter's generated files: rebuilt from the plans after a merge (charter init)",
        result,
    )
    hooks, why_not = git_dir_of(root)
    if hooks is None:
        result.notes.append(
            f"no git hooks and no merge driver: {why_not}. After `git init`, run "
            "`charter init` again: it adds them and changes nothing else"
        )
        return
    setup = GitSetup()
    set_merge_driver(root, setup)
    if git_hooks:
        install_hooks(root, hooks, pre_commit, INSTALL_COMMAND, setup)
    else:
        result.notes.append(
            "no git hooks installed (--no-git-hooks): run `pre-commit install`, or see "
            "docs/init.md, so that `charter check` runs before each commit"
        )
    precommit_config = config.path(".pre-commit-config.yaml")
    if precommit_config.is_file() and "charter" not in precommit_config.read_text(
        "utf-8", "replace"
    ):
        result.notes.append(
            "your .pre-commit-config.yaml was kept and runs none of charter's checks: add the "
            f"charter-check hook (docs/init.md), or {FORBIDDEN_FILE_COMMITTED} will not stop a "
            "forbidden file"
        )
    result.actions.extend(setup.written)
    result.kept.extend(setup.kept)
    result.notes.extend(setup.notes)


def _report_tests(config: Config, tests: Sequence[TestCommand], result: InitResult) -> None:
    if tests:
        found = ", ".join(f"`{t.command}` (from {t.source})" for t in tests)
        result.notes.append(f"tests: {found}; `make test` runs it and the policy allows it at L1")
    else:
        result.notes.append(
            "tests: no test command found (pyproject.toml, pytest.ini, setup.cfg, package.json, "
            "Cargo.toml, go.mod); write yours under the Makefile's test target and add it "
            f"to test_commands and the L1 allow list in {config.policy}"
        )


def _ignore_forbidden(config: Config, result: InitResult) -> None:
    try:
        policy = load_policy(config.path(config.policy), config.policy)
    except CharterError as exc:
        result.notes.append(f".gitignore not extended: {exc}")
        return
    patterns = [p for p in policy.forbidden_paths if p.strip()]
    if not patterns:
        return
    _append(
        config,
        ".gitignore",
        patterns,
        f"files {config.policy} forbids: never committed (charter init)",
        result,
    )


def _append(
    config: Config, rel: str, lines: Sequence[str], header: str, result: InitResult
) -> None:
    existed = config.path(rel).exists()
    added = append_missing_lines(config.path(rel), lines, header)
    if added and existed:
        result.actions.append(f"appended {len(added)} line(s) to {rel}: {', '.join(added)}")
    elif added:
        result.created.append(rel)
    elif existed:
        result.kept.append(rel)


def _attr_path(rel: str) -> str:
    """A path as a .gitattributes pattern: anchored at the root, spaces escaped."""
    return "/" + rel.replace(" ", "[[:space:]]")
