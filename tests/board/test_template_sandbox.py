"""A repository's templates render in Jinja2's sandbox: hostile ones are refused, by name.

Templates under the repository's `templates/` are written by whoever can write
the checkout, agents included, and render at the observe level (`board
--check`, `handoff --check`). Each template below walks from a value it is
given towards `os` or Python's internals; each must end in a clear error that
names the template file, and never in code that runs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from charter.config import load_config
from charter.errors import CharterError
from charter.render.templates import render_template

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
