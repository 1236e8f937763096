"""The policy's level keys (`levels: {L1: {allow: ..., budget: ...}}`) and the value
readers every key shares.

`charter.guard.policy` reads the frontmatter and calls these through its reader,
which knows the YAML node marks: every failure names the file and the line of
the key. A new level key is one function here and one entry in `LEVEL_KEYS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

from charter.errors import CharterError
from charter.guard.builtin import builtin_denial
from charter.guard.powershell.rules import normalize_rule
from charter.guard.powershell.rules import rule_problem as powershell_rule_problem
from charter.guard.rules import pattern_problem

KeyPath = tuple[str | int, ...]

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Reader(Protocol):
    """What a key reader needs from the policy reader: an error at a key's line."""

    def fail(self, message: str, *keys: str | int) -> CharterError: ...


def _text(reader: Reader, keys: KeyPath, value: Any) -> str:
    if not isinstance(value, str):
        raise reader.fail(f"{keys[-1]} must be text", *keys)
    return value.strip()


def _title(reader: Reader, keys: KeyPath, value: Any) -> str:
    text = _text(reader, keys, value)
    if not text:
        raise reader.fail("title must not be empty", *keys)
    return text


def _inherits(reader: Reader, keys: KeyPath, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise reader.fail("inherits must name another level", *keys)
    return value


def _allow(reader: Reader, keys: KeyPath, value: Any) -> tuple[str, ...]:
    return patterns(reader, keys, value, allow=True)


def _powershell(reader: Reader, keys: KeyPath, value: Any) -> tuple[str, ...]:
    rules = []
    for index, item in enumerate(string_list(reader, keys, value)):
        problem = powershell_rule_problem(item)
        if problem is not None:
            raise reader.fail(f"bad powershell rule {item!r}: {problem}", *keys, index)
        rules.append(normalize_rule(item))
    return tuple(rules)


def _requires(reader: Reader, keys: KeyPath, value: Any) -> tuple[str, ...]:
    items = string_list(reader, keys, value)
    return tuple(item.strip() for item in items)


def _env(reader: Reader, keys: KeyPath, value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise reader.fail('env must be a mapping of VARIABLE: "value"', *keys)
    pairs = []
    for name, setting in value.items():
        if not isinstance(name, str) or not _ENV_NAME.match(name):
            raise reader.fail(f"{name!r} is not an environment variable name", *keys, str(name))
        if not isinstance(setting, str):
            raise reader.fail(f'the value of {name} must be quoted text, such as "1"', *keys, name)
        pairs.append((name, setting))
    return tuple(sorted(pairs))


BUDGET_KEYS = ("max_commands", "max_minutes", "max_consecutive_failures", "max_test_failures")


def _budget(reader: Reader, keys: KeyPath, value: Any) -> tuple[tuple[str, int | None], ...]:
    if not isinstance(value, dict):
        raise reader.fail(
            "budget must be a mapping such as {max_commands: 200, max_minutes: 180}", *keys
        )
    limits: list[tuple[str, int | None]] = []
    for key, limit in value.items():
        if key not in BUDGET_KEYS:
            raise reader.fail(
                f"unknown budget {key!r} (known: {', '.join(BUDGET_KEYS)})", *keys, str(key)
            )
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise reader.fail(
                f"{key} must be a whole number, or null to lift an inherited limit", *keys, key
            )
        if limit is not None and limit < 1:
            raise reader.fail(f"{key} must be at least 1", *keys, key)
        limits.append((key, limit))
    return tuple(limits)


def _write_files(reader: Reader, keys: KeyPath, value: Any) -> bool:
    if not isinstance(value, bool):
        raise reader.fail(
            "write_files must be true or false (whether the agents' file tools may write at "
            "this level)",
            *keys,
        )
    return value


_HOST = re.compile(
    r"(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\Z"
)


def _network(reader: Reader, keys: KeyPath, value: Any) -> tuple[bool, tuple[str, ...]]:
    # true, false, or the hosts an agent's sandbox may reach (which also means true)
    if isinstance(value, bool):
        return value, ()
    if isinstance(value, list) and value:
        for index, host in enumerate(value):
            if not isinstance(host, str) or not _HOST.match(host):
                raise reader.fail(
                    f"{host!r} is not a host name (such as pypi.org or *.pythonhosted.org)",
                    *keys,
                    index,
                )
        return True, tuple(value)
    raise reader.fail(
        "network must be true, false, or a list of host names such as [pypi.org, "
        "files.pythonhosted.org]",
        *keys,
    )


# `requires_checks`: what `charter session end` verifies at this level (sessions/requirements.py)
REQUIREMENT_KEYS = ("tests_passed_after_last_change", "blocking_gates_measured", "files_updated")
_FLAG_REQUIREMENTS = ("tests_passed_after_last_change", "blocking_gates_measured")


def _requires_checks(
    reader: Reader, keys: KeyPath, value: Any
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise reader.fail(
            "requires_checks must be a list such as "
            "[{tests_passed_after_last_change: true}, {files_updated: [CHANGELOG.md]}]",
            *keys,
        )
    checks: list[tuple[str, tuple[str, ...]]] = []
    for index, item in enumerate(value):
        where = (*keys, index)
        if not isinstance(item, dict) or len(item) != 1:
            raise reader.fail("each requirement is a mapping with one key", *where)
        ((name, setting),) = item.items()
        if name not in REQUIREMENT_KEYS:
            raise reader.fail(
                f"unknown requirement {name!r} (known: {', '.join(REQUIREMENT_KEYS)})",
                *where,
                str(name),
            )
        if name in _FLAG_REQUIREMENTS:
            if not isinstance(setting, bool):
                raise reader.fail(f"{name} must be true or false", *where, name)
            if setting:
                checks.append((name, ()))
            continue
        paths = string_list(reader, (*where, name), setting)
        if not paths:
            raise reader.fail(f"{name} needs at least one path", *where, name)
        checks.append((name, tuple(p.strip() for p in paths)))
    return tuple(checks)


LEVEL_KEYS: dict[str, Callable[[Reader, KeyPath, Any], Any]] = {
    "title": _title,
    "description": _text,
    "inherits": _inherits,
    "allow": _allow,
    "powershell": _powershell,
    "requires": _requires,
    "requires_checks": _requires_checks,
    "env": _env,
    "budget": _budget,
    "write_files": _write_files,
    "network": _network,
}


# -- shared value readers ----------------------------------------------------


def string_list(reader: Reader, keys: KeyPath, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise reader.fail(f"{keys[-1]} must be a list", *keys)
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise reader.fail(f"{keys[-1]} entries must be text", *keys, index)
    return list(value)


def patterns(reader: Reader, keys: KeyPath, value: Any, *, allow: bool) -> tuple[str, ...]:
    found = []
    for index, item in enumerate(string_list(reader, keys, value)):
        problem = pattern_problem(item)
        if problem is not None:
            raise reader.fail(f"bad pattern {item!r}: {problem}", *keys, index)
        tokens = item.split()
        if allow:
            denial = builtin_denial(tokens, nested=False)
            if denial is not None:
                raise reader.fail(f"{item!r} can never be allowed: {denial}", *keys, index)
        found.append(" ".join(tokens))
    return tuple(found)


def globs(reader: Reader, keys: KeyPath, value: Any) -> tuple[str, ...]:
    found = []
    for index, item in enumerate(string_list(reader, keys, value)):
        text = item.strip()
        segments = text.strip("/").split("/")
        if not text or any(char in text for char in "\x00\n\r") or ".." in segments:
            raise reader.fail(
                f"bad path pattern {item!r}: use a repository-relative glob such as "
                "'logs/raw/**' or a file name pattern such as '*.pem'",
                *keys,
                index,
            )
        found.append(text)
    return tuple(found)
