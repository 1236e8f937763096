"""The policy's `powershell` rules: read, validated with file and line, compiled, matched;
and the command line and hook wiring (`--shell pwsh`), with the parser loaded only for
PowerShell."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from charter.errors import CharterError
from charter.guard.compiled import CompiledPolicy
from charter.guard.decide import classify
from charter.guard.policy import parse_policy
from charter.guard.policy_model import compile_policy
from tests.guard.helpers import POLICY, POLICY_PATH, charter_guard, make_context, make_repo

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "examples"


def _with_rules(rules: str, level: str = "L1") -> str:
    anchor = {"L0": '"head", "wc"]\n', "L1": '"rm", "touch"]\n'}[level]
    return POLICY.replace(anchor, f"{anchor}    powershell: {rules}\n")


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ('["gci"]', "'gci' is an alias: write its cmdlet, Get-ChildItem"),
        ('["Invoke-Expression"]', "can never be allowed"),
        ('["Start-Process notepad"]', "can never be allowed"),
        ('["ForEach-Object"]', "can never be allowed"),
        ('["git status"]', "native programs are allowed by `allow` rules"),
        ('["pwsh"]', "a rule for a script names its .ps1 file"),
        ('["pwsh Tools/Run.psm1"]', "a rule for a script names its .ps1 file"),
        ('["pwsh ../Run.ps1"]', "name the script by its path inside the repository"),
        ('["pwsh C:/Tools/Run.ps1"]', "name the script by its path inside the repository"),
        ('["pwsh /opt/Run.ps1"]', "name the script by its path inside the repository"),
        ('["Get-Content $x"]', "holds shell syntax"),
        ('["Get-Content (x)"]', "holds shell syntax"),
        ('["  "]', "a rule must name a script or a cmdlet"),
    ],
)
def test_bad_powershell_rules_are_refused_with_their_line(rules: str, message: str) -> None:
    text = _with_rules(rules)
    with pytest.raises(CharterError) as raised:
        parse_policy(text, POLICY_PATH)
    error = str(raised.value)
    assert message in error
    line = next(
        n for n, t in enumerate(text.splitlines(), 1) if t.strip().startswith("powershell:")
    )
    assert f"{POLICY_PATH}:{line}" in error


def test_powershell_rules_are_stored_with_slashes_and_compiled() -> None:
    policy = parse_policy(_with_rules('["pwsh Tools\\\\Run-Tests.ps1  -Fast", "Get-ChildItem"]'),
                          POLICY_PATH)  # fmt: skip
    assert policy.level("L1").powershell == ("pwsh Tools/Run-Tests.ps1 -Fast", "Get-ChildItem")
    data = compile_policy(policy)
    assert data["levels"]["L1"]["powershell"] == [
        ["pwsh", "Tools/Run-Tests.ps1", "-Fast"], ["Get-ChildItem"]
    ]  # fmt: skip
    assert data["levels"]["L0"]["powershell"] == []


def test_a_compiled_policy_without_powershell_rules_is_rebuilt_not_trusted() -> None:
    data = compile_policy(parse_policy(POLICY, POLICY_PATH))
    del data["levels"]["L1"]["powershell"]
    with pytest.raises(ValueError, match="not a compiled policy"):
        CompiledPolicy(data)


def test_bash_allow_rules_never_allow_a_cmdlet(tmp_path: Path) -> None:
    """`rm` is allowed in bash; PowerShell's `rm` is Remove-Item, which needs its own rule."""
    root = make_repo(tmp_path / "repo")
    policy = CompiledPolicy(compile_policy(parse_policy(POLICY, POLICY_PATH)))
    context = make_context(policy, root)
    assert classify("rm build.txt", context).allowed
    decision = classify("rm build.txt", context, shell="pwsh")
    assert not decision.allowed
    assert "no powershell rule of level L1 matches rm (Remove-Item)" in decision.reason


# -- the command line and the hooks -------------------------------------------------


@pytest.fixture
def pwsh_repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo", _with_rules('["pwsh Tools/Run-Tests.ps1"]'))
    (root / "Tools").mkdir()
    (root / "Tools" / "Run-Tests.ps1").write_text("Write-Output ok\n", encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("args", "code", "stderr"),
    [
        (["--shell", "pwsh", "--command", ".\\Tools\\Run-Tests.ps1"], 0, ""),
        (["--shell", "powershell", "--command", "Tools\\Run-Tests.ps1 -Fast"], 0, ""),
        (["--shell", "pwsh", "--command", "iex 'curl evil'"], 2, "Invoke-Expression"),
        (["--shell", "pwsh", "--command", "& .\\Tools\\Run-Tests.ps1"], 2, "call operators"),
        (["--command", ".\\Tools\\Run-Tests.ps1"], 2, ""),  # bash reads `.\Tools...` otherwise
        (["--", "pwsh", "-File", "Tools\\Run-Tests.ps1"], 0, ""),
        (["--", "pwsh", "-EncodedCommand", "ZQBjAGgAbwA="], 2, "-EncodedCommand"),
        (["--shell", "zsh", "--command", "ls"], 2, "--shell must be bash or pwsh"),
    ],
)
def test_charter_guard_shell_option(
    pwsh_repo: Path, args: list[str], code: int, stderr: str
) -> None:
    result = charter_guard(args, cwd=pwsh_repo)
    assert result.returncode == code, result.stderr
    assert stderr in result.stderr.decode()


def test_the_explanation_says_powershell(pwsh_repo: Path) -> None:
    result = charter_guard(["--shell", "pwsh", "--explain", "--command", "Tools/Run-Tests.ps1"],
                           cwd=pwsh_repo)  # fmt: skip
    assert result.returncode == 0
    out = result.stdout.decode()
    assert "runs as: PowerShell (string)" in out
    assert "L1 powershell: pwsh Tools/Run-Tests.ps1" in out


@pytest.mark.parametrize(
    ("command", "allowed"),
    [(".\\Tools\\Run-Tests.ps1", True), ("Get-Content .env", False), ("$x = 1", False)],
)
def test_the_claude_code_hook_judges_powershell_with_shell_pwsh(
    pwsh_repo: Path, command: str, allowed: bool
) -> None:
    request = {"cwd": str(pwsh_repo), "hook_event_name": "PreToolUse", "tool_name": "Bash",
               "tool_input": {"command": command}}  # fmt: skip
    stdin = json.dumps(request).encode()
    result = charter_guard(["--hook", "claude-code", "--shell", "pwsh"], cwd=pwsh_repo,
                           stdin=stdin)  # fmt: skip
    assert (result.returncode == 0) is allowed, result.stdout


PROBE = """
import sys
from charter.guard.entry import main
code = main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m.startswith(("tree_sitter_powershell",
                                                        "charter.guard.powershell")))
sys.stdout.write("MODULES " + ",".join(loaded) + "\\n")
sys.exit(code)
"""


def _loaded(repo: Path, *args: str) -> tuple[int, str]:
    result = subprocess.run([sys.executable, "-I", "-c", PROBE, *args], cwd=repo,
                            capture_output=True, text=True, check=False, timeout=60)  # fmt: skip
    line = [x for x in result.stdout.splitlines() if x.startswith("MODULES ")][-1]
    return result.returncode, line.removeprefix("MODULES ")


def test_the_powershell_parser_loads_only_for_powershell(pwsh_repo: Path) -> None:
    _loaded(pwsh_repo, "--command", "git status")  # warm the policy cache
    assert _loaded(pwsh_repo, "--command", "git status; rm x") == (0, "")
    code, loaded = _loaded(pwsh_repo, "--shell", "pwsh", "--command", "Tools/Run-Tests.ps1")
    assert code == 0
    # the parser's binding is loaded straight from its file (guard.tsload), so the module
    # that loads it stands for it
    assert "charter.guard.powershell.tsload" in loaded.split(",")


# -- the autonomy example: its PowerShell actions, per level ------------------------

_SCRIPT = re.compile(r"`(Tools[\\/][\w.-]+\.ps1)`")


def _example_actions(tmp_path: Path) -> dict[str, list[str]]:
    if not (EXAMPLES / "autonomy-plan.md").is_file():
        pytest.skip("../shared/examples is not present (the seed team's example documents)")
    copy = tmp_path / "autonomy-plan.md"
    shutil.copyfile(EXAMPLES / "autonomy-plan.md", copy)
    actions: dict[str, list[str]] = {}
    for line in copy.read_text(encoding="utf-8").splitlines():
        level = re.match(r"\|\s*(L\d)\b", line)
        if level:
            actions[level.group(1)] = _SCRIPT.findall(line)
    return actions


def test_the_autonomy_examples_scripts_are_allowed_at_their_level_only(tmp_path: Path) -> None:
    actions = _example_actions(tmp_path)
    scripts = {level: names for level, names in actions.items() if names}
    assert set(scripts) == {"L2", "L3"}, scripts  # L1 names its scripts in another document
    rules = {level: json.dumps([f"pwsh {name}" for name in names])
             for level, names in scripts.items()}  # fmt: skip
    text = POLICY.replace(
        'allow: ["make bench", "cd"]\n',
        f'allow: ["make bench", "cd"]\n    powershell: {rules["L2"]}\n',
    )
    text = text.replace(
        'allow: ["pip install", "git push"]\n',
        f'allow: ["pip install", "git push"]\n    powershell: {rules["L3"]}\n',
    )
    root = make_repo(tmp_path / "repo", text)
    (root / "Tools").mkdir()
    policy = CompiledPolicy(compile_policy(parse_policy(text, POLICY_PATH)))
    optin = {"CHARTER_ALLOW_NET": "1"}
    for level, names in scripts.items():
        below = {"L2": "L1", "L3": "L2"}[level]
        for name in names:
            (root / name.replace("\\", "/")).write_text("Write-Output ok\n", encoding="utf-8")
            # as the example writes it, with the other slash, and run through pwsh -File
            for command in (name, name.replace("\\", "/").replace("/", "\\")):
                here = classify(command, make_context(policy, root, level=level, env=optin),
                                shell="pwsh")  # fmt: skip
                assert here.allowed, here.reason
                lower = classify(command, make_context(policy, root, level=below, env=optin),
                                 shell="pwsh")  # fmt: skip
                assert not lower.allowed
            argv = ["pwsh", "-NoProfile", "-File", name]
            assert classify(argv, make_context(policy, root, level=level, env=optin)).allowed
    l3 = scripts["L3"][0]
    without = classify(l3, make_context(policy, root, level="L3"), shell="pwsh")
    assert not without.allowed
    assert "CHARTER_ALLOW_NET=1" in without.reason
