"""CH030 (a commit touches what another agent's claimed task declares) and CH031 (a task's
paths changed since it was reviewed), on real git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from charter.checks.engine import check_repo
from charter.claims import ops
from charter.config import load_config
from charter.model import Diagnostic
from tests.claims.helpers import governed_clone, run_git

PLAN = """---
id: plan-par
title: Parallel work
status: active
---

# Parallel work

- [ ] **PAR-1** Speed up the parser
  - Status: In Progress
  - Touches: src/parser/**, docs/parser.md
- [ ] **PAR-2** Document the CLI in `docs/cli.md`
  - Status: Not started
  - Evidence: `reports/cli.txt`
- [ ] **PAR-3** Unrelated
  - Status: Not started
"""


def _findings(root: Path, code: str) -> list[Diagnostic]:
    report = check_repo(load_config(root), use_cache=False)
    return [d for d in report.diagnostics if d.code == code]


def _repo(tmp_path: Path, config: str = 'claims = "local"\n') -> Path:
    root = governed_clone(tmp_path, config)
    (root / "docs/plans/par.md").write_text(PLAN, encoding="utf-8")
    for rel in ("src/parser/lex.py", "src/app.py", "docs/cli.md", "reports/cli.txt"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x\n", encoding="utf-8")
    run_git(root, "add", "-A")
    run_git(root, "commit", "-qm", "tasks")
    return root


def _commit(root: Path, rel: str, message: str) -> str:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    with (root / rel).open("a", encoding="utf-8") as handle:
        handle.write("more\n")
    run_git(root, "add", rel)
    run_git(root, "commit", "-qm", message)
    return run_git(root, "rev-parse", "--short=7", "HEAD").strip()


# -- CH030 -----------------------------------------------------------------------------


def test_staging_a_file_another_agents_claimed_task_declares_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repo(tmp_path)
    ops.claim(ops.Store(root, None), "PAR-1", "alice", "1h")
    (root / "src/parser/lex.py").write_text("changed\n", encoding="utf-8")
    (root / "src/app.py").write_text("changed\n", encoding="utf-8")
    run_git(root, "add", "src")
    monkeypatch.setenv("CHARTER_AGENT", "bob")

    found = _findings(root, "CH030")

    assert [(d.path, d.severity) for d in found] == [("src/parser/lex.py", "warning")]
    assert "PAR-1 declares (Touches: src/parser/**" in found[0].message
    assert "alice holds that task until" in found[0].message


@pytest.mark.parametrize(
    ("me", "staged", "claimed", "expected"),
    [
        ("alice", True, True, 0),  # the holder's own commit
        ("bob", False, True, 0),  # nothing staged
        ("bob", True, False, 0),  # nobody holds the task
    ],
)
def test_ch030_is_quiet_when_nothing_collides(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    me: str,
    staged: bool,
    claimed: bool,
    expected: int,
) -> None:
    root = _repo(tmp_path)
    if claimed:
        ops.claim(ops.Store(root, None), "PAR-1", "alice", "1h")
    (root / "src/parser/lex.py").write_text("changed\n", encoding="utf-8")
    if staged:
        run_git(root, "add", "src")
    monkeypatch.setenv("CHARTER_AGENT", me)
    assert len(_findings(root, "CH030")) == expected


def test_unreadable_claims_are_a_warning_not_silence(tmp_path: Path) -> None:
    root = _repo(tmp_path, 'claims = "remote"\n')
    run_git(root, "remote", "add", "origin", str(tmp_path / "nowhere.git"))
    (root / "src/app.py").write_text("changed\n", encoding="utf-8")
    run_git(root, "add", "src")
    (found,) = _findings(root, "CH030")
    assert "claims cannot be read" in found.message and found.severity == "warning"


# -- CH031 -----------------------------------------------------------------------------


def test_review_drift_names_the_commits(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    done = subprocess.run(
        [*_charter(), "task", "review", "PAR-2", "--no-board"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    reviewed = run_git(root, "rev-parse", "--short=12", "HEAD").strip()
    assert f"PAR-2: reviewed at {reviewed}" in done.stdout
    assert f"  - Reviewed: {reviewed}\n" in (root / "docs/plans/par.md").read_text("utf-8")
    run_git(root, "commit", "-qam", "review PAR-2")
    assert _findings(root, "CH031") == []

    first = _commit(root, "docs/cli.md", "reword the CLI page")
    _commit(root, "src/app.py", "unrelated")
    second = _commit(root, "reports/cli.txt", "new report")

    (found,) = _findings(root, "CH031")
    assert found.path == "docs/plans/par.md" and found.severity == "warning"
    assert f"PAR-2: its paths changed since it was reviewed at {reviewed}, in 2 commit(s)" in (
        found.message
    )
    assert f"{second} (new report: reports/cli.txt)" in found.message
    assert f"{first} (reword the CLI page: docs/cli.md)" in found.message
    assert "src/app.py" not in found.message


def test_plan_level_review_and_a_bad_sha(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    base = run_git(root, "rev-parse", "HEAD").strip()
    plan = root / "docs/plans/par.md"
    text = plan.read_text("utf-8").replace(
        "status: active\n", f"status: active\nreviewed: {base}\n"
    )
    text = text.replace(
        "  - Status: Not started\n", "  - Status: Not started\n  - Reviewed: 0badc0ffee\n", 1
    )
    # a note, not a commit: PAR-3 is not judged (nor by the plan's review, which its own
    # field replaces), though its path changes below
    text = text.replace(
        "**PAR-3** Unrelated\n  - Status: Not started\n",
        "**PAR-3** Unrelated `src/app.py`\n  - Status: Not started\n  - Reviewed: by the team\n",
    )
    plan.write_text(text, encoding="utf-8")
    run_git(root, "commit", "-qam", "reviews")
    _commit(root, "src/parser/lex.py", "parser work")
    _commit(root, "src/app.py", "app work")

    found = {d.message.split(":")[0]: d for d in _findings(root, "CH031")}
    assert set(found) == {"PAR-1", "PAR-2"}
    assert "parser work: src/parser/lex.py" in found["PAR-1"].message
    assert found["PAR-1"].line == 5  # the frontmatter's `reviewed:` line
    assert "0badc0ffee is not a commit of this repository" in found["PAR-2"].message


def test_one_git_log_for_every_review(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from charter.checks import claim_rules

    root = _repo(tmp_path)
    plan = root / "docs/plans/par.md"
    head = run_git(root, "rev-parse", "HEAD").strip()
    text = plan.read_text("utf-8").replace(
        "status: active\n", f"status: active\nreviewed: {head}\n"
    )
    plan.write_text(text, encoding="utf-8")
    run_git(root, "commit", "-qam", "reviews")
    calls: list[tuple[str, ...]] = []
    real = claim_rules._git

    def counting(where: Path, *args: str, stdin: str | None = None) -> str | None:
        calls.append(args)
        return real(where, *args, stdin=stdin)

    monkeypatch.setattr(claim_rules, "_git", counting)
    list(claim_rules.review_drift(load_config(root) and _world(root)))
    assert [a[0] for a in calls].count("log") == 1


def _world(root: Path):  # type: ignore[no-untyped-def]
    from charter.repo import load_repo

    return load_repo(load_config(root)).world


def _charter() -> list[str]:
    import sys

    return [sys.executable, "-m", "charter"]
