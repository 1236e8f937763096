"""The policy keys for safety: budgets per level (inherited), notify, decision records, sizes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from charter.cli import main
from charter.config import Config
from charter.errors import CharterError
from charter.guard.compiled import CompiledPolicy
from charter.guard.policy import parse_policy
from charter.guard.policy_model import compile_policy
from charter.state.killswitch import engage
from tests.safety.helpers import NOW, set_policy, start

BASE = """\
---
charter_policy: 1
{top}levels:
  L0:
    allow: [ls]
    {l0}
  L1:
    inherits: L0
    allow: [pytest]
    {l1}
  L2:
    inherits: L1
    allow: [make bench]
    {l2}
---
"""


def _policy(top: str = "", l0: str = "", l1: str = "", l2: str = "") -> str:
    return BASE.format(top=top, l0=l0, l1=l1, l2=l2)


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        (
            ("budget: {max_commands: 10, max_minutes: 60}", "", ""),
            [{"max_commands": 10, "max_minutes": 60}] * 3,
        ),
        (
            ("budget: {max_commands: 10}", "budget: {max_commands: 200}", ""),
            [{"max_commands": 10}, {"max_commands": 200}, {"max_commands": 200}],
        ),
        (
            ("budget: {max_commands: 10}", "budget: {max_test_failures: 3}", ""),
            [
                {"max_commands": 10},
                {"max_commands": 10, "max_test_failures": 3},
                {"max_commands": 10, "max_test_failures": 3},
            ],
        ),
        (
            ("budget: {max_minutes: 30}", "", "budget: {max_minutes: null}"),
            [{"max_minutes": 30}, {"max_minutes": 30}, {}],
        ),
        (("", "", ""), [{}, {}, {}]),
    ],
)
def test_budgets_are_inherited_unless_overridden(
    levels: tuple[str, str, str], expected: list[dict[str, int]]
) -> None:
    policy = parse_policy(_policy(l0=levels[0], l1=levels[1], l2=levels[2]), "A.md")
    assert [policy.budget(name) for name in ("L0", "L1", "L2")] == expected
    compiled = CompiledPolicy(compile_policy(policy))
    assert [compiled.budget(name) for name in ("L0", "L1", "L2")] == expected


@pytest.mark.parametrize(
    ("change", "message", "line"),
    [
        (
            {"l0": "budget: {max_comands: 5}"},
            "unknown budget 'max_comands' (known: max_commands",
            6,
        ),
        ({"l1": "budget: {max_minutes: 0}"}, "max_minutes must be at least 1", 10),
        ({"l1": "budget: {max_minutes: 1.5}"}, "max_minutes must be a whole number", 10),
        ({"l1": "budget: {max_minutes: true}"}, "max_minutes must be a whole number", 10),
        ({"l2": "budget: [200]"}, "budget must be a mapping", 14),
        ({"top": "notify: ''\n"}, "notify must be a command", 3),
        ({"top": "notify: []\n"}, "notify must be a command", 3),
        ({"top": "notify: [tools/notify.py, 3]\n"}, "notify must be a command", 3),
        ({"top": "needs_decision_record: ['../schemas']\n"}, "bad path pattern '../schemas'", 3),
        ({"top": "needs_decision_record: schemas\n"}, "needs_decision_record must be a list", 3),
        ({"top": "max_file_size_kb: 0\n"}, "max_file_size_kb must be a whole number", 3),
        ({"top": "max_file_size_kb: 10MB\n"}, "max_file_size_kb must be a whole number", 3),
        ({"top": "test_commands: ['make $(x)']\n"}, "bad pattern 'make $(x)'", 3),
    ],
)
def test_bad_values_name_the_file_and_line(change: dict[str, str], message: str, line: int) -> None:
    with pytest.raises(CharterError) as raised:
        parse_policy(_policy(**change), "docs/agents/AUTONOMY.md")
    assert message in raised.value.message
    assert (raised.value.path, raised.value.line) == ("docs/agents/AUTONOMY.md", line)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("notify: ./tools/notify.sh --channel ops", "./tools/notify.sh --channel ops"),
        ("notify: [tools/notify.py, --channel, ops]", ("tools/notify.py", "--channel", "ops")),
    ],
)
def test_notify_is_a_string_or_an_argv(setting: str, expected: object) -> None:
    assert parse_policy(_policy(top=setting + "\n"), "A.md").notify == expected


def test_the_top_level_keys_reach_the_compiled_policy() -> None:
    top = (
        "needs_decision_record: ['schemas/**']\nmax_file_size_kb: 512\n"
        "test_commands: [pytest, make test]\n"
    )
    compiled = CompiledPolicy(compile_policy(parse_policy(_policy(top=top), "A.md")))
    assert compiled.needs_decision_record == ["schemas/**"]
    assert compiled.max_file_size_kb == 512
    assert compiled.test_commands == [["pytest"], ["make", "test"]]


HEAVY = ("click", "jinja2", "markdown_it", "yaml", "pandas", "filelock")
PROBE = """
import sys
from charter.guard.entry import main
code = main(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})
sys.stdout.write("MODULES " + ",".join(heavy) + "\\n")
sys.exit(code)
"""


def _guard_modules(root: Path, *args: str) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-I", "-c", PROBE.format(heavy=set(HEAVY)), *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return result.returncode, result.stdout.strip().splitlines()[-1]


def test_budgets_and_the_kill_switch_keep_the_guard_light(repo: Config) -> None:
    set_policy(repo, "{max_commands: 3, max_minutes: 100000000}")
    start(repo)
    _guard_modules(repo.root, "--", "ls")  # warms the policy cache
    assert _guard_modules(repo.root, "--", "ls") == (0, "MODULES")
    assert _guard_modules(repo.root, "--", "ls") == (0, "MODULES")
    assert _guard_modules(repo.root, "--", "ls") == (2, "MODULES")  # spent
    engage(str(repo.root), reason="stop", by="ops", at=NOW)
    assert _guard_modules(repo.root, "--", "ls") == (2, "MODULES")


def test_the_commands_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    listed = {line.split()[0] for line in capsys.readouterr().out.splitlines() if line[:2] == "  "}
    assert {"stop", "resume", "escalate"} <= listed


def test_the_briefing_states_the_budget(repo: Config) -> None:
    from charter.sessions.briefing import briefing
    from charter.sessions.preconditions import Request
    from charter.sessions.start import start_session

    set_policy(repo, "{max_commands: 40, max_test_failures: 2}")
    result = start_session(repo, Request("CO-1", agent="codex"))
    assert result.session is not None
    text = briefing(repo, result.findings, result.session)
    assert (
        "  Budget: 40 commands, 2 failed test runs; then every command is denied and the task "
        "escalated (docs/safety.md).\n"
    ) in text
