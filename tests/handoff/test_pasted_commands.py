"""Every command charter prints for a person or an agent works when pasted into sh,
for every ID style charter accepts (`make session-start TASK=#75` is a comment after `=`).

Each test runs the printed line in real sh, with `charter` (or make's $(CHARTER))
replaced by a recorder of its argv, and asserts what the command received.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from charter.config import load_config
from charter.handoff.render import handoff_context
from charter.makefile import make_variable
from charter.repo import load_repo
from charter.scaffold import init_repo

IDS = ["#75", "T012a", "BACK-355.06", "ST-04-01"]
ID_PATTERN = r"#\d+|T\d+[a-z]?|[A-Z]+-\d+(?:[.-]\d+)*"
needs_sh = pytest.mark.skipif(
    shutil.which("sh") is None or shutil.which("make") is None, reason="needs sh and make"
)


def _recorder(folder: Path) -> Path:
    """An executable `charter` that writes its arguments as JSON to argv.json."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "charter"
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"open({str(folder / 'argv.json')!r}, 'w').write(json.dumps(sys.argv[1:]))\n",
        "utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def _repo(root: Path, task_id: str, make: bool) -> Path:
    init_repo(root, example=False, git_hooks=False)
    if not make:
        (root / "Makefile").unlink()
    text = (root / "charter.toml").read_text("utf-8")
    pattern = ID_PATTERN.replace("\\", "\\\\")
    (root / "charter.toml").write_text(
        text.replace("[tool.charter]\n", f'[tool.charter]\nid_pattern = "{pattern}"\n', 1), "utf-8"
    )
    plan = f"---\nid: P\ntitle: P\n---\n# P\n\n- [ ] {task_id} Do the thing\n"
    (root / "docs" / "plans").mkdir(parents=True, exist_ok=True)
    (root / "docs" / "plans" / "p.md").write_text(plan, "utf-8")
    return root


def _run_pasted(line: str, root: Path, recorder: Path) -> list[str]:
    env = {**os.environ, "PATH": f"{recorder.parent}{os.pathsep}{os.environ['PATH']}"}
    env["CHARTER"] = str(recorder)
    env.pop("MAKEFLAGS", None)
    subprocess.run(["sh", "-c", line], cwd=root, env=env, check=True, capture_output=True)
    received: list[str] = json.loads((recorder.parent / "argv.json").read_text("utf-8"))
    return received


@needs_sh
@pytest.mark.parametrize("make", [True, False], ids=["make", "charter"])
@pytest.mark.parametrize("task_id", IDS)
def test_the_handoffs_continue_command_reaches_charter_intact(
    tmp_path: Path, task_id: str, make: bool
) -> None:
    root = _repo(tmp_path / "repo", task_id, make)
    start = handoff_context(load_repo(load_config(root)))["continue"]["start"]
    assert start.startswith("make session-start" if make else "charter session start")
    received = _run_pasted(start, root, _recorder(tmp_path / "bin"))
    assert received == ["session", "start", task_id]


@needs_sh
@pytest.mark.parametrize("value", [*IDS, "a b", "x'y", "$(shell echo no)", 'q"uote'])
def test_a_make_variable_reaches_the_recipe_as_written(tmp_path: Path, value: str) -> None:
    root = _repo(tmp_path / "repo", "T1", make=True)
    line = f"make session-start {make_variable('TASK', value)} {make_variable('AGENT', value)}"
    received = _run_pasted(line, root, _recorder(tmp_path / "bin"))
    assert received == ["session", "start", value, "--agent", value]
