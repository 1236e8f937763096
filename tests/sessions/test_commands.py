"""CLI wiring of `charter session`: exit codes, where the output goes, JSON status."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from charter.commands.session import session as session_group
from charter.config import Config


def invoke(repo: Config, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        session_group, [*args, "--repo", str(repo.root)], standalone_mode=False
    )
    if result.exception is not None:
        raise result.exception
    return result.return_value, result.stdout, result.stderr


def test_status_without_a_session(repo: Config) -> None:
    assert invoke(repo, "status") == (1, "no active session\n", "")
    code, out, _ = invoke(repo, "status", "--format", "json")
    assert code == 1 and json.loads(out) == {"active": None, "commands": []}


def test_a_refused_start_lists_failures_on_stderr(repo: Config) -> None:
    code, out, err = invoke(repo, "start", "CO-3")
    assert (code, out) == (1, "")
    assert "1 precondition(s) failed; nothing was written" in err
    assert "[scope] docs/plans/core.md:" in err


def test_start_status_end(repo: Config) -> None:
    code, out, _ = invoke(repo, "start", "CO-2", "--agent", "codex")
    assert code == 0 and out.startswith("Session 2026-01-02_session-0001 started")
    code, out, _ = invoke(repo, "status", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["active"]["task"] == "CO-2" and data["commands"] == []
    code, out, err = invoke(repo, "end")
    assert code == 1 and out == "" and "is not complete; nothing was changed" in err
    log = repo.root / data["active"]["log"]
    log.write_text(re.sub(r"\(fill in[^)]*\)", "Done.", log.read_text("utf-8")), "utf-8")
    code, out, _ = invoke(repo, "end", "--blocked", "waiting for review")
    assert code == 0 and "ended (blocked)" in out and "updated docs/plans/core.md" in out
