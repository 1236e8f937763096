"""Git that writes charter's refs (claims, the kill switch's ref) is refused at every level,
even where the policy allows the git subcommand itself; git that writes other refs is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.guard.charter_refs import names_charter_ref
from charter.guard.decide import classify
from tests.guard.helpers import compiled, make_context, make_repo

# Allows the git subcommands the class reads the arguments of, so a denial below is the
# class's own (`git pack-refs` and `git fast-import` cannot even be allowed: see the test).
GIT_EVERYTHING = """\
---
charter_policy: 1
default_level: L1
levels:
  L0:
    title: Observe
    allow: ["git status", "git log"]
  L1:
    title: Edit
    inherits: L0
    allow: ["git push", "git fetch", "git pull", "git update-ref", "git symbolic-ref",
            "git send-pack"]
---
# Autonomy policy

<!-- charter:begin levels -->
<!-- charter:end levels -->
"""

REFS = "refs/charter/"
DENIED = [
    ("git update-ref refs/charter/stop HEAD", REFS),
    ("git update-ref -d refs/charter/stop", REFS),
    ("git update-ref refs/charter/claims/T-1 HEAD ''", REFS),
    ("git update-ref REFS/Charter/claims/T-1 HEAD", REFS),
    ("git update-ref refs//charter/stop HEAD", REFS),
    ("git update-ref --no-deref refs/charter/claims/X HEAD", REFS),
    ("git update-ref --stdin", "--stdin"),
    ("git update-ref --std -z", "--stdin"),
    ("git symbolic-ref refs/charter/stop refs/heads/main", REFS),
    ("git pack-refs --all", "rewrites every ref"),
    ("git pack-refs", "rewrites every ref"),
    ("git fast-import --force", "input stream"),
    ("git push origin :refs/charter/stop", REFS),
    ("git push origin :refs/charter/claims/T-1", REFS),
    ("git push --delete origin refs/charter/claims/T-1", REFS),
    ("git push -d origin refs/charter/stop", REFS),
    ("git push origin refs/charter/claims/T-1", REFS),
    ("git push origin charter/stop", REFS),
    ("git push origin HEAD:refs/charter/claims/T-1", REFS),
    ("git push origin +HEAD:refs/charter/claims/T-1", REFS),
    ("git push --force-with-lease=refs/charter/stop origin :refs/charter/stop", REFS),
    ("git push --atomic origin 'refs/*:refs/*'", REFS),
    ("git push --prune origin '+refs/*:refs/*'", REFS),
    ("git push origin '*:*'", REFS),
    ("git push origin 'refs/c*:refs/c*'", REFS),
    ("git push origin 'refs/charter/*:refs/charter/*'", REFS),
    ("git push --mirror origin", "--mirror"),
    ("git push --mir origin", "--mirror"),
    ("git send-pack ../remote.git :refs/charter/stop", REFS),
    ("git fetch origin '+refs/charter/*:refs/charter/*'", REFS),
    ("git fetch --prune origin 'refs/*:refs/*'", REFS),
    ("git fetch origin refs/heads/main:refs/charter/stop", REFS),
    ("git fetch --refmap='+refs/*:refs/*' origin", REFS),
    ("git fetch --refmap '+refs/charter/*:refs/charter/*' origin main", REFS),
    ("git pull origin 'refs/charter/stop:refs/charter/stop'", REFS),
    ("git status && git push origin :refs/charter/stop", REFS),
    ("bash -c 'git update-ref -d refs/charter/stop'", REFS),
]

ALLOWED = [
    "git push origin main",
    "git push origin HEAD:refs/heads/feature",
    "git push origin 'refs/heads/*:refs/heads/*'",
    "git push --tags origin",
    "git push origin charter-docs",
    "git fetch origin",
    "git fetch --prune origin",
    "git fetch origin refs/charter/claims/T-1",  # no destination: FETCH_HEAD only
    "git pull origin main",
    "git update-ref refs/heads/scratch HEAD",
    "git update-ref -d refs/heads/scratch",
    "git symbolic-ref HEAD",
]


@pytest.fixture(scope="module")
def decide(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = make_repo(tmp_path_factory.mktemp("refs") / "repo", GIT_EVERYTHING)
    context = make_context(compiled(GIT_EVERYTHING), root, level="L1", env={})
    return lambda command: classify(command, context)


@pytest.mark.parametrize(("command", "why"), DENIED)
def test_git_that_writes_charter_refs_is_refused(decide, command: str, why: str) -> None:  # type: ignore[no-untyped-def]
    decision = decide(command)
    assert not decision.allowed, f"wrongly allowed: {command!r}"
    assert why in decision.reason, f"{command!r} denied for another reason: {decision.reason}"


@pytest.mark.parametrize("command", ALLOWED)
def test_git_that_writes_other_refs_is_judged_by_the_policy(decide, command: str) -> None:  # type: ignore[no-untyped-def]
    decision = decide(command)
    assert decision.allowed, f"{command!r}: {decision.reason}"


@pytest.mark.parametrize(
    ("ref", "charter"),
    [
        ("refs/charter/stop", True),
        ("+refs/charter/claims/*", True),
        ("refs/*", True),
        ("*", True),
        ("refs/ch*", True),
        ("refs/charter", True),
        ("charter/stop", True),
        ("refs/heads/charter/x", False),
        ("refs/heads/*", False),
        ("refs/tags/v1", False),
        ("main", False),
    ],
)
def test_which_ref_names_reach_refs_charter(ref: str, charter: bool) -> None:
    assert names_charter_ref(ref) is charter


def test_the_guard_binary_refuses_lifting_the_stop_ref(tmp_path: Path) -> None:
    from tests.guard.helpers import charter_guard

    root = make_repo(tmp_path / "repo", GIT_EVERYTHING)
    done = charter_guard(["--", "git", "update-ref", "-d", "refs/charter/stop"], cwd=root)
    assert done.returncode != 0
    assert b"refs/charter/" in done.stdout + done.stderr


@pytest.mark.parametrize("rule", ["git pack-refs", "git fast-import", "git update-ref --stdin"])
def test_a_policy_cannot_allow_the_class(tmp_path: Path, rule: str) -> None:
    from charter.errors import CharterError

    with pytest.raises(CharterError, match="can never be allowed"):
        compiled(GIT_EVERYTHING.replace('"git send-pack"', f'"git send-pack", "{rule}"'))
