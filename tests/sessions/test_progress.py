"""`charter task done` in a session appends to the log's progress section."""

from __future__ import annotations

import pytest

from charter.cli import main
from charter.config import Config
from charter.sessions.preconditions import Request
from charter.sessions.progress import with_progress_line
from charter.sessions.start import start_session
from tests.sessions.helpers import write

LINE = "- 2026-01-01T00:00:00Z CO-2 done: x (evidence `a.md`)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # made before the Outcome
            "# S\n\n## Commands\n\nc\n\n## Outcome\n\no\n",
            f"# S\n\n## Commands\n\nc\n\n## Progress\n\n{LINE}\n\n## Outcome\n\no\n",
        ),
        ("# S\n\nbody\n", f"# S\n\nbody\n\n## Progress\n\n{LINE}\n"),  # at the end
        (  # appended after the last line, the next section untouched
            "## Progress\n\n- one\n\n## Outcome\n",
            f"## Progress\n\n- one\n{LINE}\n\n## Outcome\n",
        ),
        ("## Progress\n\n## Outcome\n", f"## Progress\n\n{LINE}\n\n## Outcome\n"),  # empty
    ],
)
def test_with_progress_line(text: str, expected: str) -> None:
    assert with_progress_line(text, LINE) == expected


def test_task_done_in_a_session_writes_progress(
    repo: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    result = start_session(repo, Request("CO-2", agent="codex"), {})
    assert result.ok and result.session is not None
    write(repo.root, "out/result.md", "measured\n")
    args = ["task", "done", "CO-2", "--evidence", "out/result.md", "--repo", str(repo.root)]
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"wrote {result.session.log} (progress)" in out
    log = (repo.root / result.session.log).read_text("utf-8")
    progress = log.split("## Progress\n\n", 1)[1].split("\n## ", 1)[0]
    assert "CO-2 done: Build the feature (evidence `out/result.md`)" in progress
