"""Guarded commits: forbidden and oversized files, and unapproved changes to the protections."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from charter.checks.commit_rules import git_view
from charter.config import Config, load_config
from charter.model import Diagnostic
from tests.conftest import check_findings
from tests.safety.helpers import start, write


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def _commit(root: Path, message: str = "work") -> None:
    _git(root, "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", message)


def _found(config: Config, *codes: str) -> list[str]:
    diagnostics: list[Diagnostic] = check_findings(load_config(config.root))
    return [f"{d.path} {d.code}" for d in diagnostics if d.code in codes]


@pytest.mark.parametrize(
    ("path", "state"),
    [(".env", "staged"), ("deploy/server.PEM", "staged"), ("logs/raw/2026/x.log", "staged")],
)
def test_a_staged_forbidden_file_is_a_finding(repo: Config, path: str, state: str) -> None:
    write(repo.root, path, "secret\n")
    _git(repo.root, "add", "-f", path)
    diagnostics = check_findings(repo)
    (finding,) = [d for d in diagnostics if d.code == "CH024"]
    assert finding.path == path
    assert finding.message.startswith(f"{path} is {state} in git, but the policy forbids it (")
    assert f"`git rm --cached -- {path}`" in finding.message


def test_a_tracked_forbidden_file_is_a_finding_until_it_is_removed(repo: Config) -> None:
    write(repo.root, "config/.env", "TOKEN=1\n")
    _git(repo.root, "add", "-A")
    _git(repo.root, "add", "-f", "config/.env")
    _commit(repo.root)
    (finding,) = [d for d in check_findings(repo) if d.code == "CH024"]
    assert finding.message.startswith("config/.env is tracked in git, but the policy forbids it")
    _git(repo.root, "rm", "-q", "--cached", "config/.env")
    assert _found(repo, "CH024") == []


def test_files_over_the_size_limit(repo: Config) -> None:
    policy = repo.root / repo.policy
    policy.write_text(
        policy.read_text().replace(
            "charter_policy: 1\n", "charter_policy: 1\nmax_file_size_kb: 2\n"
        )
    )
    write(repo.root, "data/small.bin", "x" * 2048)
    write(repo.root, "data/large.bin", "x" * 2049)
    _git(repo.root, "add", "data")
    diagnostics = [d for d in check_findings(repo) if d.code == "CH025"]
    assert [d.path for d in diagnostics] == ["data/large.bin"]
    assert diagnostics[0].message == (
        "data/large.bin is staged in git at 2.0 KB, over the policy's max_file_size_kb: 2: keep "
        "it out of git (an artifact store, git LFS) or raise the limit"
    )


def test_no_size_limit_no_finding(repo: Config) -> None:
    write(repo.root, "data/large.bin", "x" * 200_000)
    _git(repo.root, "add", "data")
    assert _found(repo, "CH025") == []


PROTECTED = [
    "docs/agents/AUTONOMY.md",
    ".claude/settings.json",
    ".codex/hooks.json",
    ".pre-commit-config.yaml",
    ".secrets.baseline",
    "Makefile",  # the policy's own protected_paths
]


@pytest.mark.parametrize("path", PROTECTED)
def test_a_protection_change_in_an_unapproved_session(repo: Config, path: str) -> None:
    session = start(repo)
    target = repo.root / path
    write(repo.root, path, (target.read_text() if target.exists() else "") + "# changed\n")
    _git(repo.root, "add", path)
    (finding,) = [d for d in check_findings(repo) if d.code == "CH027"]
    assert finding.path == path
    assert f"during agent session {session.id}, whose log names no approver" in finding.message


def test_an_approved_session_or_no_session_may_change_protections(repo: Config) -> None:
    write(repo.root, ".pre-commit-config.yaml", "repos: []\n")
    _git(repo.root, "add", ".pre-commit-config.yaml")
    assert _found(repo, "CH027") == []  # no session: a person is committing
    start(repo)
    assert _found(repo, "CH027") == [".pre-commit-config.yaml CH027"]
    active = repo.root / ".charter/active-session.json"
    data = json.loads(active.read_text())
    data["approved_by"] = "alice"
    active.write_text(json.dumps(data))
    assert _found(repo, "CH027") == []


def test_an_approver_written_into_the_log_by_hand_does_not_count(repo: Config) -> None:
    session = start(repo)
    log = repo.root / session.log
    log.write_text(log.read_text().replace("approved_by: null", "approved_by: the-agent"))
    write(repo.root, ".claude/settings.json", "{}\n")
    _git(repo.root, "add", ".claude/settings.json")
    assert _found(repo, "CH027") == [".claude/settings.json CH027"]


def test_a_damaged_session_file_is_reported(repo: Config) -> None:
    write(repo.root, ".charter/active-session.json", "{broken")
    write(repo.root, "src/x.py", "x = 1\n")
    _git(repo.root, "add", "src/x.py")
    (finding,) = [d for d in check_findings(repo) if d.code == "CH027"]
    assert finding.path == ".charter/active-session.json"


def test_without_git_the_rules_find_nothing(repo: Config) -> None:
    write(repo.root, ".env", "SECRET=1\n")
    shutil.rmtree(repo.root / ".git")
    assert git_view(repo.root) is None
    assert _found(repo, "CH024", "CH025", "CH026", "CH027") == []


def test_without_a_policy_the_rules_find_nothing(repo: Config) -> None:
    write(repo.root, ".env", "SECRET=1\n")
    _git(repo.root, "add", "-f", ".env")
    (repo.root / repo.policy).unlink()
    assert _found(repo, "CH024", "CH025", "CH026", "CH027") == []


def test_an_invalid_policy_is_reported_with_its_line(repo: Config) -> None:
    policy = repo.root / repo.policy
    policy.write_text(policy.read_text().replace("max_commands: 50", "max_commands: lots"))
    (finding,) = [d for d in check_findings(repo) if d.code == "CH024"]
    assert (finding.path, finding.line) == ("docs/agents/AUTONOMY.md", 13)
    assert "max_commands must be a whole number" in finding.message


def test_the_pre_commit_path_filter_keeps_findings_on_staged_files(repo: Config) -> None:
    """pre-commit passes the staged files; a tracked file's finding shows in a full check."""
    write(repo.root, "old.pem", "key\n")
    _git(repo.root, "add", "-A")
    _git(repo.root, "add", "-f", "old.pem")
    _commit(repo.root)
    write(repo.root, "new.pem", "key\n")
    _git(repo.root, "add", "-f", "new.pem")
    staged_only = check_findings(repo, [repo.root / "new.pem"])
    assert [d.path for d in staged_only if d.code == "CH024"] == ["new.pem"]
    assert _found(repo, "CH024") == ["new.pem CH024", "old.pem CH024"]
