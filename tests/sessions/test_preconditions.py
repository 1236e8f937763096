"""Each session precondition failing on its own: one failure, named, and nothing written."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from charter.config import Config
from charter.repo import load_repo
from charter.sessions.briefing import briefing
from charter.sessions.preconditions import Request
from charter.sessions.start import start_session
from charter.state.session import ACTIVE_FILE
from tests.sessions.helpers import snapshot, write

Mutation = Callable[[Config], None]


def edit_plan(old: str, new: str) -> Mutation:
    def mutate(config: Config) -> None:
        path = config.root / "docs/plans/core.md"
        text = path.read_text("utf-8")
        assert old in text
        path.write_text(text.replace(old, new), "utf-8")
        from charter.board.regenerate import regenerate_board

        regenerate_board(config, force=True)

    return mutate


def remove(*rels: str) -> Mutation:
    def mutate(config: Config) -> None:
        for rel in rels:
            (config.root / rel).unlink()

    return mutate


def put(rel: str, text: str) -> Mutation:
    def mutate(config: Config) -> None:
        write(config.root, rel, text)

    return mutate


def stale_board(config: Config) -> None:
    path = config.root / "docs/plans/core.md"
    path.write_text(path.read_text("utf-8").replace("Build the feature", "Build it"), "utf-8")


def active_session(config: Config) -> None:
    write(
        config.root,
        ACTIVE_FILE,
        '{"id": "2026-01-01_session-0007", "log": "x.md", '
        '"task": "CO-1", "level": "L1", "agent": "a", "started": "2026-01-01T00:00:00Z"}',
    )


def script_requirement(executable: bool) -> Mutation:
    def mutate(config: Config) -> None:
        script = write(config.root, "tools/run.sh", "#!/bin/sh\n")
        os.chmod(script, 0o755 if executable else 0o644)
        edit_plan('requires: ["make check"]', 'requires: ["tools/run.sh --fast"]')(config)

    return mutate


# (case, mutation, request, env, expected check, expected text)
CASES: list[tuple[str, Mutation | None, Request, dict[str, str], str, str]] = [
    ("unknown task", None, Request("CO-9"), {}, "scope", "no plan defines task CO-9"),
    (
        "duplicate task",
        edit_plan("- [ ] **CO-4** Go online", "- [ ] **CO-2** again"),
        Request("CO-2"),
        {},
        "scope",
        "is defined 2 times",
    ),
    ("task done", None, Request("CO-1"), {}, "scope", "CO-1 is Done"),
    (
        "task blocked",
        edit_plan(
            "  - Status: Backlog\n", "  - Status: Blocked\n  - Blocked reason: waiting for access\n"
        ),
        Request("CO-2"),
        {},
        "scope",
        "CO-2 is Blocked (waiting for access)",
    ),
    (
        "dependency open",
        None,
        Request("CO-3", level="L2", approved_by="ops"),
        {},
        "scope",
        "CO-3 depends on CO-2, which is Backlog",
    ),
    (
        "the parent's dependency open",  # an epic's Depends holds for every issue under it
        edit_plan("  - Level: L2\n", "  - Level: L2\n  - [ ] **CO-5** Part of it\n"),
        Request("CO-5"),
        {},
        "scope",
        "CO-5 waits on CO-2 (as its parent CO-3 does), which is Backlog",
    ),
    (
        "dependency unknown",
        edit_plan("Depends: CO-1", "Depends: CO-0"),
        Request("CO-2"),
        {},
        "scope",
        "CO-2 depends on CO-0, which no plan defines",
    ),
    (
        "board missing",
        remove("docs/taskboard/TaskBoard.md", "docs/taskboard/TaskBoard.csv"),
        Request("CO-2"),
        {},
        "scope",
        "there is no board",
    ),
    ("board stale", stale_board, Request("CO-2"), {}, "scope", "the board is out of date"),
    (
        "no gates file",
        remove("docs/telemetry/GATES.md"),
        Request("CO-2"),
        {},
        "gates",
        "there is no gates file",
    ),
    (
        "no gate for the plan",
        put("docs/telemetry/GATES.md", "# Gates\n\n## Plan OTHER\n"),
        Request("CO-2"),
        {},
        "gates",
        "plan CORE has no telemetry gate",
    ),
    (
        "unreadable gate",
        put(
            "docs/telemetry/GATES.md",
            "## Plan CORE\n\n| Metric | Aggregate | Threshold | Source |\n"
            "|---|---|---|---|\n| failed | median-ish | == 0 | x.jsonl |\n",
        ),
        Request("CO-2"),
        {},
        "gates",
        "unknown aggregate",
    ),
    (
        "make target missing",
        put("Makefile", "test:\n\t@true\n"),
        Request("CO-2"),
        {},
        "tooling",
        "Makefile has no target check",
    ),
    ("no Makefile", remove("Makefile"), Request("CO-2"), {}, "tooling", "Makefile does not exist"),
    (
        "script missing",
        edit_plan('requires: ["make check"]', 'requires: ["tools/run.sh"]'),
        Request("CO-2"),
        {},
        "tooling",
        "tools/run.sh does not exist",
    ),
    (
        "script not executable",
        script_requirement(False),
        Request("CO-2"),
        {},
        "tooling",
        "tools/run.sh is not executable",
    ),
    (
        "requires not a list",
        edit_plan('requires: ["make check"]', "requires: {a: 1}"),
        Request("CO-2"),
        {},
        "tooling",
        "`requires` must be a list",
    ),
    (
        "program not installed",
        edit_plan('requires: ["make check"]', 'requires: ["no-such-tool-xyz --version"]'),
        Request("CO-2"),
        {},
        "tooling",
        "no-such-tool-xyz is neither in the repo nor installed",
    ),
    ("unknown level", None, Request("CO-2", level="L9"), {}, "level", "unknown level 'L9'"),
    (
        "level not documented",
        None,
        Request("CO-2", level="L2", approved_by="ops"),
        {},
        "level",
        "L2 is above the default L1: document it",
    ),
    (
        "level documented lower",
        edit_plan("  - Level: L3\n", "  - Level: L2\n"),
        Request("CO-4", level="L3", approved_by="ops"),
        {"DEMO_ALLOW_NET": "1"},
        "level",
        "the task and plan document only L2",
    ),
    (
        "level not approved",
        edit_plan("  - Depends: CO-1\n", "  - Depends: CO-1\n  - Level: L2\n"),
        Request("CO-2", level="L2"),
        {},
        "level",
        "name the operator who approved it",
    ),
    (
        "opt-in missing",
        None,
        Request("CO-4", level="L3", approved_by="ops"),
        {},
        "level",
        "L3 needs its opt-in DEMO_ALLOW_NET=1",
    ),
    (
        "no policy",
        remove("docs/agents/AUTONOMY.md"),
        Request("CO-2"),
        {},
        "level",
        "no autonomy policy here",
    ),
    (
        "session active",
        active_session,
        Request("CO-2"),
        {},
        "session",
        "session 2026-01-01_session-0007 (task CO-1",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "request_", "env", "check", "text"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_one_failing_precondition_is_reported_alone_and_nothing_is_written(
    repo: Config,
    mutation: Mutation | None,
    request_: Request,
    env: dict[str, str],
    check: str,
    text: str,
) -> None:
    if mutation is not None:
        mutation(repo)
    before = snapshot(repo.root)
    result = start_session(repo, request_, env)
    assert not result.ok
    failures = result.findings.failures
    assert [f.check for f in failures] == [check], [str(f) for f in failures]
    assert text in failures[0].message, str(failures[0])
    assert snapshot(repo.root) == before
    assert not (repo.root / ACTIVE_FILE).exists() or mutation is active_session


def test_every_failure_is_listed_in_one_run(repo: Config) -> None:
    remove("docs/telemetry/GATES.md", "Makefile")(repo)
    result = start_session(repo, Request("CO-3", level="L3"), {})
    checks = sorted({f.check for f in result.findings.failures})
    assert checks == ["gates", "level", "scope", "tooling"]
    messages = " | ".join(str(f) for f in result.findings.failures)
    for expected in (
        "depends on CO-2",
        "no gates file",
        "Makefile does not exist",
        "only L2",
        "approved it",
        "DEMO_ALLOW_NET=1",
    ):
        assert expected in messages


def test_a_documented_approved_level_with_its_opt_in_starts(repo: Config) -> None:
    result = start_session(
        repo, Request("CO-4", level="L3", approved_by="ops"), {"DEMO_ALLOW_NET": "1"}
    )
    assert result.ok, [str(f) for f in result.findings.failures]
    assert result.session is not None
    assert (result.session.level, result.session.approved_by) == ("L3", "ops")


def test_the_approver_may_come_from_the_environment(repo: Config) -> None:
    edit_plan("  - Depends: CO-1\n", "  - Depends: CO-1\n  - Level: L2\n")(repo)
    result = start_session(repo, Request("CO-2", level="L2"), {"CHARTER_APPROVED_BY": "alice"})
    assert result.ok, [str(f) for f in result.findings.failures]
    assert result.session is not None and result.session.approved_by == "alice"


def test_a_plan_level_documents_every_task_of_the_plan(repo: Config) -> None:
    edit_plan("owner: core\n", "owner: core\nlevel: L2 – Experiment\n")(repo)
    result = start_session(repo, Request("CO-2", level="L2", approved_by="bob"), {})
    assert result.ok, [str(f) for f in result.findings.failures]


def test_a_lower_level_than_the_default_needs_no_approval(repo: Config) -> None:
    result = start_session(repo, Request("CO-2", level="L0"), {})
    assert result.ok, [str(f) for f in result.findings.failures]


def test_a_passing_start_opens_the_session(repo: Config) -> None:
    result = start_session(repo, Request("CO-2", agent="codex"), {})
    assert result.ok, [str(f) for f in result.findings.failures]
    session = result.session
    assert session is not None and (session.agent, session.level) == ("codex", "L1")
    assert (repo.root / session.log).is_file() and (repo.root / ACTIVE_FILE).is_file()
    task = load_repo(repo, use_cache=False).find_task("CO-2")
    assert task is not None and task.status == "In Progress"


def test_the_briefing_lists_what_the_plan_asks_to_read_first(repo: Config) -> None:
    edit_plan("owner: core\n", "owner: core\nread_first: [docs/design.md]\n")(repo)
    write(repo.root, "docs/design.md", "# Design\n")
    result = start_session(repo, Request("CO-2", agent="codex"), {})
    assert result.ok and result.session is not None, [str(f) for f in result.findings.failures]
    text = briefing(repo, result.findings, result.session)
    read_first = text.split("Read first:", 1)[1]
    assert "  - docs/plans/core.md\n  - docs/design.md\n" in read_first
