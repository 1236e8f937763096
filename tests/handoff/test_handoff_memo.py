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


def _no_parse(*_: object) -> object:
    raise AssertionError("parsed a template whose reading was kept")


def test_the_templates_reading_is_kept_by_their_text(
    rich: Config,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from charter import templating
    from charter.handoff import memo
    from charter.handoff.rows import numbers_apart

    main, rows = regenerate.TEMPLATE, regenerate.ROWS_TEMPLATE
    fresh = (
        templating.template_variables(rich, main),
        numbers_apart(templating.template_tree(rich, rows)),
    )
    assert memo.template_reading(rich, main, rows) == fresh
    with monkeypatch.context() as patched:  # a second run reads the memo, parses nothing
        patched.setattr(templating, "template_tree", _no_parse)
        assert memo.template_reading(rich, main, rows) == fresh
    # An override of the row template that computes with the number: read again.
    write(
        rich.root,
        f"{rich.templates}/{rows}",
        (templating.PACKAGE_TEMPLATES / rows)
        .read_text("utf-8")
        .replace("{{ item.number }}", "{{ item.number + 1 }}", 1),
    )
    variables, apart = memo.template_reading(rich, main, rows)
    assert (variables, apart) == (fresh[0], False)
    # A damaged memo is a miss, never a wrong answer.
    memo_path = rich.path(memo.TEMPLATES_MEMO)
    from charter.cache import load_cache, save_cache

    kept = load_cache(memo_path)
    save_cache(memo_path, {**kept, "apart": "yes"})
    assert memo.template_reading(rich, main, rows) == (fresh[0], False)


def test_a_render_of_a_loaded_repository_keeps_no_template_reading(rich: Config) -> None:  # noqa: F811
    from charter.handoff import memo
    from charter.repo import load_repo

    regenerate.render_handoff(load_repo(rich, use_cache=False))
    assert not rich.path(memo.TEMPLATES_MEMO).exists()
