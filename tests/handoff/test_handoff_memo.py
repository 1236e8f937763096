"""`handoff --check` answers from its memo when no input changed, and never misses a change."""

from __future__ import annotations

import pytest

from charter.config import Config
from charter.handoff import regenerate
from charter.handoff.regenerate import check_handoff, write_handoff
from tests.handoff.test_handoff import ALPHA, rich  # noqa: F401  (the fixture)
from tests.sessions.helpers import write


def _no_render(*_: object) -> str:
    raise AssertionError("rendered although nothing changed")


def test_an_unchanged_repository_is_answered_without_rendering(
    rich: Config,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert write_handoff(rich) is True
    monkeypatch.setattr(regenerate, "render_facts", _no_render)
    assert check_handoff(rich).up_to_date
    assert write_handoff(rich) is False


@pytest.mark.parametrize(
    ("rel", "text"),
    [
        ("docs/plans/alpha.md", ALPHA.replace("Urgent fix", "Urgent fix!")),
        ("Makefile", "check:\n\t@true\n"),  # the continue command loses `make`
        (
            "docs/agents/sessions/2026-01-09_session-0009.md",
            "---\nid: s9\ndate: 2026-01-09\ntask: AL-1\nstatus: done\n---\n\n## Outcome\n\nok\n",
        ),
    ],
)
def test_any_changed_input_renders_again(rich: Config, rel: str, text: str) -> None:  # noqa: F811
    write_handoff(rich)
    assert check_handoff(rich).up_to_date
    write(rich.root, rel, text)
    assert not check_handoff(rich).up_to_date


def test_a_changed_handoff_file_is_not_taken_as_current(rich: Config) -> None:  # noqa: F811
    write_handoff(rich)
    path = rich.root / rich.handoff
    path.write_text(path.read_text("utf-8") + "\nmy note\n", "utf-8")
    result = check_handoff(rich)
    assert not result.up_to_date and result.refusal is not None
