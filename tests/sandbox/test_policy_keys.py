"""The policy keys of the sandbox: a level's `network`, the top-level `sandbox`."""

from __future__ import annotations

import pytest

from charter.errors import CharterError
from charter.guard.compiled import CompiledPolicy
from charter.guard.policy import parse_policy
from charter.guard.policy_model import compile_policy
from tests.sandbox.conftest import POLICY


def _policy(text: str = POLICY) -> CompiledPolicy:
    return CompiledPolicy(compile_policy(parse_policy(text, "docs/agents/AUTONOMY.md")))


def test_network_is_inherited_and_needs_the_levels_opt_in() -> None:
    policy = _policy()
    assert policy.network("L0") == (False, [], {})
    assert policy.network("L1") == (False, [], {})
    assert policy.network("L3") == (
        True,
        ["pypi.org", "files.pythonhosted.org"],
        {"CHARTER_ALLOW_NET": "1"},
    )
    assert parse_policy(POLICY, "p").network("L3") == (True, ("pypi.org", "files.pythonhosted.org"))


@pytest.mark.parametrize(
    ("written", "mode"),
    [
        ("", "auto"),
        ("sandbox: auto", "auto"),
        ("sandbox: required", "required"),
        ("sandbox: off", "off"),
        ('sandbox: "off"', "off"),
    ],
)
def test_sandbox_modes(written: str, mode: str) -> None:
    text = POLICY.replace("default_level: L1", f"default_level: L1\n{written}")
    assert parse_policy(text, "p").sandbox == mode
    assert _policy(text).sandbox == mode


@pytest.mark.parametrize(
    ("old", "new", "message", "at"),
    [
        ("default_level: L1", "default_level: L1\nsandbox: always", "sandbox must be", "sandbox"),
        ("    network: false", "    network: yes please", "network must be", "yes please"),
        (
            "    network: [pypi.org, files.pythonhosted.org]",
            "    network: [pypi.org, 'a b']",
            "is not a host name",
            "'a b'",
        ),
        ("    network: false", "    network: []", "network must be", "network: []"),
    ],
)
def test_bad_sandbox_keys_name_the_line(old: str, new: str, message: str, at: str) -> None:
    text = POLICY.replace(old, new)
    with pytest.raises(CharterError, match=message) as caught:
        parse_policy(text, "docs/agents/AUTONOMY.md")
    assert caught.value.line == 1 + next(
        index for index, line in enumerate(text.splitlines()) if at in line
    )
