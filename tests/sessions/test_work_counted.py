"""How much work `session start` and `session end` do, counted, so that duplicated work
cannot come back unnoticed: the models of the repository built, the board and the handoff
rendered, and how many models are alive while the board or the handoff is rendered or
another model is built (at 50,000 tasks a model is about 100 MiB; two at once took a
start over 300 MiB)."""

from __future__ import annotations

import collections
import re
import sys
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from charter.board import memo as board_memo
from charter.board.regenerate import regenerate_board
from charter.config import Config
from charter.repo import RepoModel
from charter.sessions.end import end_session
from charter.sessions.preconditions import Request
from charter.sessions.start import start_session

# (module, function): every function whose calls are counted, under a short name.
COUNTED = {
    "model built": ("charter.repo", "build_repo"),
    "board regenerated": ("charter.board.regenerate", "regenerate_board"),
    "board rendered": ("charter.board.parts", "render_parts"),
    "board patched": ("charter.board.patch", "patch_board"),
    "handoff rendered": ("charter.handoff.regenerate", "render_facts"),
}


@dataclass
class Work:
    calls: collections.Counter[str] = field(default_factory=collections.Counter)
    models: list[weakref.ref[RepoModel]] = field(default_factory=list)
    most_alive_at_render: int = 0
    most_alive_at_build: int = 0  # models alive when another is built

    def alive(self) -> int:
        return sum(ref() is not None for ref in self.models)

    def reset(self) -> None:
        self.calls.clear()
        self.most_alive_at_render = 0
        self.most_alive_at_build = 0


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Iterator[Work]:
    """Counts the calls of COUNTED wherever they are made from: each function is replaced
    in its module and in every loaded module that imported it by name."""
    counted = Work()
    for name, (module_name, attr) in COUNTED.items():
        module = sys.modules.get(module_name) or __import__(module_name, fromlist=[attr])
        original = getattr(module, attr)
        wrapper = _counting(counted, name, original)
        for loaded in list(sys.modules.values()):
            if loaded is not None and getattr(loaded, attr, None) is original:
                monkeypatch.setattr(loaded, attr, wrapper)
    yield counted


def _counting(work: Work, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        work.calls[name] += 1
        if name in ("board rendered", "board patched", "handoff rendered"):
            work.most_alive_at_render = max(work.most_alive_at_render, work.alive())
        if name == "model built":
            work.most_alive_at_build = max(work.most_alive_at_build, work.alive())
        result = original(*args, **kwargs)
        if isinstance(result, RepoModel):
            work.models.append(weakref.ref(result))
        return result

    return wrapper


OTHER_PLAN_GATES = """
## Plan OTHER

| Metric | Aggregate | Threshold | Source | Blocking |
|---|---|---|---|---|
| failed | max | == 0 | .runs/other/*.jsonl | yes |
"""


def _started(repo: Config) -> None:
    # A section for another plan, as real gates files have: matching it against the
    # task's plan must not load the repository again.
    with (repo.root / repo.gates).open("a", encoding="utf-8") as gates:
        gates.write(OTHER_PLAN_GATES)
    result = start_session(repo, Request("CO-2", agent="codex"), {})
    assert result.session is not None, [str(f) for f in result.findings.failures]


@pytest.mark.parametrize(
    ("board_memo_current", "most"),
    [
        # The precondition finds the board current from its memo: one render, of the board
        # with the task In Progress, and one model for the preconditions, one for the
        # board, one for the handoff.
        (True, {"model built": 3, "board regenerated": 2, "board rendered": 1}),
        # No memo (a fresh clone, a pull): the precondition renders the board to compare.
        (False, {"model built": 4, "board regenerated": 2, "board rendered": 2}),
    ],
)
def test_session_start_builds_and_renders_each_thing_at_most_so_often(
    repo: Config, work: Work, board_memo_current: bool, most: dict[str, int]
) -> None:
    if board_memo_current:
        regenerate_board(repo)
    else:
        board_memo.forget(repo)
    work.reset()
    _started(repo)
    for name, limit in {**most, "handoff rendered": 1}.items():
        assert work.calls[name] <= limit, f"{name}: {work.calls[name]} times, at most {limit}"
    # the task is In Progress on the board now: rendered, or its row patched in place
    assert work.calls["board rendered"] + work.calls["board patched"] >= 1
    assert work.calls["handoff rendered"] == 1
    assert work.most_alive_at_render <= 1, "two models of the repository at once"
    # A model kept while the next is built (decoded) doubles the peak just as well.
    assert work.most_alive_at_build == 0, "a model alive while another is built"


@pytest.mark.parametrize("done", [False, True])
def test_session_end_builds_and_renders_each_thing_once(
    repo: Config, work: Work, done: bool
) -> None:
    _started(repo)
    log = next((repo.root / repo.sessions).glob("*.md"))
    log.write_text(re.sub(r"\(fill in[^)]*\)", "Done.", log.read_text("utf-8")), "utf-8")
    if done:  # the evidence rules run over the repository for a task that claims done
        plan = repo.root / "docs/plans/core.md"
        text = plan.read_text("utf-8").replace(
            "- [ ] **CO-2** Build the feature\n  - Status: In Progress",
            "- [x] **CO-2** Build the feature\n  - Status: Done\n  - Evidence: `README.md`",
        )
        assert "Evidence: `README.md`\n  - Depends: CO-1" in text
        plan.write_text(text, "utf-8")
    work.reset()
    result = end_session(repo)
    assert result.ended, [str(g) for g in result.gaps]
    for name, limit in {"model built": 3, "board rendered": 1, "handoff rendered": 1}.items():
        assert work.calls[name] <= limit, f"{name}: {work.calls[name]} times, at most {limit}"
    assert work.calls["handoff rendered"] == 1  # the log is closed: the handoff names it
    assert work.most_alive_at_render <= 1, "two models of the repository at once"
    # A model kept while the next is built (decoded) doubles the peak just as well.
    assert work.most_alive_at_build == 0, "a model alive while another is built"
