"""A repository's templates render in Jinja2's sandbox: hostile ones are refused, by name.

Templates under the repository's `templates/` are written by whoever can write
the checkout, agents included, and render at the observe level (`board
--check`, `handoff --check`). Each template below walks from a value it is
given towards `os` or Python's internals; each must end in a clear error that
names the template file, and never in code that runs.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from charter.config import load_config
from charter.errors import CharterError
from charter.templating import render_template
from tests.governed import init_charter_repo

PLAN = "---\nid: p\ntitle: P\n---\n- [ ] **ST-A-1** first\n  - Status: Backlog\n"
CONFIG = 'id_pattern = "ST-[A-Z]-\\\\d+"\n'
# Each writes MARKER if it gets anywhere.
HOSTILE = {
    "cycler globals": "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}",
    "joiner globals": "{{ joiner.__init__.__globals__['os'].popen('touch MARKER').read() }}",
    "lipsum globals": "{{ lipsum.__globals__['os'].system('touch MARKER') }}",
    "namespace globals": "{{ namespace.__init__.__globals__.sys.modules.os.system('touch MARKER') }}",
    "subclasses walk": (
        "{% for c in ''.__class__.__mro__[1].__subclasses__() %}"
        "{% if c.__name__ == 'Popen' %}{{ c(['touch', 'MARKER']) }}{% endif %}{% endfor %}"
    ),
    "attr filter": "{{ (columns|attr('__class__')).__base__.__subclasses__() }}",
    "format string": "{{ '{0.__class__.__base__.__subclasses__}'.format(columns) }}",
    "context internals": "{{ self._TemplateReference__context.parent }}",
}


@pytest.fixture
def repo(make_repo: object) -> Path:
    root: Path = make_repo({"docs/plans/p.md": PLAN}, config=CONFIG)  # type: ignore[operator]
    return root


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_template_is_refused_naming_it(
    repo: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    override = repo / "templates/board.md.j2"
    override.parent.mkdir(exist_ok=True)
    override.write_text(f"# Board\n\n{HOSTILE[name]}\n", encoding="utf-8")
    config = load_config(repo)
    with pytest.raises(CharterError) as raised:
        render_template(config, "board.md.j2", title="T", total=0, columns=[], plan_count=0)
    assert "board.md.j2" in str(raised.value.path)
    assert raised.value.line == 3
    assert not (repo / "MARKER").exists()


def test_board_check_refuses_a_hostile_template_with_one_clear_line(repo: Path) -> None:
    override = repo / "templates/board.md.j2"
    override.parent.mkdir(exist_ok=True)
    override.write_text(HOSTILE["cycler globals"] + "\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "charter", "board", "--check"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "templates/board.md.j2:1" in proc.stderr
    assert "template refused" in proc.stderr and "sandbox" in proc.stderr
    assert not (repo / "MARKER").exists()


def test_an_ordinary_override_still_renders(repo: Path) -> None:
    override = repo / "templates/board.md.j2"
    override.parent.mkdir(exist_ok=True)
    override.write_text(
        "# {{ title }}\n{% for c in columns %}{{ c.name }}: {{ c.rows|length }}\n{% endfor %}",
        encoding="utf-8",
    )
    text = render_template(
        load_config(repo),
        "board.md.j2",
        title="Board",
        columns=[{"name": "Backlog", "rows": [1, 2]}],
    )
    assert text == "# Board\nBacklog: 2\n"


PLAIN = (str, int, float, bool, type(None))


def _plain(value: object, where: str) -> list[str]:
    """Where `value` holds anything but plain data: scalars, lists, dicts and frozen records
    of them (no method a template could call changes anything)."""
    if isinstance(value, PLAIN):
        return []
    if isinstance(value, (list, tuple)):
        return [bad for i, item in enumerate(value) for bad in _plain(item, f"{where}[{i}]")]
    if isinstance(value, dict):
        return [
            bad
            for key, item in value.items()
            for bad in [*_plain(key, f"{where} key"), *_plain(item, f"{where}[{key!r}]")]
        ]
    if dataclasses.is_dataclass(value) and type(value).__dataclass_params__.frozen:  # type: ignore[union-attr]
        return [
            bad
            for f in dataclasses.fields(value)
            for bad in _plain(getattr(value, f.name), f"{where}.{f.name}")
        ]
    return [f"{where}: {type(value).__name__}"]


def test_every_template_is_given_plain_data_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sandbox blocks Python's internals; plain data leaves no method of charter's
    (a Path's write_text, a Config's) for a template to call either."""
    import charter.beside
    import charter.board.fastmd
    import charter.board.html
    import charter.board.parts
    import charter.handoff.regenerate
    import charter.sessions.start
    import charter.templating
    from charter.cli import main

    seen: dict[str, dict[str, object]] = {}
    original = render_template

    def recording(config: object, name: str, **context: object) -> str:
        seen[name] = context
        return original(config, name, **context)  # type: ignore[arg-type]

    # where it is imported by name, and where it is looked up when called
    modules = (
        charter.board.fastmd,
        charter.board.parts,
        charter.board.html,
        charter.sessions.start,
        charter.handoff.regenerate,
    )
    for module in (charter.templating, *modules):
        if hasattr(module, "render_template"):
            monkeypatch.setattr(module, "render_template", recording)
    # The page renders in this process, where the recording sees it (not beside it).
    monkeypatch.setattr(charter.beside, "can_fork", lambda *_: False)
    root = init_charter_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    (root / "docs/taskboard/TaskBoard.md").unlink()  # so that the board renders again
    # charter's own board template is written without Jinja2 (board.fastmd): an override,
    # the same text, goes through the template engine
    shipped = Path(charter.templating.PACKAGE_TEMPLATES / "board.md.j2").read_text()
    (root / "templates/board.md.j2").write_text(shipped)
    assert main(["board", "--html", "site/board.html"]) == 0
    assert main(["session", "start", "EX-1"]) == 0
    assert main(["handoff"]) == 0
    assert sorted(seen) == ["board.html.j2", "board.md.j2", "handoff.md.j2", "session.md.j2"]
    for name, context in seen.items():
        assert _plain(context, name) == []
