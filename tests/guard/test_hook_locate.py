"""The exported hook commands find charter on any machine, and block when it is missing.

`.claude/settings.json` and `.codex/hooks.json` are committed: they must hold
no path of the machine that wrote them, and work from any clone. These tests
run the exported commands with a real `sh`, the way the agents run them, from
the repository's own `.venv`, from another virtual environment on PATH, from
`python3 -m charter`, and from a clone at another path, and check the allow
and deny answers and the one-line message when charter cannot be found.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from charter.guard.hook_script import INSTALL_HINT
from tests.conftest import REPO_ROOT
from tests.governed import init_charter_repo

BASE_PATH = "/usr/bin:/bin"  # sh, git, grep; a python3 there has no charter
ALLOWED, DENIED = "git status", "rm -rf /"
CONSOLE_SCRIPT = """#!{python}
import sys
from charter.cli import main
if __name__ == '__main__':
    sys.argv[0] = sys.argv[0].removesuffix('.exe')
    sys.exit(main())
"""

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or not Path("/bin/sh").exists(), reason="POSIX sh hooks"
)


def _venv(folder: Path, script: bool = True) -> Path:
    """A real virtual environment where charter imports (through a .pth naming this
    checkout and its dependencies), with charter's console script as pip writes it."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = sysconfig.get_paths()["purelib"]
    Path(purelib, "charter-test.pth").write_text(f"{REPO_ROOT / 'tools'}\n{deps}\n")
    if script:
        charter = folder / "bin" / "charter"
        charter.write_text(CONSOLE_SCRIPT.format(python=python))
        charter.chmod(0o755)
    return folder / "bin"


@pytest.fixture(scope="module")
def machines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One repository with its own .venv, a clone elsewhere, and three more environments."""

    base = tmp_path_factory.mktemp("hooks")
    origin = init_charter_repo(base / "alice" / "project")
    own = _venv(origin / ".venv")  # made after the commit: never committed
    clone = base / "bob" / "src" / "elsewhere"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    foreign = base / "foreign" / "bin"
    foreign.mkdir(parents=True)
    (foreign / "charter").write_text('#!/bin/sh\necho "{}"\nexit 0\n')  # another tool's
    (foreign / "charter").chmod(0o755)
    return {
        "origin": origin,
        "clone": clone,
        "own": own,
        "path_venv": _venv(base / "tools-venv"),
        "module_venv": _venv(base / "module-venv", script=False),
        "foreign": foreign,
    }


def _commands(root: Path) -> dict[str, str]:
    claude = json.loads((root / ".claude/settings.json").read_text())
    codex = json.loads((root / ".codex/hooks.json").read_text())
    return {
        "claude-code": claude["hooks"]["PreToolUse"][-1]["hooks"][0]["command"],
        "codex": codex["hooks"]["PreToolUse"][-1]["hooks"][0]["command"],
        "stop": claude["hooks"]["Stop"][-1]["hooks"][0]["command"],
    }


def _run_hook(
    root: Path, agent: str, command: str, path: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    request = {
        "session_id": "s",
        "cwd": str(cwd or root),
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command},
    }
    env = {"PATH": path, "HOME": str(root.parent)}
    if agent == "claude-code":
        env["CLAUDE_PROJECT_DIR"] = str(root)
    return subprocess.run(
        ["sh", "-c", _commands(root)[agent]],
        input=json.dumps(request),
        cwd=cwd or root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_committed_configs_hold_no_machine_path(machines: dict[str, Path]) -> None:
    for rel in (".claude/settings.json", ".codex/hooks.json"):
        text = (machines["origin"] / rel).read_text()
        assert str(machines["origin"]) not in text
        assert sys.executable not in text and sys.prefix not in text
        assert (machines["clone"] / rel).read_bytes() == (machines["origin"] / rel).read_bytes()


@pytest.mark.parametrize("agent", ["claude-code", "codex"])
@pytest.mark.parametrize(
    "where",
    ["origin's .venv", "clone, charter on PATH", "clone, python3 -m charter"],
)
def test_the_hook_answers_from_every_environment(
    machines: dict[str, Path], agent: str, where: str
) -> None:
    root, path = {
        "origin's .venv": (machines["origin"], BASE_PATH),
        "clone, charter on PATH": (machines["clone"], f"{machines['path_venv']}:{BASE_PATH}"),
        "clone, python3 -m charter": (machines["clone"], f"{machines['module_venv']}:{BASE_PATH}"),
    }[where]
    allowed = _run_hook(root, agent, ALLOWED, path, cwd=root / "docs")
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout == ""  # an allow answers nothing: the agent's own prompt applies
    denied = _run_hook(root, agent, DENIED, path)
    assert denied.returncode == 2, denied.stderr
    assert json.loads(denied.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"
    assert "not installed" not in denied.stderr


@pytest.mark.parametrize("agent", ["claude-code", "codex"])
@pytest.mark.parametrize("extra_path", ["", "foreign"])
def test_without_charter_every_call_is_blocked_with_one_clear_line(
    machines: dict[str, Path], agent: str, extra_path: str
) -> None:
    """Nothing on PATH (or only another tool named `charter`): blocked, and told how to fix."""
    path = f"{machines[extra_path]}:{BASE_PATH}" if extra_path else BASE_PATH
    result = _run_hook(machines["clone"], agent, ALLOWED, path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines == [f"charter guard: charter is not installed for this repository: {INSTALL_HINT}"]


def test_a_broken_charter_blocks(machines: dict[str, Path], tmp_path: Path) -> None:
    broken = tmp_path / "bin"
    broken.mkdir()
    script = broken / "charter"
    script.write_text("#!/nonexistent/python\nfrom charter.cli import main\n")
    script.chmod(0o755)
    result = _run_hook(machines["clone"], "codex", ALLOWED, f"{broken}:{BASE_PATH}")
    assert result.returncode == 2


def test_the_stop_hook_never_blocks_stopping(machines: dict[str, Path]) -> None:
    clone = machines["clone"]
    env = {"PATH": BASE_PATH, "CLAUDE_PROJECT_DIR": str(clone), "HOME": str(clone.parent)}
    missing = subprocess.run(
        ["sh", "-c", _commands(clone)["stop"]],
        input="{}",
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 0
    assert "not installed" in missing.stderr
    env["PATH"] = f"{machines['path_venv']}:{BASE_PATH}"
    found = subprocess.run(
        ["sh", "-c", _commands(clone)["stop"]],
        input=json.dumps({"hook_event_name": "Stop", "stop_hook_active": False}),
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "not installed" not in found.stderr
    assert found.returncode == 0, found.stderr  # no active session: nothing to check


@pytest.mark.parametrize("target", ["claude-code", "codex"])
def test_export_check_is_stable_across_machines_and_clones(
    machines: dict[str, Path], target: str
) -> None:
    """The clone, at another path and with another environment, agrees byte for byte."""
    for root, charter in (
        (machines["origin"], machines["own"] / "charter"),
        (machines["clone"], machines["path_venv"] / "charter"),
    ):
        result = subprocess.run(
            [str(charter), "export", target, "--check"],
            cwd=root,
            env={**os.environ, "PATH": BASE_PATH},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_export_replaces_an_old_machine_path_in_charters_stop_hook(tmp_path: Path) -> None:
    root = init_charter_repo(tmp_path / "repo", commit=False)
    settings = root / ".claude/settings.json"
    old = "/home/alice/venv/bin/python -I -m charter session check --hook claude-code"
    data = json.loads(settings.read_text())
    data["hooks"]["Stop"][0]["hooks"][0]["command"] = f'{old} --repo "$CLAUDE_PROJECT_DIR"'
    data["hooks"]["Stop"].append({"hooks": [{"type": "command", "command": "make notify"}]})
    settings.write_text(json.dumps(data))
    result = subprocess.run(
        [sys.executable, "-m", "charter", "export", "claude-code"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = settings.read_text()
    assert "/home/alice" not in text
    stops = json.loads(text)["hooks"]["Stop"]
    assert stops[1]["hooks"][0]["command"] == "make notify"  # someone else's hook is kept
    assert "command -v charter" in stops[0]["hooks"][0]["command"]
